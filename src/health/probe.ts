// Run a service's checks once, outside any schedule (for `svcroute check --run-checks` and
// `svcroute probe`): same runners, deadlines and concurrency limits as the monitor.
import type { Service } from "../manifest/types.js";
import { realClock } from "./clock.js";
import { combineResults } from "./combine.js";
import { DEFAULT_CONCURRENCY, createLimits, type Limits } from "./limiter.js";
import { makeSlot, runCheck } from "./run-check.js";
import { prepareCheck } from "./runners/index.js";
import type { Clock, PrepareFn, RoundResult } from "./types.js";

export interface ProbeDeps {
  clock: Clock;
  prepare: PrepareFn;
  limits: Limits;
}

export function probeDeps(d: Partial<ProbeDeps> = {}): ProbeDeps {
  return { clock: d.clock ?? realClock, prepare: d.prepare ?? prepareCheck, limits: d.limits ?? createLimits(DEFAULT_CONCURRENCY) };
}

export async function probeService(s: Service, deps: ProbeDeps = probeDeps()): Promise<RoundResult> {
  const start = deps.clock.now();
  const at = deps.clock.wall();
  const env = { clock: deps.clock, limits: deps.limits };
  const results = await Promise.all(s.checks.map((spec) => runCheck(makeSlot(spec, deps.prepare(spec)), env)));
  const v = combineResults(s.combine, results);
  return { ...v, results, at, latencyMs: Math.round((deps.clock.now() - start) * 1000) / 1000 };
}
