// The monitor's timer queue: many waits, one clock timer, fired in due order (first added first
// among equal times), on a fake clock.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { realClock } from "../../../src/health/clock.js";
import { TimerQueue, type Waiting } from "../../../src/health/timer-queue.js";

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const fired: string[] = [];
function wait(name: string, then?: () => void): Waiting {
  return {
    dueAt: 0,
    queued: -1,
    seq: 0,
    fire: () => {
      fired.push(`${name}@${performance.now()}`);
      then?.();
    },
  };
}

describe("TimerQueue", () => {
  beforeEach(() => {
    fired.length = 0;
  });

  it("fires each wait once, at its time, in due order; equal times in the order they were added", async () => {
    const q = new TimerQueue(realClock);
    const t0 = performance.now();
    const times = [50, 10, 30, 10, 70, 30, 20, 90, 60, 40, 80, 10];
    times.forEach((dt, i) => q.add(wait(`w${i}`), t0 + dt));
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    const want = times
      .map((dt, i) => ({ dt, i }))
      .sort((a, b) => a.dt - b.dt || a.i - b.i)
      .map(({ dt, i }) => `w${i}@${t0 + dt}`);
    expect(fired).toEqual(want);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a wait added again moves to its new time; a removed one never fires", async () => {
    const q = new TimerQueue(realClock);
    const t0 = performance.now();
    const a = wait("a");
    const b = wait("b");
    const c = wait("c");
    q.add(a, t0 + 10);
    q.add(b, t0 + 20);
    q.add(c, t0 + 30);
    q.add(a, t0 + 40);
    q.remove(b);
    q.remove(b);
    expect(b.queued).toBe(-1);
    await vi.advanceTimersByTimeAsync(50);
    expect(fired).toEqual([`c@${t0 + 30}`, `a@${t0 + 40}`]);
  });

  it("removing the earliest wait re-arms the one timer for the next; removing all leaves none", async () => {
    const q = new TimerQueue(realClock);
    const t0 = performance.now();
    const a = wait("a");
    const b = wait("b");
    q.add(a, t0 + 10);
    q.add(b, t0 + 20);
    q.remove(a);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(15);
    expect(fired).toEqual([]);
    await vi.advanceTimersByTimeAsync(5);
    expect(fired).toEqual([`b@${t0 + 20}`]);
    q.add(a, t0 + 100);
    q.remove(a);
    expect(vi.getTimerCount()).toBe(0);
  });

  it("a wait that adds another while firing: the new one fires at its own time, the timer is armed once", async () => {
    const q = new TimerQueue(realClock);
    const t0 = performance.now();
    const later = wait("later");
    q.add(wait("first", () => q.add(later, t0 + 25)), t0 + 10);
    q.add(wait("second"), t0 + 10);
    await vi.advanceTimersByTimeAsync(10);
    expect(fired).toEqual([`first@${t0 + 10}`, `second@${t0 + 10}`]);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(15);
    expect(fired.at(-1)).toBe(`later@${t0 + 25}`);
  });

  it("a wait due at a fractional time fires on the clock's whole millisecond at or after it", async () => {
    const q = new TimerQueue(realClock);
    const t0 = performance.now();
    q.add(wait("a"), t0 + 10.4);
    await vi.advanceTimersByTimeAsync(10);
    expect(fired).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(fired).toEqual([`a@${t0 + 11}`]);
  });

  it("a wait that throws leaves the queue working: the error reaches the caller, later waits still fire", async () => {
    const q = new TimerQueue(realClock);
    const t0 = performance.now();
    q.add(wait("boom", () => {
      throw new Error("boom");
    }), t0 + 5);
    q.add(wait("after"), t0 + 8);
    await expect(vi.advanceTimersByTimeAsync(10)).rejects.toThrow("boom");
    await vi.advanceTimersByTimeAsync(10);
    expect(fired).toEqual([`boom@${t0 + 5}`, `after@${t0 + 8}`]);
  });
});
