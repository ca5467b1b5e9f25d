// One reconcile, start to finish: (re)load the manifest if asked, decide what each service should
// announce, render, plan, apply (fast toggle or full reload with rollback: apply.ts), prove the
// result by observing the daemon (prover.ts), and record what happened. Every effect comes through EngineDeps, so this
// is tested with a fake daemon and a fake clock; the real ones are wired in run.ts.
import { buildModel } from "../core/build-model.js";
import type { HealthInput } from "../core/desired.js";
import type { RoutingModel } from "../core/model.js";
import { render, assertWritable } from "../core/render.js";
import type { SecretStore } from "../core/secrets.js";
import { daemonAway, type Driver, type Observed } from "../daemons/driver.js";
import { SvcrouteError, formatProblems, isSvcrouteError, toSvcrouteError } from "../errors.js";
import type { Manifest } from "../manifest/types.js";
import type { ReconcileStatus } from "./status-types.js";
import type { Trigger } from "./loop.js";
import { AddressManager } from "./address-manager.js";
import { EarlyWithdrawals } from "./early-withdrawals.js";
import { plan, withEarly, type Next } from "./plan.js";
import { describeMismatches, verify } from "./verify.js";
import { Prover } from "./prover.js";
import { healthInput, readHostAddresses } from "./health-input.js";
import { execute, type ApplyContext } from "./apply.js";

import type { EngineDeps, EngineState } from "./engine-types.js";

export class Engine {
  /** written only by the engine: others read it (status) and state intents through its methods */
  private readonly s: EngineState;
  private driver: Driver | undefined;
  private driverKey = "";
  /** every proof of what an apply did (prover.ts) */
  private readonly prover: Prover;
  /** withdrawals a health change sends before anything is rendered */
  private readonly early: EarlyWithdrawals;
  private readonly addresses: AddressManager;
  /** the daemon found away (not running, or not answering) by this reconcile's own observation */
  private awayNow: SvcrouteError | undefined;
  /** what carrying out a plan (apply.ts) reads and records */
  private readonly apply: ApplyContext;

  constructor(
    private readonly deps: EngineDeps,
    manifestPath: string,
  ) {
    this.addresses = new AddressManager({ ops: deps.addresses, log: deps.log, now: () => deps.now() });
    this.early = new EarlyWithdrawals({ log: deps.log, stateOf: (n) => deps.health.stateOf(n) });
    this.s = {
      manifest: undefined,
      manifestPath,
      manifestValid: false,
      manifestErrors: [],
      manifestLoadedAt: null,
      applied: undefined,
      desired: undefined,
      observed: undefined,
      verification: undefined,
      daemonReachable: false,
      daemonError: null,
      lastReconcile: undefined,
      counters: { reconciles: 0, reconcile_failures: 0, fast_applies: 0, full_applies: 0, rollbacks: 0, config_drift_total: 0 },
      lastDrift: undefined,
      durations: [],
      decided: new Set(),
      carryOver: undefined,
      drained: { shutting: [], withdrawn: [] },
      unproven: undefined,
      rejected: undefined,
      override: undefined,
      hostAddresses: undefined,
      addressMissing: {},
    };
    this.prover = new Prover(deps, this.s);
    this.apply = { s: this.s, deps, prover: this.prover, early: this.early, cutShort: () => this.cutShort(), stillAway: (d, m) => this.stillAway(d, m) };
  }

  get state(): Readonly<EngineState> {
    return this.s;
  }

  /**
   * A newer manifest, SIGHUP or a stop is waiting: a verification still waiting for the daemon
   * gives up now instead of at its deadline, so what waits runs at once. The daemon took the
   * config: it is neither refused nor rolled back, but left unproven for the next reconcile to
   * prove (a stop's GRACEFUL_SHUTDOWN apply proves it too). Only the reconcile running now is affected.
   */
  interrupt(): void {
    this.prover.interrupt();
  }

