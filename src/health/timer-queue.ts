// One clock timer for many waits: the monitor's next rounds and its runs' deadlines sit in a
// binary heap ordered by when they are due, and a single timer is armed for the earliest. A
// thousand services then hold one pending timer, not a thousand timer objects that each live a
// whole interval (objects that live that long outlast V8's young generation and are collected only
// by full collections), and a run makes no timer object of its own.
import type { Clock } from "./types.js";

/** Something waiting in a TimerQueue; `queued` is the queue's bookkeeping (-1 while not queued). */
export interface Waiting {
  dueAt: number;
  queued: number;
  /** order among waits due at the same time: first added, first fired */
  seq: number;
  fire(): void;
}

export class TimerQueue {
  private readonly heap: Waiting[] = [];
  private timer: unknown = undefined;
  /** the due time the timer is armed for */
  private armedFor = Infinity;
  private seq = 0;
  /** set while expired waits fire: the timer is armed once, after them */
  private firing = false;

  constructor(private readonly clock: Clock) {}

  /** Fire `w` at `at` (monotonic), replacing any time it was queued for. */
  add(w: Waiting, at: number): void {
    if (w.queued >= 0) this.take(w.queued);
    w.dueAt = at;
    w.seq = this.seq++;
    w.queued = this.heap.length;
    this.heap.push(w);
    this.up(w.queued);
    this.arm();
  }

  remove(w: Waiting): void {
    if (w.queued < 0) return;
    this.take(w.queued);
    this.arm();
  }

  /** Fire what is due: a timer may fire up to a millisecond before a fractional due time, as the clock's timers tick in whole ms. */
  private readonly expire = (): void => {
    this.timer = undefined;
    this.armedFor = Infinity;
    const now = this.clock.now();
    const heap = this.heap;
    this.firing = true;
    try {
      while (heap.length > 0 && heap[0]!.dueAt - now < 1) {
        const w = heap[0]!;
        this.take(0);
        w.fire();
      }
    } finally {
      this.firing = false;
      this.arm();
    }
  };

  private arm(): void {
    if (this.firing) return;
    const first = this.heap[0];
    const due = first === undefined ? Infinity : first.dueAt;
    if (due === this.armedFor) return;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.armedFor = due;
    if (first === undefined) return;
    this.timer = this.clock.setTimeout(this.expire, Math.max(0, Math.ceil(due - this.clock.now())));
  }

  private before(a: Waiting, b: Waiting): boolean {
    return a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.seq < b.seq);
  }

  /** remove the wait at heap index i */
  private take(i: number): void {
    const heap = this.heap;
    const w = heap[i]!;
    w.queued = -1;
    const last = heap.pop()!;
    if (last === w) return;
    heap[i] = last;
    last.queued = i;
    this.up(i);
    this.down(last.queued);
  }

  private up(i: number): void {
    const heap = this.heap;
    const w = heap[i]!;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const parent = heap[p]!;
      if (!this.before(w, parent)) break;
      heap[i] = parent;
      parent.queued = i;
      i = p;
    }
    heap[i] = w;
    w.queued = i;
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    const w = heap[i]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.before(heap[r]!, heap[l]!) ? r : l;
      const child = heap[c]!;
      if (!this.before(child, w)) break;
      heap[i] = child;
      child.queued = i;
      i = c;
    }
    heap[i] = w;
    w.queued = i;
  }
}
