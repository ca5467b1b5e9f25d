// Runs shared by a group: services with identical checks and timing (groupKey) form a group, and a
// round joins its group's latest run when that run was started for a round due at or after its own
// (as fresh as a run of its own), so N services behind the same endpoint cost one run per
// interval, not N. The group keeps its run and starts the next one in the same object, as each
// service keeps its state: what lives from one interval to the next is updated in place.
import { copyResult, internalError, startCheck, type CheckSlot, type RunEnv } from "./run-check.js";
import { splayMs } from "./splay.js";
import type { CheckResult, Clock } from "./types.js";

/** One run of a group's checks, shared by the rounds (`R`) that fall due while it starts. */
export interface SharedRun<R> {
  /** monotonic: when the round that started it was due (a timer may fire a little early) */
  due: number;
  /** monotonic */
  startedAt: number;
  /** wall clock */
  at: number;
  env: RunEnv;
  /** each check's result, complete once `pending` is 0 */
  results: CheckResult[];
  /** checks still running */
  pending: number;
  /** the rounds that wait for it */
  rounds: R[];
  /** rounds still to take its results after it ended (it is not reused for the next run meanwhile) */
  joining: number;
}

export interface Group<R> {
  key: string;
  /** where the group's grid sits within its interval (splay.ts) */
  offset: number;
  members: number;
  last: SharedRun<R> | undefined;
}

/** `target` updated in place to `r` (made a copy of `r` the first time) */
export function keep(target: CheckResult | undefined, r: CheckResult): CheckResult {
  return target === undefined ? { ...r } : copyResult(target, r);
}

export class Groups<R> {
  private readonly byKey = new Map<string, Group<R>>();

  constructor(
    private readonly clock: Clock,
    /** a round's run is over: the round takes its results (may start the group's next run at once) */
    private readonly ended: (round: R, run: SharedRun<R>) => void,
    /** an exception while a round ended: that round's alone, the others sharing the run still end */
    private readonly fail: (e: unknown) => void,
  ) {}

  join(key: string, intervalMs: number): Group<R> {
    let g = this.byKey.get(key);
    if (!g) this.byKey.set(key, (g = { key, offset: splayMs(key, intervalMs), members: 0, last: undefined }));
    g.members++;
    return g;
  }

  leave(g: Group<R>): void {
    if (--g.members === 0) this.byKey.delete(g.key);
  }

  /**
   * `round`, due at `due`, takes the results of the group's latest run if it is fresh enough (same
   * env, started for a round due at or after this one), else of a run of `slots` started now.
   * Returns the run; its end calls `ended(round, run)`, on a later microtask at the earliest.
   */
  enter(g: Group<R>, round: R, slots: CheckSlot[], env: RunEnv, due: number): SharedRun<R> {
    const shared = g.last;
    const run = shared !== undefined && shared.env === env && shared.due >= due ? shared : this.start(g, slots, env, due);
    if (run.pending > 0) {
      run.rounds.push(round);
      return run;
    }
    // a run already over ends the round on the next microtask, as awaiting a settled promise would
    run.joining++;
    queueMicrotask(() => {
      run.joining--;
      try {
        this.ended(round, run);
      } catch (e) {
        this.fail(e);
      }
    });
    return run;
  }

  private start(g: Group<R>, slots: CheckSlot[], env: RunEnv, due: number): SharedRun<R> {
    const clock = this.clock;
    let run = g.last;
    if (run === undefined || run.pending > 0 || run.joining > 0 || run.results.length !== slots.length) {
      run = { due, startedAt: 0, at: 0, env, results: [], pending: 0, rounds: [], joining: 0 };
      g.last = run;
    }
    run.due = due;
    run.startedAt = clock.now();
    run.at = clock.wall();
    run.env = env;
    run.pending = slots.length;
    for (let i = 0; i < slots.length; i++) {
      const slot = slots[i]!;
      let reported = false;
      const done = (r: CheckResult) => {
        if (reported) return;
        reported = true;
        run.results[i] = keep(run.results[i], r);
        if (--run.pending === 0) this.runEnded(run);
      };
      try {
        startCheck(slot, env, done);
      } catch (err) {
        done(internalError(slot.spec, err, clock.wall()));
      }
    }
    return run;
  }

  private runEnded(run: SharedRun<R>): void {
    const rounds = run.rounds;
    // a round that ends here may start the group's next run at once: in another object
    run.joining++;
    try {
      for (let i = 0; i < rounds.length; i++) {
        try {
          this.ended(rounds[i]!, run);
        } catch (err) {
          this.fail(err);
        }
      }
    } finally {
      rounds.length = 0;
      run.joining--;
    }
  }
}