  /**
   * A service went DOWN: a fast path proving its toggles stops waiting, as for interrupt(), so the
   * withdrawal does not wait for the proof of the change before it (hundreds of ms with thousands
   * of services). A full apply is left to finish its proof: its rollback is never put off.
   */
  interruptToggleProof(): void {
    this.prover.interruptToggleProof();
  }

  /** a health transition to UP or DOWN settles a service (see healthInput) */
  noteTransition(service: string, to: string): void {
    if (to === "UP" || to === "DOWN" || to === "DEGRADED") this.s.decided.add(service);
    this.early.note(service, to);
  }

  /**
   * Stopping: announce every prefix with GRACEFUL_SHUTDOWN, or withdraw every prefix, whatever
   * health says; from here on every reconcile does the same.
   */
  async stop(mode: "graceful-shutdown" | "withdraw"): Promise<{ ok: boolean }> {
    this.s.override = mode;
    return this.reconcile(new Set(["stop"]));
  }

  currentDriver(): Driver | undefined {
    return this.driver;
  }

  private driverFor(m: Manifest): Driver {
    const key = JSON.stringify(m.daemon);
    if (!this.driver || key !== this.driverKey) {
      this.driver?.close();
      this.driver = this.deps.makeDriver(m.daemon);
      this.driverKey = key;
    }
    return this.driver;
  }

  /** Load the manifest; an invalid one keeps the last good one in force. */
  async reloadManifest(): Promise<boolean> {
    const r = await this.deps.loadManifest();
    const s = this.s;
    if (!r.manifest) {
      s.manifestValid = false;
      s.manifestErrors = r.problems;
      this.deps.log.error(`manifest invalid: ${r.problems.length} problem(s); ${s.manifest ? "keeping the last good one" : "nothing applied yet"}`, {
        op: "manifest",
        code: r.stage === "io" ? "E_MANIFEST_IO" : r.stage === "parse" ? "E_MANIFEST_PARSE" : "E_MANIFEST_INVALID",
      });
      for (const l of formatProblems(r.problems)) this.deps.log.error(l, { op: "manifest", code: "E_MANIFEST_INVALID" });
      return false;
    }
    for (const l of formatProblems(r.warnings)) this.deps.log.warn(l, { op: "manifest" });
    const changed = s.manifest?.hash !== r.manifest.hash;
    s.manifestValid = true;
    s.manifestErrors = [];
    if (changed) {
      const first = s.manifest === undefined;
      s.manifest = r.manifest;
      s.manifestLoadedAt = this.deps.now();
      this.deps.health.update(r.manifest.services);
      if (first) s.carryOver = await this.deps.loadAnnounced(r.manifest.supervisor.stateDir).catch(() => undefined);
      this.deps.log.info(`manifest loaded: ${r.manifest.services.length} service(s), ${r.manifest.peers.length} peer(s)`, { op: "manifest", hash: r.manifest.hash.slice(0, 12), files: r.manifest.files.length });
    }
    return true;
  }

  /** the host's addresses differ from what the last reconcile saw, or an address's linger is over (the address watch then asks for a reconcile) */
  async addressesChanged(): Promise<boolean> {
    const m = this.s.manifest;
    if (!m) return false;
    if (this.addresses.anyDue()) return true;
    const now = await readHostAddresses(this.deps, m);
    return now !== undefined && now.join() !== this.s.hostAddresses?.join();
  }

  /** whether interrupt() came during this reconcile (a method: the field changes across awaits) */
  private cutShort(): boolean {
    return this.prover.interrupted;
  }

  private async next(m: Manifest, health: HealthInput, secrets: SecretStore, driver: Driver): Promise<Next> {
    // the daemon's version decides a few lines (e.g. BIRD 2.17's `authentication`): asked once per daemon instance
    const model = buildModel(m, health, secrets, { capabilities: await driver.capabilities() });
    const text = assertWritable(render(model, m.daemon.type, { showSecrets: true }));
    return { text, fastKey: driver.fastKey(text), model, manifest: m };
  }

