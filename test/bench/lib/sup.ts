// The real supervisor (`svcroute run`, the lab run's copy of the built bundle) in a lab host's
// namespace, and its JSON log read back as events.
import { closeSync, mkdirSync, openSync, readSync, renameSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { terminate } from "./stop.js";
import type { Lab } from "../../lab/harness/lab.js";
import { bundleFor } from "../../lab/harness/supervised.js";
import { fetchStatus } from "../../../src/supervisor/client.js";
import type { SupervisorStatus } from "../../../src/supervisor/status-types.js";
import { sleep } from "./clock.js";
import { etcDir } from "./manifest.js";
import launcherEnv from "../../../packaging/launcher-env.json" with { type: "json" };

/** replace a file as config management does: write beside it, rename over it */
export function writeAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.bench.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

export interface LogLine {
  ts: string;
  level: string;
  msg: string;
  op: string;
  service?: string;
  to?: string;
  from?: string;
  path?: string;
  duration_ms?: number;
  /** wall clock of a health transition in epoch microseconds (when the supervisor logs it) */
  at_us?: number;
  [k: string]: unknown;
}

/** epoch microseconds of a log line: its `at_us` when present, else its `ts` (millisecond resolution) */
export const lineUs = (l: LogLine): number => (typeof l.at_us === "number" ? l.at_us : Date.parse(l.ts) * 1000);

/** Follows a supervisor's JSON log. */
export class SupLog {
  private pos = 0;
  private rest = "";
  readonly lines: LogLine[] = [];
  private readonly buf = Buffer.alloc(1 << 18);

  constructor(readonly file: string) {
    try {
      this.pos = statSync(file).size;
    } catch {
      this.pos = 0;
    }
  }

  poll(): void {
    let fd: number;
    try {
      fd = openSync(this.file, "r");
    } catch {
      return;
    }
    try {
      for (;;) {
        const n = readSync(fd, this.buf, 0, this.buf.length, this.pos);
        if (n <= 0) break;
        this.pos += n;
        const parts = (this.rest + this.buf.subarray(0, n).toString("utf8")).split("\n");
        this.rest = parts.pop() ?? "";
        for (const p of parts) {
          if (!p.startsWith("{")) continue;
          try {
            this.lines.push(JSON.parse(p) as LogLine);
          } catch {
            /* a line that is not JSON (stderr noise) */
          }
        }
      }
    } finally {
      closeSync(fd);
    }
  }

  mark(): number {
    this.poll();
    return this.lines.length;
  }

  /** the first line after `mark` matching `pred`, waiting up to `timeoutMs` */
  async wait(mark: number, pred: (l: LogLine) => boolean, timeoutMs: number): Promise<LogLine | undefined> {
    const deadline = performance.now() + timeoutMs;
    for (;;) {
      this.poll();
      for (let i = mark; i < this.lines.length; i++) if (pred(this.lines[i]!)) return this.lines[i];
      if (performance.now() > deadline) return undefined;
      await sleep(5);
    }
  }

  since(mark: number): LogLine[] {
    this.poll();
    return this.lines.slice(mark);
  }
}

export interface RunningSupervisor {
  host: string;
  manifest: string;
  socket: string;
  pid: number;
  log: SupLog;
  exited: Promise<number | null>;
  status(): Promise<SupervisorStatus>;
  /** SIGTERM (a clean stop withdraws everything), SIGKILL after `graceMs` */
  stop(graceMs?: number): Promise<void>;
}

/** Write the manifest and start `svcroute run` on it in the host's namespace; resolves once it has reconciled. */
export async function startSupervisor(lab: Lab, hostName: string, manifestText: string, opts: { timeoutMs?: number; logName?: string } = {}): Promise<RunningSupervisor> {
  const host = lab.host(hostName);
  const manifest = join(etcDir(host), "svcroute.yaml");
  writeAtomic(manifest, manifestText);
  const logFile = join(host.dir, opts.logName ?? "svcroute.log");
  const log = new SupLog(logFile);
  const socket = join(host.dir, "svcroute.sock");
  // the environment /usr/bin/svcroute gives it (packaging/package.mjs), as systemd starts it
  const env = { ...launcherEnv, ...process.env };
  const p = lab.spawn(hostName, process.execPath, [bundleFor(lab), "run", "--manifest", manifest, "--log-format", "json"], { logFile, env });
  const state = { done: false };
  const exited = p.exited.then((c) => ((state.done = true), c));
  const s: RunningSupervisor = {
    host: hostName,
    manifest,
    socket,
    pid: p.pid,
    log,
    exited,
    status: () => fetchStatus(socket),
    async stop(graceMs = 10_000) {
      if (state.done) return;
      await terminate(p.pid, exited, graceMs);
    },
  };
  const deadline = performance.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    if (state.done) throw new Error(`svcroute run on ${hostName} exited at start; see ${logFile}`);
    const st = await fetchStatus(socket).catch(() => undefined);
    if (st?.last_reconcile) break;
    if (performance.now() > deadline) {
      await s.stop(1000);
      throw new Error(`svcroute run on ${hostName} did not reconcile within ${opts.timeoutMs ?? 60_000} ms; see ${logFile}`);
    }
    await sleep(50);
  }
  return s;
}

/** the health transition of `service` to `to` after `mark` */
export const transition = (service: string, to: string) => (l: LogLine) => l.op === "health" && l.service === service && l.to === to;
