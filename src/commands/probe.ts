// `svcroute probe SERVICE`: run one service's checks once and print each result (exit code,
// output tail, HTTP status, connect error, latency). Exit 0 when the service's checks combine to
// healthy, 1 (E_UNHEALTHY) when not.
import type { Io } from "../io.js";
import { SvcrouteError, exitCodeFor, formatProblem } from "../errors.js";
import { loadManifestOrThrow } from "../manifest/load.js";
import { resolveManifestPath } from "../manifest/read.js";
import { dropInOpt } from "./check.js";
import { probeServices } from "./check-health.js";

export interface ProbeOptions {
  manifest?: string;
  dropIns?: string;
  json?: boolean;
}

export async function probeCommand(io: Io, service: string, opts: ProbeOptions): Promise<number> {
  const { manifest, warnings } = await loadManifestOrThrow(resolveManifestPath(opts.manifest, io.env), { dropInDir: dropInOpt(opts.dropIns) });
  const s = manifest.services.find((x) => x.name === service);
  if (!s) {
    const names = manifest.services.map((x) => x.name);
    throw new SvcrouteError("E_USAGE", `no service named "${service}" in the manifest`, {
      hint: names.length ? `services: ${names.join(", ")}` : "the manifest has no services",
    });
  }
  const r = await probeServices([s]);
  if (opts.json) io.out(JSON.stringify({ ok: r.ok, service: s.name, round: r.results[0]!.round }, null, 2));
  else {
    io.out(r.text);
    for (const w of warnings) io.err(`warning: ${formatProblem(w)}`);
  }
  return r.ok ? 0 : exitCodeFor("E_UNHEALTHY");
}
