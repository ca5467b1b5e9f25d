// `svcroute check --run-checks`: run every service's checks once and print each result, for an
// operator debugging a check. Same runners, deadlines and concurrency limits as the supervisor;
// no rise/fall (one round each). Services run concurrently.
import { formatRound, probeDeps, probeService, type RoundResult } from "../health/index.js";
import type { ProbeDeps } from "../health/probe.js";
import type { Manifest, Service } from "../manifest/types.js";

export interface ServiceProbe {
  service: string;
  ok: boolean;
  round: RoundResult;
}

export interface RunChecksResult {
  /** every service's checks combined to healthy */
  ok: boolean;
  text: string;
  results: ServiceProbe[];
}

export async function probeServices(services: readonly Service[], deps?: Partial<ProbeDeps>): Promise<RunChecksResult> {
  const d = probeDeps(deps);
  const rounds = await Promise.all(services.map((s) => probeService(s, d)));
  const results = services.map((s, i) => ({ service: s.name, ok: rounds[i]!.ok, round: rounds[i]! }));
  const bad = results.filter((r) => !r.ok).map((r) => r.service);
  const blocks = services.map((s, i) => formatRound(s, rounds[i]!));
  const summary =
    services.length === 0
      ? "no services"
      : bad.length === 0
        ? `healthy: ${services.length === 1 ? "the service passes" : `all ${services.length} services pass`} (one round each; rise/fall not applied)`
        : `UNHEALTHY: ${bad.length} of ${services.length} service(s) fail: ${bad.join(", ")}`;
  return { ok: bad.length === 0, text: [...blocks, summary].join("\n"), results };
}

/** Run every service's checks once. */
export function runChecksOnce(manifest: Manifest, deps?: Partial<ProbeDeps>): Promise<RunChecksResult> {
  return probeServices(manifest.services, deps);
}
