// `svcroute probe SERVICE`: run one service's checks once and print each result (exit code,
// output tail, HTTP status, connect error, latency). Exit 0 when the service's checks combine to
// healthy, 1 (E_UNHEALTHY) when not. With --apply the running supervisor runs them (right after a
// deploy, say): the round counts toward rise/fall and is acted on at once, and the service's state
// and announcement after it are printed.
import type { Io } from "../io.js";
import { SvcrouteError, exitCodeFor, formatProblems } from "../errors.js";
import { formatRound } from "../health/format.js";
import type { RoundResult } from "../health/types.js";
import { loadManifest, loadManifestOrThrow } from "../manifest/load.js";
import { resolveManifestPath } from "../manifest/read.js";
import type { Service } from "../manifest/types.js";
import { requestProbe } from "../supervisor/client.js";
import type { ServiceStatus } from "../supervisor/status-types.js";
import { dropInOpt } from "./check.js";
import { probeServices } from "./check-health.js";
import { resolveSocket } from "./socket-path.js";

export interface ProbeOptions {
  manifest?: string;
  dropIns?: string;
  json?: boolean;
  apply?: boolean;
  socket?: string;
}

/** the round as `probe` prints it: with each check's spec when the manifest is at hand */
function roundText(service: string, spec: Service | undefined, r: RoundResult): string {
  if (spec) return formatRound(spec, r);
  return [`${service}: ${r.ok ? "healthy" : "UNHEALTHY"} (${r.passed}/${r.total} passed)`, ...r.results.map((c) => `  ${c.ok ? "ok  " : "FAIL"} ${c.check}: ${c.reason}`)].join("\n");
}

/** "UP, announced normal: tor1 yes, tor2 yes" */
export function afterProbe(s: ServiceStatus): string {
  const lines = s.prefixes.map((p) => `  ${p.prefix} ${p.desired}: ${Object.entries(p.advertised).map(([peer, v]) => `${peer} ${v ? "yes" : "no"}`).join(", ") || "no peer"}`);
  return [`now ${s.state}${s.drained ? " (drained)" : ""}: ${s.reason}`, ...lines].join("\n");
}

async function applyProbe(io: Io, service: string, opts: ProbeOptions): Promise<number> {
  const { socket } = await resolveSocket(io.env, { socket: opts.socket, manifest: opts.manifest });
  // the manifest, where it can be read, shows each check's spec beside its result
  const dropInDir = dropInOpt(opts.dropIns);
  const load = opts.socket ? undefined : await loadManifest(resolveManifestPath(opts.manifest, io.env), dropInDir === undefined ? {} : { dropInDir });
  const spec = load?.manifest?.services.find((x) => x.name === service);
  // a check may take its whole timeout, the reconcile after it a few seconds more
  const timeoutMs = (spec ? Math.max(...spec.checks.map((c) => c.timeoutMs), 0) : 60_000) + 30_000;
  const a = await requestProbe(socket, service, timeoutMs);
  if (opts.json) io.out(JSON.stringify({ ok: a.round.ok, service, round: a.round, status: a.service }, null, 2));
  else io.out(`${roundText(service, spec, a.round)}\n${afterProbe(a.service)}`);
  return a.round.ok ? 0 : exitCodeFor("E_UNHEALTHY");
}

export async function probeCommand(io: Io, service: string, opts: ProbeOptions): Promise<number> {
  if (opts.apply) return applyProbe(io, service, opts);
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
    for (const l of formatProblems(warnings, "warning: ")) io.err(l);
  }
  return r.ok ? 0 : exitCodeFor("E_UNHEALTHY");
}
