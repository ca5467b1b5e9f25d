// The real clock: monotonic performance.now() for durations, Date.now() for timestamps. Globals
// are looked up at call time so test fake timers installed later are honoured.
import type { Clock } from "./types.js";

export const realClock: Clock = {
  now: () => performance.now(),
  wall: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};
