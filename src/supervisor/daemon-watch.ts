// The daemon watch: every tick asks the routing daemon who it is (a restart or a return is
// re-applied at once) and how its sessions stand (status follows them between reverifies).
// A daemon that goes away is re-verified once, as a plain "reverify": its loss is no reason to
// cut a retry backoff short, and the ticks that keep failing until the engine has marked it
// unreachable must not each start another attempt (seen as retries 71 ms apart on BIRD 3.1).
import type { Driver } from "../daemons/driver.js";
import type { EngineState } from "./engine-types.js";
import type { Trigger } from "./loop.js";

export interface DaemonWatchDeps {
  driver: () => Driver | undefined;
  state: () => EngineState;
  trigger: (t: Trigger) => void;
  everyMs: number;
}

/** Starts the watch; returns its timer. */
export function startDaemonWatch(w: DaemonWatchDeps): ReturnType<typeof setInterval> {
  let lastInstance: string | null | undefined;
  let lossReported = false;
  // A frozen daemon answers nothing until the command times out (5–10 s), longer than the tick:
  // ticks must not pile up behind it (BIRD's socket runs one command at a time, and a queue of
  // watch queries would hold back the reconcile's own commands for tens of seconds).
  let inFlight = false;
  return setInterval(() => {
    const d = w.driver();
    if (!d || inFlight) return;
    inFlight = true;
    const sessions = w.state().daemonReachable ? watchSessions(w, d) : Promise.resolve();
    const instance = d.instance().then(
      (i) => {
        if (lastInstance !== undefined && i !== lastInstance) w.trigger("daemon");
        if (lastInstance === undefined && !w.state().daemonReachable) w.trigger("daemon");
        lastInstance = i;
        lossReported = false;
      },
      () => {
        if (w.state().daemonReachable && !lossReported) w.trigger("reverify");
        lossReported = true;
        lastInstance = undefined;
      },
    );
    void Promise.allSettled([sessions, instance]).then(() => {
      inFlight = false;
    });
  }, w.everyMs);
}

/**
 * Status follows the sessions as they change: when a peer's session state differs from the last
 * observation, or an Established peer has not yet been sent what was applied (a session that just
 * came up), the daemon is observed again at once instead of at the next reverify.
 */
async function watchSessions(w: DaemonWatchDeps, d: Driver): Promise<void> {
  const st = w.state();
  const model = st.applied?.model;
  if (!model) return;
  const pending = st.verification !== undefined && !st.verification.ok;
  const sessions = await d.sessions(model).catch(() => undefined);
  const changed = sessions?.some((x) => st.observed?.peers.find((p) => p.name === x.name)?.state !== x.state) ?? false;
  if (pending || changed) w.trigger("observe");
}
