// Baseline B: the naive pipeline — re-render and reload the whole config for every change, as
// MetalLB and anycast-healthchecker do. The bench drives the daemons itself: it renders the
// host's config once with svcroute's own pipeline (same locked-down profile), then per change
// edits the export prefix-list (FRR) or export filter set (BIRD) and runs frr-reload.py or
// `birdc configure`, exactly as those tools would. svcroute itself has no such mode.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import type { Lab } from "../../lab/harness/lab.js";
import { buildModel } from "../../../src/core/build-model.js";
import type { HealthInput } from "../../../src/core/desired.js";
import { render } from "../../../src/core/render.js";
import { loadManifest } from "../../../src/manifest/load.js";
import { formatProblem } from "../../../src/errors.js";
import { writeAtomic } from "./sup.js";

const run = promisify(execFile);
export const FRR_RELOAD = "/usr/lib/frr/frr-reload.py";

/** svcroute's rendered config for a host's manifest (written to the host's directory first) */
export async function renderFor(lab: Lab, hostName: string, manifestText: string, health?: HealthInput): Promise<string> {
  const host = lab.host(hostName);
  const file = join(host.dir, "naive.yaml");
  writeFileSync(file, manifestText);
  const r = await loadManifest(file, { dropInDir: null });
  if (!r.manifest) throw new Error(`bench manifest for ${hostName} is invalid:\n${r.problems.map(formatProblem).join("\n")}`);
  return render(buildModel(r.manifest, health), r.manifest.daemon.type, { showSecrets: true }).text;
}

/**
 * The FRR config with an export prefix-list of one exact entry per prefix, as per-service filters
 * render it (MetalLB, a hand-kept prefix-list), in place of svcroute's allowed aggregates: the
 * naive baseline edits such a list for every change.
 */
export function frrExactExport(text: string, prefixes: string[]): string {
  const lines = text.split("\n");
  const entry = /^(ipv?6?) prefix-list SVCR-EXPORT-(V[46]) seq \d+ permit /;
  const out: string[] = [];
  const done = new Set<string>();
  for (const l of lines) {
    const m = entry.exec(l);
    if (!m) {
      out.push(l);
      continue;
    }
    if (done.has(m[2]!)) continue;
    done.add(m[2]!);
    const mine = prefixes.filter((p) => p.includes(":") === (m[2] === "V6"));
    out.push(...mine.map((p, i) => `${m[1]} prefix-list SVCR-EXPORT-${m[2]} seq ${(i + 1) * 10} permit ${p}`));
  }
  if (done.size === 0) throw new Error("the config has no SVCR-EXPORT prefix-list");
  return out.join("\n");
}

/** The FRR config without `prefix` in the export prefix-list SVCR-EXPORT-V4/V6. */
export function frrWithoutExport(text: string, prefix: string): string {
  const lines = text.split("\n");
  const out = lines.filter((l) => !(/^ipv?6? ?prefix-list SVCR-EXPORT-V[46] seq \d+ permit /.test(l) && l.endsWith(` permit ${prefix}`)));
  if (out.length !== lines.length - 1) throw new Error(`SVCR-EXPORT has no single entry for ${prefix}`);
  return out.join("\n");
}

/** The BIRD config without `prefix` in the export set SVCR_EXPORT4/6. */
export function birdWithoutExport(text: string, prefix: string): string {
  const m = /define SVCR_EXPORT[46] = \[\n([^\]]*)\n\];/g;
  let hit = 0;
  const out = text.replace(m, (whole, body: string) => {
    const items = body.split(",\n").map((x) => x.trim());
    if (!items.includes(prefix)) return whole;
    hit++;
    const kept = items.filter((x) => x !== prefix);
    if (kept.length === 0) throw new Error("the export set would be empty: keep another prefix in it");
    return whole.replace(body, kept.map((x) => `  ${x}`).join(",\n"));
  });
  if (hit !== 1) throw new Error(`SVCR_EXPORT has no entry for ${prefix}`);
  return out;
}

export interface NaiveDriver {
  kind: "bird" | "frr";
  /** write the file (atomically) and reload the daemon; resolves when the reload command returned */
  apply(text: string): Promise<void>;
}

export function naiveDriver(lab: Lab, hostName: string): NaiveDriver {
  const paths = lab.host(hostName).paths;
  if (!paths) throw new Error(`${hostName} runs no routing daemon`);
  if (paths.kind === "bird") {
    return {
      kind: "bird",
      async apply(text) {
        writeAtomic(paths.configFile, text);
        const r = await run("birdc", ["-s", paths.socket, "configure"], { encoding: "utf8" });
        if (!/Reconfigured|Reconfiguration in progress/.test(r.stdout)) throw new Error(`birdc configure: ${r.stdout.trim()}`);
      },
    };
  }
  return {
    kind: "frr",
    async apply(text) {
      writeAtomic(paths.configFile, text);
      await run(FRR_RELOAD, ["--reload", "--stdout", "--confdir", dirname(paths.configFile), "--vty_socket", paths.socket, "--rundir", tmpdir(), paths.configFile], {
        encoding: "utf8",
        timeout: 60_000,
      });
    },
  };
}
