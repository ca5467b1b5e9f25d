// The only place the harness starts processes. Everything else asks for a command to be run here.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { openSync, closeSync } from "node:fs";
import { LabError } from "./errors.js";

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  timeoutMs?: number;
  /** return a non-zero exit instead of throwing */
  allowFail?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** The argv that runs `cmd` inside network namespace `ns`. */
export function nsArgv(ns: string, cmd: string, args: readonly string[]): [string, string[]] {
  return ["ip", ["netns", "exec", ns, cmd, ...args]];
}

function describe(cmd: string, args: readonly string[]): string {
  return [cmd, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(" ");
}

function failure(cmd: string, args: readonly string[], r: RunResult): LabError {
  return new LabError(`command failed (exit ${r.code}): ${describe(cmd, args)}`, {
    details: (r.stderr || r.stdout).trim().slice(0, 4000),
  });
}

export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: ["pipe", "pipe", "pipe"],
      env: opts.env ?? process.env,
      timeout: opts.timeoutMs ?? 30_000,
      killSignal: "SIGKILL",
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", (e) => reject(spawnError(cmd, args, e)));
    child.on("close", (code, signal) => {
      const r = { code: code ?? (signal ? 128 : 1), stdout, stderr };
      if (r.code !== 0 && !opts.allowFail) reject(failure(cmd, args, r));
      else resolve(r);
    });
    child.stdin.on("error", () => undefined);
    child.stdin.end(opts.input ?? "");
  });
}

export function runSync(cmd: string, args: readonly string[], opts: RunOptions = {}): RunResult {
  const res = spawnSync(cmd, args, {
    input: opts.input ?? "",
    encoding: "utf8",
    timeout: opts.timeoutMs ?? 30_000,
    env: opts.env ?? process.env,
  });
  if (res.error) throw spawnError(cmd, args, res.error);
  const r = { code: res.status ?? 128, stdout: res.stdout, stderr: res.stderr };
  if (r.code !== 0 && !opts.allowFail) throw failure(cmd, args, r);
  return r;
}

/**
 * Run a program that daemonises itself (FRR `-d`, BIRD): its output goes to `logFile`, because a
 * daemon that inherits a pipe would keep it open and the call would never finish.
 */
export function runDaemonising(cmd: string, args: readonly string[], logFile: string): Promise<number> {
  const fd = openSync(logFile, "a");
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", fd, fd], timeout: 30_000, killSignal: "SIGKILL" });
    child.on("error", (e) => {
      closeSync(fd);
      reject(spawnError(cmd, args, e));
    });
    child.on("exit", (code, signal) => {
      closeSync(fd);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

/** A long-running child whose output goes to `logFile`; the caller tracks and ends it. */
export function spawnLogged(cmd: string, args: readonly string[], logFile: string, env?: NodeJS.ProcessEnv): ChildProcess {
  const fd = openSync(logFile, "a");
  try {
    return spawn(cmd, args, { stdio: ["ignore", fd, fd], env: env ?? process.env });
  } finally {
    closeSync(fd);
  }
}

function spawnError(cmd: string, args: readonly string[], e: Error & { code?: string }): LabError {
  if (e.code === "ENOENT") {
    return new LabError(`program not found: ${cmd}`, {
      hint: "install the lab's packages: apt-get install -y iproute2 frr frr-pythontools bird2",
      cause: e,
    });
  }
  return new LabError(`could not run ${describe(cmd, args)}: ${e.message}`, { cause: e });
}
