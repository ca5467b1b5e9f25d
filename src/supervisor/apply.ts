// Carrying out a reconcile's plan against the daemon: write the file only, toggle announcements
// (the fast path: no parser, no reload) or reload in full (judged by the daemon's parser, proven
// by observation, rolled back on failure). The engine (engine.ts) decides the plan and owns the
// state this records.
import type { RoutingModel } from "../core/model.js";
import { daemonAway, type Driver } from "../daemons/driver.js";
import { SvcrouteError, toSvcrouteError } from "../errors.js";
import type { Manifest } from "../manifest/types.js";
import type { EarlyWithdrawals } from "./early-withdrawals.js";
import type { EngineDeps, EngineState } from "./engine-types.js";
import type { Next, Plan } from "./plan.js";
import type { Prover } from "./prover.js";
import { describeMismatches } from "./verify.js";

export interface ApplyContext {
  s: EngineState;
  deps: EngineDeps;
  prover: Prover;
  early: EarlyWithdrawals;
  /** the reconcile was interrupted: a proof that falls short does not fail it */
  cutShort(): boolean;
  /** throws when the daemon was found away (the file already says what is desired) */
  stillAway(driver: Driver, model: RoutingModel): Promise<void>;
}

/** The daemon's parser judges a new config; a refusal is remembered so the same text is not judged again. */
async function judge(c: ApplyContext, driver: Driver, text: string): Promise<void> {
  const s = c.s;
  if (s.rejected && s.rejected.text === text) throw s.rejected.error;
  try {
    await driver.validate(text);
  } catch (e) {
    const err = toSvcrouteError(e);
    if (err.code === "E_DAEMON_REJECTED") s.rejected = { text, error: err };
    throw err;
  }
}

