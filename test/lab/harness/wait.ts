// Waiting on conditions instead of sleeping: poll an observation until it satisfies a predicate.
import { setTimeout as delay } from "node:timers/promises";
import { inspect } from "node:util";
import { LabError } from "./errors.js";

export interface WaitOptions<T> {
  /** what is awaited, for the timeout message, e.g. "192.0.2.10/32 at tor1" */
  what: string;
  timeout?: number;
  /** poll interval in ms (default 25) */
  interval?: number;
  /** when the observation counts as done (default: truthy) */
  until?: (value: T) => boolean;
}

export interface Waited<T> {
  /** ms from the first poll until the condition held */
  ms: number;
  value: T;
}

function show(v: unknown): string {
  return inspect(v, { depth: 4, breakLength: 120, maxArrayLength: 20, maxStringLength: 500 });
}

/**
 * Polls `observe` until `until(value)` holds. An observation that throws counts as "not yet"
 * (daemons refuse connections while starting). On timeout the error names `what` and the last
 * value (or error) observed.
 */
export async function waitFor<T>(observe: () => T | Promise<T>, opts: WaitOptions<T>): Promise<Waited<T>> {
  const until = opts.until ?? ((v: T) => Boolean(v));
  const timeout = opts.timeout ?? 30_000;
  const interval = opts.interval ?? 25;
  const start = performance.now();
  let last: { value: T } | { error: unknown } | undefined;
  for (;;) {
    try {
      const value = await observe();
      last = { value };
      if (until(value)) return { ms: Math.round(performance.now() - start), value };
    } catch (error) {
      last = { error };
    }
    const elapsed = performance.now() - start;
    if (elapsed >= timeout) {
      const seen =
        "value" in last ? show(last.value) : `error: ${last.error instanceof Error ? last.error.message : show(last.error)}`;
      throw new LabError(`timed out after ${Math.round(elapsed)} ms waiting for ${opts.what}`, { details: `last observed: ${seen}` });
    }
    await delay(Math.min(interval, Math.max(1, timeout - elapsed)));
  }
}
