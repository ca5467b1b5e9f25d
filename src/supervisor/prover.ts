// The proof of what an apply did, judged at the daemon: what each peer is sent is read until it is
// what was applied, a deadline passes or something waiting cuts it short; a peer that keeps a
// withdrawn prefix is sent its routes again; and a toggle on a proven state reads only what it
// changed (narrow-proof.ts). Keeps whether the last observation shows the daemon as proven, which
// is what lets the next toggle read so little. The engine decides when; this says how.
import type { RoutingModel } from "../core/model.js";
import type { Driver } from "../daemons/driver.js";
import { toSvcrouteError } from "../errors.js";
import type { Manifest } from "../manifest/types.js";
import type { EngineDeps, EngineState } from "./engine-types.js";
import { askedOf, laidOver, narrowPays, verifyPrefixes } from "./narrow-proof.js";
import type { Plan } from "./plan.js";
import { describeMismatches, verify, type Verification } from "./verify.js";

export class Prover {
  /** a newer manifest, SIGHUP or a stop is waiting (or a DOWN, while toggles are proven): stop waiting */
  interrupted = false;
  /** toggles are being proven (see interruptToggleProof) */
  private proving = false;
  /**
   * s.observed shows the daemon as it was last proven, so a toggle's proof may read only what the
   * toggle changed: true after a verification that passed, false after one that did not, once a
   * full apply begins (a reload and perhaps a rollback, proven by reading everything) and after a
   * failed reconcile (a toggle refused halfway)
   */
  private basis = false;
  /** `basis` as this reconcile began, before its early withdrawals (which are among its toggles) */
  private provenAtStart = false;

  constructor(
    private readonly deps: Pick<EngineDeps, "log" | "now" | "sleep" | "verifyTimeoutMs" | "verifyPollMs">,
    private readonly s: EngineState,
  ) {}

  /** a reconcile begins: nothing waits yet */
  begin(): void {
    this.interrupted = false;
    this.provenAtStart = this.basis && this.s.unproven === undefined && this.s.verification?.ok === true;
  }

  interrupt(): void {
    this.interrupted = true;
  }

  /** a DOWN: a toggle's proof stops waiting; a full apply's is left to finish (its rollback is never put off) */
  interruptToggleProof(): void {
    if (this.proving) this.interrupted = true;
  }

  /** the daemon may run what no observation has shown: a reload (and its rollback), a refused toggle, a failed reconcile */
  lose(): void {
    this.basis = false;
    this.provenAtStart = false;
  }

  /** a verification's result, kept for status; whether s.observed now shows a proven daemon follows it */
  judged(v: Verification): Verification {
    this.s.verification = v;
    this.basis = v.ok;
    return v;
  }

  /** after an apply: proven, or (its verification cut short) left for the next reconcile to prove */
  settle(ok: boolean, proven: EngineState["applied"]): void {
    if (ok) {
      this.s.unproven = undefined;
      return;
    }
    this.s.unproven ??= { proven };
    this.deps.log.info("the proof of this apply was cut short (a newer manifest, SIGHUP or a stop is waiting): the next reconcile proves it", { op: "verify" });
  }

  async observeVerify(driver: Driver, m: Manifest, model: RoutingModel, deadlineMs: number): Promise<Verification> {
    const start = this.deps.now();
    for (;;) {
      const obs = await driver.observe(model);
      this.s.observed = obs;
      this.s.daemonReachable = true;
      const v = this.judged(verify(m, model, obs));
      if (v.ok || this.interrupted || this.deps.now() - start >= deadlineMs) return v;
      await this.deps.sleep(this.deps.verifyPollMs);
    }
  }

  /**
   * What an apply did, judged at the daemon. A peer still sent a prefix the config no longer
   * announces is asked to be sent its routes again (no session reset) and judged once more: FRR
   * 8.4, busy after a restart, has kept a withdrawn prefix in a peer's outgoing routes through
   * reloads that had nothing left to change.
   */
  async verifyApplied(driver: Driver, m: Manifest, model: RoutingModel, deadlineMs = this.deps.verifyTimeoutMs): Promise<Verification> {
    const v = await this.observeVerify(driver, m, model, deadlineMs);
    const stale = v.mismatches.filter((x) => x.extra.length > 0).map((x) => ({ peer: x.peer, prefixes: x.extra }));
    if (v.ok || this.interrupted || !driver.resend || stale.length === 0) return v;
    this.deps.log.warn(`still sent although not announced (${describeMismatches(v.mismatches)}); the daemon drops what its config does not name and sends ${stale.map((x) => x.peer).join(", ")} its routes again`, { op: "verify", code: "E_VERIFY" });
    // best effort: the verification that follows judges the result
    await driver.resend(model, stale).catch((e: unknown) => this.deps.log.warn(`the daemon could not send its routes again: ${(e as Error).message}`, { op: "verify", code: toSvcrouteError(e).code }));
    return this.observeVerify(driver, m, model, this.deps.verifyTimeoutMs);
  }

  /**
   * A toggle's proof. A health change on a proven state (early withdrawals aside), with a driver
   * that can, asks only which peers the toggled prefixes are sent to: its cost is the change's,
   * not the table's (a DOWN that comes meanwhile waits for little). Anything else, a session that
   * changed meanwhile, or a narrow read still wrong at the deadline, reads everything (and may ask
   * for the routes again).
   */
  async proveToggles(driver: Driver, m: Manifest, model: RoutingModel, p: Extract<Plan, { kind: "fast" }>): Promise<Verification> {
    this.proving = true;
    try {
      return await this.toggles(driver, m, model, p);
    } finally {
      this.proving = false;
    }
  }

  private async toggles(driver: Driver, m: Manifest, model: RoutingModel, p: Extract<Plan, { kind: "fast" }>): Promise<Verification> {
    const s = this.s;
    const base = s.observed;
    const asked = askedOf(p.ops);
    if (!driver.observePrefixes || p.manifestChanged || !this.provenAtStart || !this.basis || !base || !narrowPays(base, asked)) return this.verifyApplied(driver, m, model);
    const start = this.deps.now();
    for (;;) {
      const obs = await driver.observePrefixes(model, asked);
      const over = laidOver(base, obs, asked);
      if (!over) return this.verifyApplied(driver, m, model);
      s.observed = over;
      s.daemonReachable = true;
      const v = this.judged(verifyPrefixes(m, model, obs, asked, over));
      if (v.ok || this.interrupted) return v;
      // the deadline is spent: one full read judges, and asks for the routes again if need be
      if (this.deps.now() - start >= this.deps.verifyTimeoutMs) return this.verifyApplied(driver, m, model, 0);
      await this.deps.sleep(this.deps.verifyPollMs);
    }
  }
}
