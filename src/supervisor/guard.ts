// The fail-closed guard (without systemd). The supervisor starts it detached, holding the write
// end of a pipe to it. A planned exit says "bye" first; EOF without "bye" means the supervisor
// died (even by kill -9) or could not withdraw on its way out. The guard then waits the grace
// period for a new supervisor to take the lock — a quick restart must not flap routes — and
// otherwise withdraws everything. Only a lock holder that answers with a pid other than the old
// supervisor's is a successor: the old one may still hold the lock (it closes the pipe first when
// it could not withdraw), and a killed one's socket keeps accepting connections for a few ms.
import type { Readable } from "node:stream";
import type { Logger } from "./log.js";

export interface GuardOptions {
  input: Readable;
  graceMs: number;
  pollMs?: number;
  /** the pid of the supervisor holding the lock now (it answers itself), or undefined */
  lockHolder: () => Promise<number | undefined>;
  withdraw: () => Promise<void>;
  log: Logger;
  parentPid: number;
}

export type GuardOutcome = "planned-exit" | "taken-over" | "withdrew" | "withdraw-failed";

function waitForEnd(input: Readable): Promise<boolean> {
  return new Promise((resolve) => {
    let buf = "";
    input.setEncoding("utf8");
    input.on("data", (d: string) => {
      buf += d;
      if (buf.includes("bye\n")) resolve(true);
    });
    input.on("end", () => resolve(buf.includes("bye\n")));
    input.on("close", () => resolve(buf.includes("bye\n")));
    input.on("error", () => resolve(false));
  });
}

export async function runGuard(o: GuardOptions): Promise<GuardOutcome> {
  const planned = await waitForEnd(o.input);
  if (planned) return "planned-exit";
  o.log.warn(`the supervisor (pid ${o.parentPid}) exited unexpectedly; waiting ${o.graceMs} ms for a new one`, { op: "guard" });
  const deadline = Date.now() + o.graceMs;
  const poll = o.pollMs ?? 200;
  const takenOver = async () => {
    const pid = await o.lockHolder();
    return pid !== undefined && pid !== o.parentPid;
  };
  while (Date.now() < deadline) {
    if (await takenOver()) {
      o.log.info("a new supervisor took over; nothing to do", { op: "guard" });
      return "taken-over";
    }
    await new Promise((r) => setTimeout(r, poll));
  }
  if (await takenOver()) return "taken-over";
  o.log.error(`no supervisor for ${o.graceMs} ms: withdrawing every prefix (fail-closed)`, { op: "guard", code: "E_SUPERVISOR_DOWN" });
  try {
    await o.withdraw();
  } catch (e) {
    // the guard's own log is the only place anyone will look for this
    const code = (e as { code?: string }).code ?? "E_INTERNAL";
    o.log.error(`withdrawal failed: ${(e as Error).message}`, { op: "guard", code });
    return "withdraw-failed";
  }
  o.log.info("every prefix withdrawn", { op: "guard" });
  return "withdrew";
}
