// Trial loops of the withdrawal-latency measurement. Every time is epoch microseconds: the
// bench's own clock (calibrated, see clock.ts) for "the check starts failing", the supervisor's
// log for "DOWN decided", the ToR's bgpd log for "received" and "gone".
import { rmSync, writeFileSync } from "node:fs";
import { calibrate, randomPhase, sleep, wallUs } from "./clock.js";
import type { NaiveDriver } from "./naive.js";
import { lineUs, transition, type SupLog } from "./sup.js";
import type { TorLog } from "./torlog.js";

/** per-trial figures, ms; a missing figure (not observed in time) is left out and counted */
export interface TrialSeries {
  /** the check starts failing (health file removed) → withdraw UPDATE received by the ToR */
  failReceived: number[];
  /** → the prefix left the ToR's RIB (bgpd's route delete to zebra) */
  failGone: number[];
  /** the supervisor logged DOWN → withdraw received (the pipeline alone) */
  decidedReceived: number[];
  decidedGone: number[];
  /** the check passes again (file back) → announce UPDATE received */
  restoreReceived: number[];
  restoreInstalled: number[];
  /** the supervisor logged UP → announce received */
  upReceived: number[];
  /** naive path: how long the reload command itself ran */
  reloadMs: number[];
  misses: number;
  trials: number;
}

export const emptySeries = (): TrialSeries => ({
  failReceived: [],
  failGone: [],
  decidedReceived: [],
  decidedGone: [],
  restoreReceived: [],
  restoreInstalled: [],
  upReceived: [],
  reloadMs: [],
  misses: 0,
  trials: 0,
});

const ms = (fromUs: number, toUs: number) => (toUs - fromUs) / 1000;

export interface CheckedTarget {
  tor: TorLog;
  prefix: string;
  healthFile: string;
  /** steady check interval, ms: failures are injected at a random phase of it */
  intervalMs: number;
  /** how long a withdrawal may take before the trial counts as missed */
  timeoutMs: number;
  /** the supervisor's log and service name (svcroute), absent for ExaBGP */
  sup?: { log: SupLog; service: string };
}

/** Make the service healthy and wait until the ToR has its route. */
export async function ensureAnnounced(t: CheckedTarget, hasRoute: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  writeFileSync(t.healthFile, "");
  const deadline = performance.now() + timeoutMs;
  while (!(await hasRoute().catch(() => false))) {
    if (performance.now() > deadline) throw new Error(`${t.prefix} did not reach the ToR within ${timeoutMs} ms`);
    await sleep(50);
  }
}

/** One system with a health check: remove the health file → withdrawn; put it back → announced. */
export async function checkedTrials(t: CheckedTarget, n: number, warmup: number, hasRoute: () => Promise<boolean>): Promise<TrialSeries> {
  const s = emptySeries();
  await ensureAnnounced(t, hasRoute);
  for (let i = 0; i < warmup + n; i++) {
    const keep = i >= warmup;
    // ---- withdraw
    await randomPhase(t.intervalMs);
    calibrate();
    const m = t.tor.mark();
    const sm = t.sup?.log.mark() ?? 0;
    const t0 = wallUs();
    rmSync(t.healthFile, { force: true });
    const rcv = await t.tor.waitEvent(m, "withdrawn", t.prefix, t.timeoutMs);
    const gone = rcv ? await t.tor.waitEvent(m, "gone", t.prefix, 3000) : undefined;
    const dec = t.sup ? await t.sup.log.wait(sm, transition(t.sup.service, "DOWN"), rcv ? 2000 : 10) : undefined;
    if (keep) {
      s.trials++;
      if (!rcv || !gone || (t.sup && !dec)) s.misses++;
      if (rcv) s.failReceived.push(ms(t0, rcv.us));
      if (gone) s.failGone.push(ms(t0, gone.us));
      if (dec && rcv) s.decidedReceived.push(ms(lineUs(dec), rcv.us));
      if (dec && gone) s.decidedGone.push(ms(lineUs(dec), gone.us));
    }
    // ---- re-announce
    await randomPhase(t.intervalMs);
    calibrate();
    const m2 = t.tor.mark();
    const sm2 = t.sup?.log.mark() ?? 0;
    const t1 = wallUs();
    writeFileSync(t.healthFile, "");
    const ann = await t.tor.waitEvent(m2, "announced", t.prefix, t.timeoutMs);
    const inst = ann ? await t.tor.waitEvent(m2, "installed", t.prefix, 3000) : undefined;
    const up = t.sup ? await t.sup.log.wait(sm2, transition(t.sup.service, "UP"), ann ? 2000 : 10) : undefined;
    if (keep) {
      if (ann) s.restoreReceived.push(ms(t1, ann.us));
      if (inst) s.restoreInstalled.push(ms(t1, inst.us));
      if (up && ann) s.upReceived.push(ms(lineUs(up), ann.us));
    }
    if (!ann || !inst) await ensureAnnounced(t, hasRoute);
  }
  return s;
}

export interface NaiveTarget {
  tor: TorLog;
  prefix: string;
  driver: NaiveDriver;
  /** the config announcing the prefix, and the one that does not */
  withText: string;
  withoutText: string;
  timeoutMs: number;
}

/** The naive path: per change, write the edited config and reload the daemon. */
export async function naiveTrials(t: NaiveTarget, n: number, warmup: number): Promise<TrialSeries> {
  const s = emptySeries();
  for (let i = 0; i < warmup + n; i++) {
    const keep = i >= warmup;
    await sleep(20 + Math.random() * 80);
    calibrate();
    const m = t.tor.mark();
    const t0 = wallUs();
    await t.driver.apply(t.withoutText);
    const tr = wallUs();
    const rcv = await t.tor.waitEvent(m, "withdrawn", t.prefix, t.timeoutMs);
    const gone = rcv ? await t.tor.waitEvent(m, "gone", t.prefix, 3000) : undefined;
    if (keep) {
      s.trials++;
      if (!rcv || !gone) s.misses++;
      s.reloadMs.push(ms(t0, tr));
      // no health checker: the change is decided when the bench starts the edit
      if (rcv) {
        s.failReceived.push(ms(t0, rcv.us));
        s.decidedReceived.push(ms(t0, rcv.us));
      }
      if (gone) {
        s.failGone.push(ms(t0, gone.us));
        s.decidedGone.push(ms(t0, gone.us));
      }
    }
    await sleep(20 + Math.random() * 80);
    calibrate();
    const m2 = t.tor.mark();
    const t1 = wallUs();
    await t.driver.apply(t.withText);
    const ann = await t.tor.waitEvent(m2, "announced", t.prefix, t.timeoutMs);
    const inst = ann ? await t.tor.waitEvent(m2, "installed", t.prefix, 3000) : undefined;
    if (keep) {
      if (ann) {
        s.restoreReceived.push(ms(t1, ann.us));
        s.upReceived.push(ms(t1, ann.us));
      }
      if (inst) s.restoreInstalled.push(ms(t1, inst.us));
    }
  }
  return s;
}
