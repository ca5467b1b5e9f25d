// `addresses: manage`: puts each service address on the service interface before the apply, and
// removes one svcroute added only after its withdrawal has been verified and a linger has passed:
// peers take a moment to act on a withdrawal, and traffic already on its way still arrives. The
// linger never holds a reconcile up: the address watch asks for the reconcile that removes it.
import { toSvcrouteError } from "../errors.js";
import type { Manifest } from "../manifest/types.js";
import { planAddresses, serviceAddresses, type AddressOps } from "./addresses.js";
import type { Logger } from "./log.js";

/** how long an address stays after its withdrawal has left, before svcroute removes it */
export const ADDRESS_LINGER_MS = 1000;
/** a removal that fails is tried again this much later, not at every address watch */
const ADDRESS_RETRY_MS = 30_000;

export class AddressManager {
  /** addresses whose withdrawal has left, by when they may be removed */
  private lingering = new Map<string, number>();

  constructor(private readonly deps: { ops?: AddressOps; log: Logger; now(): number }) {}

  /** an address's linger (or retry wait) is over: a reconcile would remove it now */
  anyDue(): boolean {
    const at = this.deps.now();
    return [...this.lingering.values()].some((due) => due <= at);
  }

  /** Adds the missing addresses ("add", before the apply) or removes those due ("remove", after a verified one). Failures are logged, never thrown: announcing must not depend on them. */
  async apply(m: Manifest, phase: "add" | "remove"): Promise<void> {
    const { ops, log } = this.deps;
    // manage off: the addresses are the admin's business, including any svcroute added earlier
    if (!ops || !m.addresses.manage) {
      this.lingering.clear();
      return;
    }
    const iface = m.addresses.interface;
    const dir = m.supervisor.stateDir;
    try {
      const owned = await ops.loadOwned(dir);
      const pl = planAddresses(serviceAddresses(m), await ops.list(iface), owned);
      const done: string[] = [];
      for (const a of [...this.lingering.keys()]) if (!pl.remove.includes(a)) this.lingering.delete(a);
      try {
        for (const a of phase === "add" ? pl.add : this.due(pl.remove, iface)) {
          if (phase === "add") await ops.add(iface, a);
          else await ops.remove(iface, a);
          done.push(a);
          if (phase === "remove") this.lingering.delete(a);
          log.info(phase === "add" ? `added ${a} to ${iface}` : `removed ${a} from ${iface} (its withdrawal left ${ADDRESS_LINGER_MS} ms or more ago)`, { op: "address", prefix: a });
        }
      } finally {
        if (done.length) await ops.saveOwned(dir, phase === "add" ? [...owned, ...done] : owned.filter((a) => !done.includes(a)));
      }
    } catch (e) {
      const err = toSvcrouteError(e);
      log.warn(`address management: ${err.message}${err.hint ? ` (${err.hint})` : ""}`, { op: "address", code: err.code });
    }
  }

  /** of the addresses to remove, those whose linger is over; the others start or keep lingering */
  private due(remove: readonly string[], iface: string): string[] {
    const now = this.deps.now();
    return remove.filter((a) => {
      const due = this.lingering.get(a);
      if (due === undefined) {
        this.lingering.set(a, now + ADDRESS_LINGER_MS);
        this.deps.log.info(`${a} withdrawn: removed from ${iface} in ${ADDRESS_LINGER_MS} ms or more (traffic on its way still arrives)`, { op: "address", prefix: a });
      }
      if (due === undefined || due > now) return false;
      this.lingering.set(a, now + ADDRESS_RETRY_MS);
      return true;
    });
  }
}
