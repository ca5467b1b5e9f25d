// systemd readiness and watchdog. Node cannot send a datagram to NOTIFY_SOCKET itself, so the
// messages go through `systemd-notify` (the unit sets NotifyAccess=all, since the sender is a
// child process; systemd-notify waits until systemd has read the message, so it is not lost).
import type { Exec } from "../effects/exec.js";

export interface Notifier {
  readonly enabled: boolean;
  /** half the watchdog period, when systemd asked for a watchdog */
  readonly watchdogEveryMs: number | undefined;
  ready(status: string): Promise<void>;
  status(status: string): Promise<void>;
  watchdog(): Promise<void>;
  stopping(): Promise<void>;
}

export function createNotifier(env: NodeJS.ProcessEnv, exec: Exec, bin = "systemd-notify"): Notifier {
  const enabled = Boolean(env.NOTIFY_SOCKET);
  const usec = Number(env.WATCHDOG_USEC);
  const forUs = env.WATCHDOG_PID === undefined || Number(env.WATCHDOG_PID) === process.pid;
  const send = async (...args: string[]) => {
    if (!enabled) return;
    await exec(bin, [`--pid=${process.pid}`, ...args], { timeoutMs: 5000 });
  };
  return {
    enabled,
    watchdogEveryMs: enabled && forUs && usec > 0 ? Math.max(500, Math.floor(usec / 2000)) : undefined,
    ready: (s) => send("--ready", `--status=${s}`),
    status: (s) => send(`--status=${s}`),
    watchdog: () => send("WATCHDOG=1"),
    stopping: () => send("STOPPING=1"),
  };
}

/** true when this process was started by systemd (then systemd, not our guard, handles crashes) */
export function underSystemd(env: NodeJS.ProcessEnv): boolean {
  return Boolean(env.INVOCATION_ID || env.NOTIFY_SOCKET);
}
