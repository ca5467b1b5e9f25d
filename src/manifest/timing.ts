// Service timing a manifest leaves unset, derived from what it does say. The rules (which judge
// the raw manifest) and normalize (which resolves it) both ask here, so they agree.
import { DEFAULTS as D } from "./defaults.js";

export type TimeoutSource = "manifest" | "checks" | "interval" | "default";

/**
 * The service's timeout (the limit of a check that names none) when `timeout` is not written:
 * the longest check timeout when every check names one, else 1s or half the interval when that is
 * shorter — always below the interval, so a short interval never needs a timeout written beside it.
 */
export function derivedServiceTimeout(intervalMs: number, checkTimeoutsMs: readonly (number | undefined)[]): { ms: number; source: Exclude<TimeoutSource, "manifest"> } {
  const own = checkTimeoutsMs.filter((t): t is number => t !== undefined);
  if (checkTimeoutsMs.length > 0 && own.length === checkTimeoutsMs.length) return { ms: Math.max(...own), source: "checks" };
  const half = Math.max(1, Math.floor(intervalMs / 2));
  return half < D.service.timeoutMs ? { ms: half, source: "interval" } : { ms: D.service.timeoutMs, source: "default" };
}

/** how `check` words where a service's timeout came from */
export function describeTimeoutSource(source: TimeoutSource): string {
  switch (source) {
    case "manifest":
      return "set";
    case "checks":
      return "derived: the longest check timeout";
    case "interval":
      return "derived: half the interval";
    case "default":
      return "default";
  }
}
