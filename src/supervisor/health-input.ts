// What the renderer is told about health, read at the start of each reconcile: the drain phase,
// the checks' states, what a restart carries over and which service addresses are missing. The
// decision itself is pure (service-health.ts); this reads its inputs and notes what changed.
import type { HealthInput } from "../core/desired.js";
import { toSvcrouteError } from "../errors.js";
import type { Manifest } from "../manifest/types.js";
import { missingAddresses, needsAddresses } from "./addresses.js";
import { drainPhase } from "./drain.js";
import type { EngineDeps, EngineState } from "./engine-types.js";
import { serviceHealth } from "./service-health.js";

/**
 * Health as the renderer sees it. A service whose health is not decided yet (just started, or
 * just added) keeps what the previous run announced, so a quick restart never flaps a route;
 * with nothing to carry over it stays withdrawn until it rises.
 */
export async function healthInput(deps: EngineDeps, s: EngineState, m: Manifest): Promise<HealthInput> {
  const drain = await deps.readDrain(m.supervisor.stateDir).catch(() => ({ all: null, services: {} }));
  const fileSince = await deps.drainFileSince(m.maintenance.drainFile).catch(() => undefined);
  const names = m.services.map((x) => x.name);
  const phase = drainPhase(drain, names, fileSince, m.maintenance.drainWaitMs, deps.now());
  s.drained = { shutting: phase.shutting, withdrawn: phase.withdrawn };
  deps.scheduleDrainCheck(phase.nextChangeAt);
  const override = s.override;
  const drainedNames = override ? names : [...phase.shutting, ...phase.withdrawn];
  deps.health.setDrained(drainedNames);
  // The snapshot and `decided` are read together, after the awaits above: a check that settles
  // meanwhile (the first one after a quick restart, typically) is then either in both or in
  // neither. A snapshot taken before the awaits could still say INIT for a service `decided`
  // already names — neither carried over nor UP, so withdrawn: a flap on restart.
  const snap = new Map(deps.health.states().map((x) => [x.name, x]));
  const present = s.hostAddresses;
  const missing = present ? missingAddresses(m.services, new Set(present)) : new Map<string, string[]>();
  const services = serviceHealth({
    services: m.services,
    states: snap,
    decided: s.decided,
    carryOver: s.carryOver,
    withdrawn: phase.withdrawn,
    withdrawAll: override === "withdraw",
    missing,
  });
  noteAddresses(deps, s, missing);
  return { services, drained: drainedNames };
}

/** a service blocked or unblocked by its address is told once, when it changes */
function noteAddresses(deps: EngineDeps, s: EngineState, missing: Map<string, string[]>): void {
  const before = s.addressMissing;
  for (const [name, addrs] of missing) {
    if (before[name]?.join() !== addrs.join()) deps.log.warn(`not announced: its address ${addrs.join(", ")} is not on this host`, { op: "address", service: name, code: "ADDR_MISSING" });
  }
  for (const name of Object.keys(before)) if (!missing.has(name)) deps.log.info(`its address is on this host again: announced as its health says`, { op: "address", service: name });
  s.addressMissing = Object.fromEntries(missing);
}

/**
 * Read the host's addresses (once per reconcile, and from the supervisor's address watch), when
 * some service needs one. A failure to read them blocks nothing: withdrawing every service
 * because `ip` failed would be worse than announcing one whose address is gone.
 */
export async function readHostAddresses(deps: EngineDeps, m: Manifest): Promise<string[] | undefined> {
  const ops = deps.addresses;
  if (!ops || !needsAddresses(m)) return undefined;
  try {
    return [...new Set(await ops.present())].sort();
  } catch (e) {
    const err = toSvcrouteError(e);
    deps.log.warn(`cannot read the host's addresses (services are announced without the address check): ${err.message}`, { op: "address", code: err.code });
    return undefined;
  }
}