  /**
   * A session came up or went down, or what a peer was sent is not yet what was applied: observe
   * the daemon again for status, without rendering or applying (not a reconcile, and never a
   * reason to re-apply: the periodic reverify judges drift). Never throws.
   */
  async observeNow(): Promise<{ ok: boolean }> {
    const s = this.s;
    const driver = this.driver;
    if (!s.applied || !driver) return { ok: true };
    try {
      const obs = await driver.observe(s.applied.model);
      s.observed = obs;
      s.daemonReachable = true;
      this.prover.judged(verify(s.applied.manifest, s.applied.model, obs));
    } catch (e) {
      const err = toSvcrouteError(e);
      if (daemonAway(err)) {
        s.daemonReachable = false;
        s.daemonError = err.message;
      }
      this.deps.log.debug(`observe: ${err.message}`, { op: "observe", code: err.code });
    }
    return { ok: true };
  }

  /** The reconcile body for the loop. Never throws: failures are results. */
  async reconcile(reasons: ReadonlySet<Trigger>): Promise<{ ok: boolean }> {
    if (reasons.size === 1 && reasons.has("observe")) return this.observeNow();
    const t0 = this.deps.now();
    const s = this.s;
    s.counters.reconciles++;
    // an interruption meant the reconcile before this one
    this.prover.begin();
    this.awayNow = undefined;
    const downs = this.early.begin();
    let path: ReconcileStatus["path"] = "none";
    // SIGHUP is the operator's "try again": a config the daemon refused is judged afresh
    if (reasons.has("signal")) s.rejected = undefined;
    try {
      const healthOnly = reasons.size === 1 && reasons.has("health");
      // before anything that reads every service: what just went DOWN is withdrawn first
      if (healthOnly && s.manifest) await this.early.down(this.driverFor(s.manifest), s, s.manifest, downs);
      if (!s.manifest || reasons.has("start") || reasons.has("manifest") || reasons.has("signal")) await this.reloadManifest();
      const m = s.manifest;
      if (!m) throw new SvcrouteError("E_MANIFEST_INVALID", "no valid manifest yet: nothing is applied until the manifest is fixed");
      const driver = this.driverFor(m);
      const secrets = await this.deps.readSecrets(m);
      // addresses first, so a managed address counts as present in this very reconcile
      await this.addresses.apply(m, "add");
      s.hostAddresses = await readHostAddresses(this.deps, m);
      const health = await healthInput(this.deps, s, m);
      if (healthOnly) await this.early.health(driver, s, m, health);
      const next = await this.next(m, health, secrets, driver);
      s.desired = next.model;

      // Proof first when asked (periodic, daemon restart): a restarted daemon or drift forces a full apply.
      const found = s.applied && (reasons.has("reverify") || reasons.has("daemon") || reasons.has("retry")) ? await this.drifted(driver, m) : {};
      let force = found.force;

      // a service withdrawn early that is back by now is announced again
      let p = withEarly(plan(s.applied, next, force), this.early.sent, next);
      if (s.unproven && (p.kind === "none" || p.kind === "write")) {
        const v = await this.prover.observeVerify(driver, m, next.model, this.deps.verifyTimeoutMs);
        if (v.ok) s.unproven = undefined;
        else if (!this.cutShort()) {
          force = `the last apply, whose proof was cut short, is not what the daemon advertises (${describeMismatches(v.mismatches)})`;
          this.deps.log.warn(`${force}; re-applying`, { op: "verify", code: "E_VERIFY" });
          p = plan(s.applied, next, force);
        }
      }
      path = p.kind === "fast" ? "fast" : p.kind === "full" ? "full" : "none";
      await this.recordIntent(next);
      let refused: SvcrouteError | undefined;
      try {
        await execute(this.apply, p, next, driver, m);
        // repaired: only now is it drift repaired (a failed repair is this reconcile's failure)
        if (found.drift) s.lastDrift = { at: this.deps.now(), what: found.drift, count: (s.lastDrift?.count ?? 0) + 1 };
      } catch (e) {
        const b = this.blocked(e, next, m);
        if (!b) throw e;
        // the last good manifest keeps serving health (a failure there is this reconcile's result)
        await this.serveLastGood();
        if (!b.final) throw b.error;
        refused = b.error;
      }
      const running = refused && s.applied ? s.applied : next;
      // only now, with the withdrawal verified at every Established peer, may an address go
      await this.addresses.apply(running.manifest, "remove");
      s.daemonReachable = true;
      s.daemonError = null;
      await this.saveAnnounced(running);
      if (refused) {
        // Reported as a failure, but nothing a retry could change: the next manifest edit (or
        // SIGHUP) tries again, and health keeps being applied to the last good manifest meanwhile.
        const hash = s.applied?.manifest.hash.slice(0, 12) ?? "?";
        this.finish(t0, reasons, "failed", path, new SvcrouteError(refused.code, `${refused.message} (the last good manifest ${hash} stays in force; its services' health is still applied)`, { details: refused.details, hint: refused.hint ?? "fix the manifest, or run `systemctl reload svcroute` to judge the same config again" }));
        return { ok: true };
      }
      this.finish(t0, reasons, "ok", path, undefined);
      // an observation asked for, merged into a reconcile that applied nothing: still observe
      if (path === "none" && reasons.has("observe")) await this.observeNow();
      return { ok: true };
    } catch (e) {
      const err = toSvcrouteError(e);
      if (daemonAway(err)) {
        s.daemonReachable = false;
        s.daemonError = err.message;
      }
      // whatever failed, the next proof reads everything
      this.prover.lose();
      this.finish(t0, reasons, "failed", path, err);
      return { ok: false };
    }
  }

