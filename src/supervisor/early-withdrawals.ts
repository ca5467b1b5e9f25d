// A health change's withdrawals, sent before the reconcile builds and renders the next config
// (work in proportion to every service): a withdrawal then costs the same with ten thousand
// services as with ten. Only on the applied manifest; its proof may be pending (a verification cut
// short for this very change): withdrawing what the daemon no longer sends changes nothing, on
// either daemon. Until the apply that follows has proven the result, the applied state is
// unproven (a failure later in the reconcile leaves the next one to verify, not to trust it). A
// refusal is left to that apply, which sends what is still to be sent; a daemon away is not asked
// twice.
import type { HealthInput } from "../core/desired.js";
import { daemonAway, type Driver, type ToggleOp } from "../daemons/driver.js";
import { toSvcrouteError, type SvcrouteError } from "../errors.js";
import type { HealthBrief } from "../health/types.js";
import type { Manifest } from "../manifest/types.js";
import type { EngineState } from "./engine-types.js";
import type { Logger } from "./log.js";
import { downWithdrawals, healthWithdrawals } from "./plan.js";

export class EarlyWithdrawals {
  /** services gone DOWN since the last reconcile began */
  private downs = new Set<string>();
  /** what this reconcile sent, and its prefixes */
  private sentOps: ToggleOp[] = [];
  private sentPrefixes = new Set<string>();
  private failed = false;
  /** the daemon was away when this reconcile asked it */
  away: SvcrouteError | undefined;

  constructor(private readonly deps: { log: Logger; stateOf(name: string): HealthBrief | undefined }) {}

  /** a health transition of the monitor */
  note(service: string, to: string): void {
    if (to === "DOWN") this.downs.add(service);
    else this.downs.delete(service);
  }

  /** a reconcile begins: nothing sent yet; the services gone DOWN since the last one are its to withdraw */
  begin(): Set<string> {
    this.sentOps = [];
    this.sentPrefixes = new Set();
    this.failed = false;
    this.away = undefined;
    const downs = this.downs;
    this.downs = new Set();
    return downs;
  }

  /**
   * Services that have just gone DOWN and withdraw on failure: sent at the very start of the
   * reconcile, from the transitions alone (downWithdrawals), before the health of every service
   * is read.
   */
  async down(driver: Driver, s: EngineState, m: Manifest, names: Set<string>): Promise<void> {
    if (!s.applied || !s.daemonReachable || names.size === 0) return;
    await this.send(driver, s, downWithdrawals(s.applied, m, names, (n) => this.deps.stateOf(n)?.state === "DOWN"));
  }

  /** every withdrawal the health input makes that is not sent yet (healthWithdrawals) */
  async health(driver: Driver, s: EngineState, m: Manifest, health: HealthInput): Promise<void> {
    if (!s.applied || !s.daemonReachable || this.failed) return;
    await this.send(
      driver,
      s,
      healthWithdrawals(s.applied, m, health).filter((o) => !this.sentPrefixes.has(o.prefix)),
    );
  }

  /** whether this reconcile withdrew the op's prefix already (the apply does not send it twice) */
  wasSent(op: ToggleOp): boolean {
    return op.to === "withdrawn" && this.sentPrefixes.has(op.prefix);
  }

  /** the withdrawals this reconcile sent */
  get sent(): readonly ToggleOp[] {
    return this.sentOps;
  }

  private async send(driver: Driver, s: EngineState, ops: ToggleOp[]): Promise<void> {
    const applied = s.applied;
    if (!applied || ops.length === 0) return;
    try {
      await driver.toggle(applied.model, ops);
    } catch (e) {
      const err = toSvcrouteError(e);
      if (daemonAway(err)) this.away = err;
      this.failed = true;
      this.deps.log.warn(`early withdrawal failed (${err.message}); the apply sends it`, { op: "toggle", code: err.code });
      return;
    }
    for (const op of ops) this.deps.log.info("withdraw", { op: "toggle", service: op.service, prefix: op.prefix });
    s.unproven ??= { proven: applied };
    for (const op of ops) {
      this.sentOps.push(op);
      this.sentPrefixes.add(op.prefix);
    }
  }
}
