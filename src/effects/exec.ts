// The one place svcroute runs other programs: argv only (never a shell), a timeout, and the
// result as data. Callers take an `Exec` so tests can pass a fake.
import { execa } from "execa";

export interface ExecOptions {
  /** milliseconds before the child is killed (default 10 s) */
  timeoutMs?: number;
  /** text written to the child's stdin (default: none) */
  input?: string;
  env?: Record<string, string>;
  /** working directory of the child (default "/": every path svcroute passes is absolute, and the
   * caller's directory may not exist where the child runs, e.g. under PrivateTmp) */
  cwd?: string;
}

export interface ExecResult {
  /** exit code; null when the program could not start or was killed */
  code: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
  /** the program does not exist (ENOENT) or is not executable (EACCES) */
  notFound: boolean;
  /** why it could not start or was killed, if so */
  error?: string;
}

export type Exec = (file: string, args: readonly string[], opts?: ExecOptions) => Promise<ExecResult>;

const DEFAULT_TIMEOUT_MS = 10_000;

export const exec: Exec = async (file, args, opts = {}) => {
  const t0 = performance.now();
  const r = await execa(file, args, {
    reject: false,
    shell: false,
    timeout: opts.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...(opts.input !== undefined ? { input: opts.input } : { stdin: "ignore" as const }),
    ...(opts.env ? { env: opts.env, extendEnv: false } : {}),
    cwd: opts.cwd ?? "/",
    stripFinalNewline: false,
    encoding: "utf8",
  });
  const spawnCode = (r as { code?: string }).code;
  const notFound = spawnCode === "ENOENT" || spawnCode === "EACCES";
  const exitCode = typeof r.exitCode === "number" ? r.exitCode : null;
  return {
    code: exitCode,
    stdout: typeof r.stdout === "string" ? r.stdout : "",
    stderr: typeof r.stderr === "string" ? r.stderr : "",
    durationMs: Math.round((performance.now() - t0) * 10) / 10,
    timedOut: r.timedOut,
    notFound,
    ...(r.failed && exitCode === null ? { error: r.shortMessage } : {}),
  };
};
