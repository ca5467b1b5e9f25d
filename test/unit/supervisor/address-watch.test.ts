// The address watch: between reconciles the host's addresses are read every ADDRESS_WATCH_MS, and
// a change asks for a reconcile, which withdraws a service whose address is gone (engine.test.ts,
// "address required"). So an address removed by hand is withdrawn within ADDRESS_WATCH_MS plus one
// reconcile, as docs/manifest.md says.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ADDRESS_WATCH_MS, startAddressWatch } from "../../../src/supervisor/addresses.js";
import type { Trigger } from "../../../src/supervisor/loop.js";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("address watch", () => {
  it("asks for a reconcile within ADDRESS_WATCH_MS of an address leaving, and only when something changed", async () => {
    let present = true;
    const triggers: { t: Trigger; at: number }[] = [];
    const timer = startAddressWatch({ changed: async () => !present, trigger: (t) => triggers.push({ t, at: Date.now() }) });
    await vi.advanceTimersByTimeAsync(3 * ADDRESS_WATCH_MS + 700);
    expect(triggers).toEqual([]);
    const removed = Date.now();
    present = false;
    await vi.advanceTimersByTimeAsync(ADDRESS_WATCH_MS);
    expect(triggers.map((x) => x.t)).toEqual(["addresses"]);
    expect(triggers[0]!.at - removed).toBeLessThanOrEqual(ADDRESS_WATCH_MS);
    clearInterval(timer);
  });

  it("reads one at a time: a slow read is not joined by another, and a failed one asks nothing", async () => {
    const reads: { settle: (v: boolean) => void; fail: (e: Error) => void }[] = [];
    const triggers: Trigger[] = [];
    const timer = startAddressWatch({ changed: () => new Promise<boolean>((settle, fail) => reads.push({ settle, fail })), trigger: (t) => triggers.push(t) });
    await vi.advanceTimersByTimeAsync(10 * ADDRESS_WATCH_MS);
    expect(reads).toHaveLength(1);
    reads[0]!.fail(new Error("ip: Cannot open netlink socket"));
    await vi.advanceTimersByTimeAsync(ADDRESS_WATCH_MS);
    expect(triggers).toEqual([]);
    expect(reads).toHaveLength(2);
    reads[1]!.settle(true);
    await vi.advanceTimersByTimeAsync(1);
    expect(triggers).toEqual(["addresses"]);
    clearInterval(timer);
  });
});