  /**
   * What must be re-applied before anything else (`{}`: nothing): the daemon restarted (not
   * someone else's change, so no `drift`), the config file was changed, or the running state
   * differs from what was applied. A daemon found away makes what was applied forgotten instead.
   */
  private async drifted(driver: Driver, m: Manifest): Promise<{ force?: string; drift?: string }> {
    const s = this.s;
    const applied = s.applied!;
    const obs = await this.observeOrForget(driver, applied.model);
    if (!obs) return {};
    s.observed = obs;
    s.daemonReachable = true;
    let force: string;
    let restarted = false;
    if (obs.instance !== applied.instance) {
      force = `the daemon restarted (${applied.instance ?? "?"} → ${obs.instance ?? "?"})`;
      restarted = true;
    } else {
      const onDisk = await this.deps.readConfig(m.daemon.configFile);
      const v = this.prover.judged(verify(applied.manifest, applied.model, obs));
      if (onDisk !== applied.text) force = `${m.daemon.configFile} was changed by someone else`;
      else if (!v.ok) force = `running state differs from the desired one (${describeMismatches(v.mismatches)})`;
      else return {};
    }
    s.counters.config_drift_total++;
    this.deps.log.warn(`drift: ${force}; re-applying`, { op: "verify", code: "E_VERIFY" });
    return restarted ? { force } : { force, drift: force };
  }

  /**
   * A service about to be announced is recorded as announced before the daemon can announce it:
   * a supervisor killed between the two would otherwise leave a record that says "withdrawn"
   * for a route the peers carry, and its successor would withdraw it until the first check.
   * Withdrawals are recorded after the apply only, so they never wait for a write.
   */
  private async recordIntent(next: Next): Promise<void> {
    const before = this.s.applied?.model.services;
    const was = new Map(before?.map((x) => [x.name, x.announce]));
    const rises = next.model.services.some((x) => x.announce !== "withdrawn" && (was.get(x.name) ?? "withdrawn") === "withdrawn");
    if (rises || !before) await this.saveAnnounced(next);
  }

