// systemd readiness and watchdog through the real systemd-notify, received on a datagram socket
// standing in for systemd's NOTIFY_SOCKET (Node cannot open one: a python3 receiver does).
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { exec, type Exec } from "../../../src/effects/exec.js";
import { createNotifier, underSystemd } from "../../../src/supervisor/notify.js";

const RECEIVER = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("bound", flush=True)
while True:
    print(s.recv(65536).decode().replace("\\n", " "), flush=True)
`;

let receiver: ChildProcess | undefined;
let dir: string | undefined;
afterEach(() => {
  vi.unstubAllEnvs();
  receiver?.kill("SIGKILL");
  if (dir) rmSync(dir, { recursive: true, force: true });
  receiver = dir = undefined;
});

async function notifySocket(): Promise<{ path: string; messages: string[] }> {
  dir = mkdtempSync(join(tmpdir(), "svcroute-notify-"));
  const path = join(dir, "notify");
  const messages: string[] = [];
  receiver = spawn("/usr/bin/python3", ["-c", RECEIVER, path], { stdio: ["ignore", "pipe", "inherit"] });
  let buf = "";
  receiver.stdout!.on("data", (c: Buffer) => {
    buf += c.toString();
    const lines = buf.split("\n");
    buf = lines.pop()!;
    messages.push(...lines);
  });
  await vi.waitFor(() => expect(messages).toContain("bound"), { timeout: 5000 });
  return { path, messages };
}

describe("systemd notifications", () => {
  // systemd-notify --pid=ANOTHER needs root's credentials to speak for the supervisor
  it.runIf(process.getuid?.() === 0)("readiness with a status, watchdog pings and stopping reach NOTIFY_SOCKET, each naming the supervisor's pid", async () => {
    const { path, messages } = await notifySocket();
    // systemd-notify finds the socket in the environment it inherits, as under systemd
    vi.stubEnv("NOTIFY_SOCKET", path);
    vi.stubEnv("WATCHDOG_USEC", "3000000");
    const n = createNotifier(process.env, exec);
    expect(n.enabled).toBe(true);
    expect(n.watchdogEveryMs).toBe(1500);
    await n.ready("2 services announced");
    await n.watchdog();
    await n.stopping();
    const pid = `MAINPID=${process.pid}`;
    await vi.waitFor(() => expect(messages.filter((m) => m.includes(pid)), messages.join(" / ")).toHaveLength(3), { timeout: 5000 });
    const sent = messages.filter((m) => m.includes(pid));
    expect(sent[0]).toMatch(/READY=1 STATUS=2 services announced/);
    expect(sent[1]).toMatch(/WATCHDOG=1/);
    expect(sent[2]).toMatch(/STOPPING=1/);
  });

  it("without NOTIFY_SOCKET nothing is sent and no watchdog runs; a watchdog meant for another pid is not ours", async () => {
    const calls: string[][] = [];
    const fake: Exec = async (file, args) => {
      calls.push([file, ...args]);
      return { code: 0, stdout: "", stderr: "", durationMs: 0, timedOut: false, notFound: false };
    };
    const off = createNotifier({ WATCHDOG_USEC: "3000000" }, fake);
    await off.ready("x");
    await off.watchdog();
    expect(off.enabled).toBe(false);
    expect(off.watchdogEveryMs).toBeUndefined();
    expect(calls).toEqual([]);
    expect(createNotifier({ NOTIFY_SOCKET: "/run/x", WATCHDOG_USEC: "3000000", WATCHDOG_PID: String(process.pid + 1) }, fake).watchdogEveryMs).toBeUndefined();
    expect(underSystemd({ INVOCATION_ID: "abc" })).toBe(true);
    expect(underSystemd({})).toBe(false);
  });
});
