// RoutingModel → daemon config text. Pure apart from the one-time template load: same model,
// same bytes. Masking is a render option; masked text is for people, never for a daemon.
import { createHash } from "node:crypto";
import { SvcrouteError } from "../errors.js";
import type { DaemonType } from "../manifest/types.js";
import type { RoutingModel } from "./model.js";
import { templateFor } from "./templates.js";

/** Mode of a written config: the daemon's group may read it, nobody else (it holds passwords). */
export const CONFIG_FILE_MODE = 0o640;

export interface RenderOptions {
  /** true: real passwords (for the file the daemon reads); false (default): "<secret>" */
  showSecrets?: boolean;
  /** template directory override (tests) */
  templateDir?: string;
}

export interface RenderedConfig {
  daemon: DaemonType;
  text: string;
  /** true when passwords were replaced by placeholders: such text must never be written or applied */
  masked: boolean;
  fileMode: number;
}

function hasPasswords(model: RoutingModel, daemon: DaemonType): boolean {
  return daemon === "frr" ? model.frr.bgp.neighbors.some((n) => n.password !== null) : (model.bird?.peers.some((p) => p.password !== null) ?? false);
}

export function render(model: RoutingModel, daemon: DaemonType, opts: RenderOptions = {}): RenderedConfig {
  const showSecrets = opts.showSecrets === true;
  const masked = !showSecrets && hasPasswords(model, daemon);
  const view = daemon === "frr" ? model.frr : model.bird;
  if (view === null) {
    throw new SvcrouteError("E_RENDER", `cannot render a BIRD config: ${model.birdUnsupported ?? "unsupported manifest"}`, {
      hint: "use daemon: frr for this manifest",
    });
  }
  let text: string;
  try {
    text = templateFor(daemon, opts.templateDir)(view, { data: { showSecrets, masked } });
  } catch (e) {
    if (e instanceof SvcrouteError) throw e;
    throw new SvcrouteError("E_RENDER", `rendering the ${daemon} config failed: ${(e as Error).message}`, { cause: e });
  }
  return { daemon, text: withChecksum(text.replace(/\n+$/, "\n"), daemon), masked, fileMode: CONFIG_FILE_MODE };
}

const CHECKSUM_LINE = /^[#!] svcroute-checksum sha256:([0-9a-f]{64})\n/m;

/**
 * A second header line holds the sha256 of the rest of the file, so anyone (doctor) can tell a
 * file svcroute wrote from one edited since, without knowing the health state it was rendered for.
 */
function withChecksum(text: string, daemon: DaemonType): string {
  const nl = text.indexOf("\n") + 1;
  const sum = createHash("sha256").update(text).digest("hex");
  return `${text.slice(0, nl)}${daemon === "frr" ? "!" : "#"} svcroute-checksum sha256:${sum}\n${text.slice(nl)}`;
}

/** "intact" (svcroute wrote it, unchanged), "edited" (checksum mismatch) or "foreign" (no checksum) */
export function checksumState(text: string): "intact" | "edited" | "foreign" {
  const m = CHECKSUM_LINE.exec(text);
  if (!m) return "foreign";
  const body = text.slice(0, m.index) + text.slice(m.index + m[0].length);
  return createHash("sha256").update(body).digest("hex") === m[1] ? "intact" : "edited";
}

/** Masked text must not reach a daemon: the writer calls this before writing. */
export function assertWritable(r: RenderedConfig): string {
  if (r.masked) throw new SvcrouteError("E_RENDER", "refusing to use a config whose passwords are masked", { hint: "render with showSecrets for the real file" });
  return r.text;
}