  private async saveAnnounced(r: { manifest: Manifest; model: RoutingModel }): Promise<void> {
    await this.deps
      .saveAnnounced(r.manifest.supervisor.stateDir, {
        manifestHash: r.manifest.hash,
        services: Object.fromEntries(r.model.services.map((x) => [x.name, x.announce])),
      })
      .catch((e: unknown) => this.deps.log.warn(`cannot save announced state: ${(e as Error).message}`, { op: "state" }));
  }

  /**
   * Observe the daemon; when it is away (not running, or not answering), forget what was applied:
   * what it runs when back is unknown, so the reconcile goes the full path, which validates and
   * writes the file before its reload fails. A daemon restarted from that file then announces what
   * is desired now, not what was healthy when it went away.
   */
  private async observeOrForget(driver: Driver, model: RoutingModel): Promise<Observed | undefined> {
    try {
      return await driver.observe(model);
    } catch (e) {
      if (!daemonAway(e)) throw e;
      this.s.applied = undefined;
      this.awayNow = toSvcrouteError(e);
      return undefined;
    }
  }

  /**
   * Before a full reload, a daemon last found away is asked whether it is back: a frozen one would
   * hold the reload (a minute for frr-reload) where the question fails within the command limit.
   * Throws the reason it is still away; any other answer lets the reload judge.
   */
  private async stillAway(driver: Driver, model: RoutingModel): Promise<void> {
    if (this.awayNow) throw this.awayNow;
    if (this.s.daemonError === null) return;
    try {
      await driver.observe(model);
    } catch (e) {
      if (daemonAway(e)) throw e;
    }
  }

  /**
   * Why the current manifest's config cannot be put in place while an earlier manifest's config
   * is running — the daemon refused it (its parser said no, or the reload failed and was rolled
   * back; `final`: retrying the same text cannot help), or the file cannot be written (full or
   * read-only filesystem) — else undefined. Health must not wait for that to be fixed.
   */
  private blocked(e: unknown, next: Next, m: Manifest): { error: SvcrouteError; final: boolean } | undefined {
    const s = this.s;
    if (!isSvcrouteError(e) || !s.applied || s.applied.manifest.hash === m.hash) return undefined;
    if (s.rejected && s.rejected.text === next.text) return { error: e, final: true };
    if (e.code === "E_WRITE") return { error: e, final: false };
    return undefined;
  }

  /** Apply the last good manifest with today's health (a DOWN service must still be withdrawn). */
  private async serveLastGood(): Promise<void> {
    const s = this.s;
    const lm = s.applied!.manifest;
    const driver = this.driverFor(lm);
    const next = await this.next(lm, await healthInput(this.deps, this.s, lm), await this.deps.readSecrets(lm), driver);
    s.desired = next.model;
    await execute(this.apply, plan(s.applied, next), next, driver, lm);
  }

  private finish(t0: number, reasons: ReadonlySet<Trigger>, result: "ok" | "failed", path: ReconcileStatus["path"], err: SvcrouteError | undefined): void {
    const s = this.s;
    const d = this.deps.now() - t0;
    s.durations.push(d);
    if (s.durations.length > 1000) s.durations.shift();
    if (result === "failed") s.counters.reconcile_failures++;
    s.lastReconcile = { at: this.deps.now(), result, path, duration_ms: d, triggers: [...reasons].sort(), code: err?.code ?? null, message: err?.message ?? null };
    const fields = { op: "reconcile", duration_ms: d, path, triggers: [...reasons].sort().join("+") };
    if (err) this.deps.log.error(`reconcile failed: ${err.message}${err.hint ? ` (${err.hint})` : ""}`, { ...fields, code: err.code });
    else if (path !== "none") this.deps.log.info(`reconciled (${path} path)`, fields);
    else this.deps.log.debug("reconciled (nothing to change)", fields);
  }
}
