// `svcroute render`: print the config svcroute would write. Passwords are masked unless
// --show-secrets (and password files are only read then).
import { promises as fsp } from "node:fs";
import type { Io } from "../io.js";
import { SvcrouteError, formatProblems } from "../errors.js";
import { buildModel } from "../core/build-model.js";
import { ALL_UP, type HealthInput } from "../core/desired.js";
import { checkHealthAgainstManifest, parseHealthInput } from "../core/health-input.js";
import { render } from "../core/render.js";
import { NO_SECRETS, loadSecrets, type SecretReader } from "../core/secrets.js";
import { daemonCapabilities } from "../daemons/make.js";
import type { DaemonCapabilities } from "../core/capabilities.js";
import { readSecretFile } from "../effects/secret-file.js";
import { loadManifestOrThrow } from "../manifest/load.js";
import { resolveManifestPath } from "../manifest/read.js";
import type { DaemonConfig, DaemonType } from "../manifest/types.js";
import { dropInOpt } from "./check.js";

export interface RenderCommandOptions {
  manifest?: string;
  dropIns?: string;
  daemon?: string;
  health?: string;
  showSecrets?: boolean;
}

export interface RenderDeps {
  readSecret: SecretReader;
  readHealth: (path: string) => Promise<string>;
  /** the installed (or running) daemon's version decides a few lines */
  capabilities: (d: DaemonConfig) => Promise<DaemonCapabilities>;
}

const MAX_HEALTH_BYTES = 4 * 1024 * 1024;

async function readHealthFile(path: string): Promise<string> {
  const st = await fsp.stat(path);
  if (!st.isFile()) throw new SvcrouteError("E_HEALTH_FILE", `${path}: is not a regular file`);
  if (st.size > MAX_HEALTH_BYTES) throw new SvcrouteError("E_HEALTH_FILE", `${path}: is ${st.size} bytes; at most ${MAX_HEALTH_BYTES} are read`);
  return fsp.readFile(path, "utf8");
}

const realRenderDeps: RenderDeps = { readSecret: readSecretFile, readHealth: readHealthFile, capabilities: (d) => daemonCapabilities(d) };

function daemonOpt(v: string | undefined, dflt: DaemonType): DaemonType {
  if (v === undefined) return dflt;
  if (v === "frr" || v === "bird") return v;
  throw new SvcrouteError("E_USAGE", `--daemon must be frr or bird, not "${v}"`);
}

async function loadHealth(path: string | undefined, deps: RenderDeps): Promise<HealthInput | undefined> {
  if (path === undefined) return undefined;
  let text: string;
  try {
    text = await deps.readHealth(path);
  } catch (e) {
    if (e instanceof SvcrouteError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new SvcrouteError("E_HEALTH_FILE", `${path}: ${code === "ENOENT" ? "file not found" : (e as Error).message}`);
  }
  return parseHealthInput(path, text);
}

export async function renderCommand(io: Io, opts: RenderCommandOptions, deps: RenderDeps = realRenderDeps): Promise<number> {
  const path = resolveManifestPath(opts.manifest, io.env);
  const { manifest, warnings } = await loadManifestOrThrow(path, { dropInDir: dropInOpt(opts.dropIns) });
  const daemon = daemonOpt(opts.daemon, manifest.daemon.type);
  const health = await loadHealth(opts.health, deps);
  if (health && opts.health) checkHealthAgainstManifest(opts.health, health, manifest);
  const secrets = opts.showSecrets ? await loadSecrets(manifest, deps.readSecret) : NO_SECRETS;
  const capabilities = await deps.capabilities({ ...manifest.daemon, type: daemon });
  const model = buildModel(manifest, health ?? ALL_UP, secrets, { capabilities });
  const out = render(model, daemon, { showSecrets: opts.showSecrets === true });
  io.out(out.text);
  for (const l of formatProblems(warnings, "warning: ")) io.err(l);
  return 0;
}
