// Health checks for svcroute: decide, precisely and cheaply, whether each service is healthy.
//
// API for the supervisor
// ----------------------
//   import { createHealthMonitor } from "../health/index.js";
//
//   const monitor = createHealthMonitor({
//     services: manifest.services,            // normalised Service[] (durations in ms)
//     onTransition: (t) => loop.enqueue(t),   // HealthTransition: service, from → to, cause,
//                                             // reason, at, heldDownUntil, results (exit code and
//                                             // output tail, HTTP status, connect error, latency)
//     onRound: (name, round) => metrics.observe(name, round),   // optional: every round
//     deps: { clock, prepare, concurrency },  // optional: fakes in tests; default real runners,
//                                             // 64 concurrent runs, 16 of them exec
//   });
//   monitor.start();                  // rounds on a grid splayed over one interval (hash of the
//                                     // checks): identical checks run once for all their services
//   monitor.setDrained(["dns"]);      // or "all" (drain file); [] undrains; state DISABLED
//   monitor.update(newManifest.services); // reload: unchanged services keep their state and
//                                         // schedule, new ones start in INIT, removed ones stop;
//                                         // changed ones keep their state with the new checks/timing
//   monitor.snapshot();               // ServiceSnapshot[] (copies): state, since, reason, streaks,
//                                     // lastRound, lastResults, counters, heldDownUntil, nextRunAt,
//                                     // detectionBoundMs
//   monitor.stop();                   // timers cleared, running checks aborted (process groups killed)
//
// Detection bound (derived in bound.ts, proven in test/unit/health/bound.test.ts): a failure
// reaches DOWN within interval + (fall − 1) · max(fast_interval, T) + T, T = the longest check
// timeout; that is interval + (fall − 1) · fast_interval + timeout whenever timeout ≤ fast_interval.
//
// Announce while isAnnounced(state) (UP, FALLING); DOWN means withdraw or de-prefer (on_failure);
// DISABLED means drained. Transitions are delivered synchronously, in order per service; a
// `cause: "hold"` transition may have from === to (a DOWN service was put under hold-down).
//
// Layout: types.ts (public types) · state.ts (pure reducer) · combine.ts (all/any/quorum) ·
// bound.ts (detection bound, derived) · splay.ts · limiter.ts (concurrency) · run-check.ts (one
// run: slots, deadline, no overlap) · timer-queue.ts (one timer for every next round and deadline) ·
// monitor.ts (scheduling) · group-run.ts (runs shared by identical checks) · probe.ts (run once) · format.ts ·
// runners/{exec,http,tcp,file}.ts (the effects) · clock.ts (the real clock).
export { createHealthMonitor, type HealthDeps, type HealthMonitor, type HealthMonitorOptions } from "./monitor.js";
export { probeService, probeDeps } from "./probe.js";
export { formatRound } from "./format.js";
export * from "./types.js";