/** Carry out the plan: nothing, write the file, toggle (fast), or reload in full with rollback. */
export async function execute(c: ApplyContext, p: Plan, next: Next, driver: Driver, m: Manifest): Promise<void> {
  const s = c.s;
  const log = c.deps.log;
  const file = m.daemon.configFile;
  if (p.kind === "none") return;
  if (p.kind === "write") {
    await c.deps.writeConfig(file, next.text);
    s.applied = { ...next, instance: s.applied?.instance ?? null, at: c.deps.now() };
    return;
  }
  if (p.kind === "fast") {
    // Written before the daemon changes: a file that cannot be written stops the change. Not
    // judged by the parser (two process starts and a parse: most of such a change's time):
    // equal fast keys mean it differs from the judged, running config only in lines toggle()
    // switches, the lines a health change writes too, and the daemon's own command parser
    // takes each toggle.
    if (p.manifestChanged) {
      if (s.rejected && s.rejected.text === next.text) throw s.rejected.error;
      await c.deps.writeConfig(file, next.text);
    }
    // what the early withdrawals sent is not sent twice
    const ops = p.ops.filter((o) => !c.early.wasSent(o));
    for (const op of ops) log.info(op.to === "withdrawn" ? "withdraw" : op.from === "withdrawn" ? "announce" : `re-announce (${op.to})`, { op: "toggle", service: op.service, prefix: op.prefix });
    let r: { durationMs: number } = { durationMs: 0 };
    try {
      if (c.early.away) throw c.early.away;
      if (ops.length) r = await driver.toggle(next.model, ops);
    } catch (e) {
      // a refusal may come after some of the toggles took
      c.prover.lose();
      if (daemonAway(e)) {
        // The daemon is away. The file must say what is desired now: a daemon that comes back
        // from it (restarted by systemd, say) must not announce what was healthy before. Once
        // it is back, the next reconcile applies it in full (some toggles may have landed).
        await c.deps.writeConfig(file, next.text);
        s.applied = undefined;
      } else if (p.manifestChanged && s.applied) {
        // The daemon refused a new manifest's toggle: the file goes back to the running config,
        // and the refusal is final until the manifest changes or SIGHUP (blocked()), so the last
        // good manifest keeps serving health instead of the same refusal in a loop.
        await c.deps.writeConfig(file, s.applied.text);
        const err = toSvcrouteError(e);
        s.rejected = { text: next.text, error: new SvcrouteError(err.code, `the daemon refused the new manifest's change: ${err.message}`, { details: err.details, cause: e }) };
        throw s.rejected.error;
      }
      throw e;
    }
    log.debug("toggled", { op: "toggle", duration_ms: r.durationMs, count: ops.length, early: c.early.sent.length });
    const proven = s.unproven ? s.unproven.proven : s.applied;
    // The file says the same as the running daemon from now on (no reload: it is already so).
    if (!p.manifestChanged) await c.deps.writeConfig(file, next.text);
    s.applied = { ...next, instance: s.applied?.instance ?? null, at: c.deps.now() };
    s.counters.fast_applies++;
    if (p.manifestChanged) s.rejected = undefined;
    const v = await c.prover.proveToggles(driver, m, next.model, p);
    s.applied.instance = s.observed?.instance ?? s.applied.instance;
    if (!v.ok && !c.cutShort()) throw new SvcrouteError("E_VERIFY", `after the toggle the daemon advertises something else: ${describeMismatches(v.mismatches)}`);
    c.prover.settle(v.ok, proven);
    return;
  }
  // full path
  if (s.rejected && s.rejected.text === next.text) throw s.rejected.error;
  for (const r of p.reasons) log.info(`full apply: ${r}`, { op: "apply" });
  for (const r of p.sessionResets) log.warn(`session-level change: ${r}`, { op: "apply", code: "SESSION_RESET" });
  await judge(c, driver, next.text);
  // after an apply left unproven, a failure goes back to what was last proven
  const before = s.unproven ? s.unproven.proven : s.applied;
  const previous = before?.text ?? (await c.deps.readConfig(file));
  await c.deps.writeConfig(file, next.text);
  // the file says what is desired now; a daemon that is away takes it when it is back
  await c.stillAway(driver, next.model);
  // what the daemon was last given, from which a driver may send only the change; a rollback
  // below loads the whole file
  const given = p.incremental && s.applied ? { text: s.applied.text, instance: s.applied.instance } : undefined;
  // from here the daemon may run something no observation has shown yet (a rollback included)
  c.prover.lose();
  try {
    const r = await driver.reload(given);
    log.info(r.how === "incremental" ? `applied only the change: ${r.output.split("\n")[0]}` : "the daemon loaded the whole file", { op: "apply", how: r.how ?? "whole", duration_ms: Math.round(r.durationMs) });
    if (r.sessionsRestarted) log.warn("the daemon restarts some sessions for this change", { op: "apply" });
    // after only the change, the whole file comes first (below); it then asks for a resend
    let v = r.how === "incremental" ? await c.prover.observeVerify(driver, m, next.model, c.deps.verifyTimeoutMs) : await c.prover.verifyApplied(driver, m, next.model);
    if (!v.ok && !c.cutShort() && r.how === "incremental") {
      // the base the change was made from may not be what the daemon ran: the whole file
      // decides before the config is judged wrong
      log.warn(`after the change alone the daemon advertises something else (${describeMismatches(v.mismatches)}); loading the whole file`, { op: "apply", code: "E_VERIFY" });
      await driver.reload();
      v = await c.prover.verifyApplied(driver, m, next.model);
    }
    if (!v.ok && !c.cutShort()) throw new SvcrouteError("E_VERIFY", `after the reload the daemon advertises something else: ${describeMismatches(v.mismatches)}`);
    await driver.confirm();
    c.prover.settle(v.ok, before);
  } catch (e) {
    const err = toSvcrouteError(e);
    if (daemonAway(e)) {
      // The daemon is away: the file is the desired state; it is applied when the daemon is back.
      s.applied = undefined;
      throw err;
    }
    const failure = new SvcrouteError(err.code === "E_VERIFY" ? "E_VERIFY" : "E_APPLY", `applying ${file} failed: ${err.message}`, { details: err.details, cause: e });
    const rollBack = previous !== undefined && previous !== next.text;
    // A verification that fails with no other config to go back to (a repair, a re-apply after a
    // daemon restart) says what the daemon did, not that this config is wrong: e.g. a boot-time
    // config push still landing after the daemon restarted. It is tried again after the backoff.
    if (rollBack || err.code !== "E_VERIFY") s.rejected = { text: next.text, error: failure };
    s.applied = undefined;
    s.unproven = undefined;
    if (rollBack) {
      log.error(`apply failed (${err.message}); rolling back to the previous config`, { op: "rollback", code: err.code });
      await c.deps.writeConfig(file, previous);
      try {
        await driver.reload();
        await driver.confirm();
        s.counters.rollbacks++;
        // the last good state is running again
        if (before) s.applied = { ...before, instance: s.observed?.instance ?? before.instance };
      } catch (e2) {
        log.error(`rollback failed too: ${(e2 as Error).message}`, { op: "rollback", code: toSvcrouteError(e2).code });
      }
    }
    throw failure;
  }
  s.applied = { ...next, instance: s.observed?.instance ?? null, at: c.deps.now() };
  s.rejected = undefined;
  s.counters.full_applies++;
}
