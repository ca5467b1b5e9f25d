// What each service's route should say, as the renderer is asked: its health state, carried over
// from the previous run until decided, then drain, a withdraw-everything stop and a missing address
// on top. Pure; the engine reads the inputs (health-input.ts).
import type { HealthState } from "../core/desired.js";
import type { HealthBrief } from "../health/types.js";
import type { Service } from "../manifest/types.js";
import type { AnnouncedRecord } from "./engine-types.js";

const ANNOUNCED_HEALTH: Record<string, HealthState> = { UP: "up", FALLING: "up", DEGRADED: "degraded" };

export interface ServiceHealthInput {
  services: readonly Service[];
  /** the monitor's state of each service, read after every await of the reconcile */
  states: ReadonlyMap<string, HealthBrief>;
  /** services whose health has been decided (UP, DOWN or DEGRADED) since start */
  decided: ReadonlySet<string>;
  /** what the previous run announced */
  carryOver: AnnouncedRecord | undefined;
  /** drained services whose drain wait is over */
  withdrawn: readonly string[];
  withdrawAll: boolean;
  /** services whose address is not on the host */
  missing: ReadonlyMap<string, string[]>;
}

export function serviceHealth(o: ServiceHealthInput): Record<string, HealthState> {
  const out: Record<string, HealthState> = {};
  for (const svc of o.services) {
    const s = o.states.get(svc.name);
    // the rise/fall phase under a drain (DISABLED) still says whether the service works
    const st = s?.state === "DISABLED" ? s.phase : s?.state;
    let h: HealthState = st === undefined ? (svc.checks.length === 0 ? "up" : "unknown") : ANNOUNCED_HEALTH[st] ?? "down";
    // not decided yet (just started, or just added): what the previous run announced, so a quick
    // restart never flaps a route; with nothing to carry over it stays withdrawn until it rises
    if (svc.checks.length > 0 && !o.decided.has(svc.name) && st !== "UP" && st !== "DOWN" && st !== "DEGRADED") {
      const prev = o.carryOver?.services[svc.name];
      // a de-preferred route was DOWN (on_failure: deprefer) or DEGRADED: either keeps it so
      const depreferred: HealthState = svc.onFailure === "deprefer" ? "down" : "degraded";
      h = prev === undefined || prev === "withdrawn" ? "unknown" : prev === "deprefer" ? depreferred : "up";
    }
    if (o.withdrawAll || o.withdrawn.includes(svc.name)) h = "down";
    // its address is not on the host: withdrawn whatever health, drain or on_failure say
    if (o.missing.has(svc.name)) h = "unknown";
    out[svc.name] = h;
  }
  return out;
}
