// The fail-closed guard's decision, with a pipe standing in for the supervisor's stdin.
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { runGuard } from "../../../src/supervisor/guard.js";
import { memoryLogger } from "../../../src/supervisor/log.js";

const OLD = 4242;

/** `holder(ms since start)`: the pid answering on the lock then, or undefined */
function setup(o: { holder?: (sinceStartMs: number) => number | undefined; withdraw?: () => Promise<void> } = {}) {
  const input = new PassThrough();
  const log = memoryLogger();
  let withdrawals = 0;
  const t0 = Date.now();
  const outcome = runGuard({
    input,
    graceMs: 300,
    pollMs: 20,
    parentPid: OLD,
    lockHolder: async () => o.holder?.(Date.now() - t0),
    withdraw: async () => {
      withdrawals++;
      await o.withdraw?.();
    },
    log,
  });
  return { input, log, outcome, withdrawals: () => withdrawals };
}

describe("fail-closed guard", () => {
  it('a planned exit ("bye", then EOF): nothing to do', async () => {
    const t = setup();
    t.input.end("bye\n");
    expect(await t.outcome).toBe("planned-exit");
    expect(t.withdrawals()).toBe(0);
  });

  it('EOF without "bye" (the supervisor died) and no successor within the grace: withdraws', async () => {
    const t = setup();
    const t0 = Date.now();
    t.input.end();
    expect(await t.outcome).toBe("withdrew");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
    expect(t.withdrawals()).toBe(1);
    expect(t.log.lines.map((l) => l.msg)).toEqual(expect.arrayContaining([expect.stringMatching(/pid 4242\) exited unexpectedly/), "every prefix withdrawn"]));
  });

  it("a new supervisor (another pid) takes the lock within the grace: stands down", async () => {
    const t = setup({ holder: (ms) => (ms >= 100 ? 5151 : undefined) });
    t.input.end();
    expect(await t.outcome).toBe("taken-over");
    expect(t.withdrawals()).toBe(0);
  });

  it("the old supervisor still holding the lock is no successor (it closed the pipe first because it could not withdraw)", async () => {
    const t = setup({ holder: (ms) => (ms < 100 ? OLD : undefined) });
    t.input.end();
    expect(await t.outcome).toBe("withdrew");
    expect(t.withdrawals()).toBe(1);
  });

  it("a withdrawal that fails is logged in the guard's own log (with its code), not lost", async () => {
    const t = setup({
      withdraw: async () => {
        throw Object.assign(new Error("BIRD control socket /run/bird/bird.ctl: ENOENT"), { code: "E_DAEMON_UNAVAILABLE" });
      },
    });
    t.input.end();
    expect(await t.outcome).toBe("withdraw-failed");
    const failed = t.log.lines.find((l) => /withdrawal failed/.test(l.msg));
    expect(failed).toMatchObject({ level: "error", fields: { code: "E_DAEMON_UNAVAILABLE" } });
  });
});
