// Bounded concurrency: a counting semaphore with a FIFO queue. Every check run takes a slot of
// the global limit; exec checks also take one of the (smaller) exec limit, always in that order
// (exec first), so two runs can never wait on each other.

export class Semaphore {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`concurrency must be a positive integer, got ${size}`);
    this.free = size;
  }

  /** Take a slot now if one is free. */
  tryAcquire(): boolean {
    if (this.free > 0) {
      this.free--;
      return true;
    }
    return false;
  }

  acquire(): Promise<void> {
    if (this.tryAcquire()) return Promise.resolve();
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.free++;
  }

  get inUse(): number {
    return this.size - this.free;
  }

  get queued(): number {
    return this.waiting.length;
  }
}

export interface Limits {
  total: Semaphore;
  exec: Semaphore;
}

export const DEFAULT_CONCURRENCY = { total: 64, exec: 16 } as const;

export function createLimits(c: { total: number; exec: number } = DEFAULT_CONCURRENCY): Limits {
  return { total: new Semaphore(c.total), exec: new Semaphore(Math.min(c.exec, c.total)) };
}

/** Give back the slots a run of this check type took. */
export function releaseSlots(limits: Limits, isExec: boolean): void {
  limits.total.release();
  if (isExec) limits.exec.release();
}

/** Take the slots one run of this check type needs if they are free now (a free slot has no run waiting for it). */
export function tryAcquireSlots(limits: Limits, isExec: boolean): boolean {
  if (isExec && !limits.exec.tryAcquire()) return false;
  if (limits.total.tryAcquire()) return true;
  if (isExec) limits.exec.release();
  return false;
}

/** Take the slots one run of this check type needs, waiting for them in turn; release with releaseSlots. */
export async function acquireSlots(limits: Limits, isExec: boolean): Promise<void> {
  if (isExec) await limits.exec.acquire();
  await limits.total.acquire();
}
