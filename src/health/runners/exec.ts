// exec check: run argv (never a shell) as the manifest's user in its own process group, with a
// minimal environment. Exit 0 is healthy; anything else, a signal, or the deadline is not. The
// last OUTPUT_TAIL_BYTES of stderr (stdout when stderr is empty) become the reason.
//
// This spawner is deliberately not src/effects/exec.ts (execa, for the daemon tools): a check
// needs its own process group (detached: true → setsid) so the deadline can SIGKILL the whole
// group, uid/gid switching, output bounded while it streams, and the lowest cost per spawn, since
// it runs every interval for every exec check. node:child_process does exactly that.
//
// Process group: on abort (deadline, stop) and right after the check's main process exits, the
// group is sent SIGKILL, so nothing a check forked outlives it. A child that calls setsid() itself
// leaves the group and is out of reach (only a cgroup would catch it).
import { spawn, type ChildProcess } from "node:child_process";
import { stat } from "node:fs/promises";
import type { CheckSpec } from "../../manifest/types.js";
import type { Outcome, PromiseRunFn, RunContext } from "../types.js";
import { Tail, errnoOf } from "./text.js";
import { userInfo } from "node:os";
import { resolveIdentity, spawnIdentity } from "./users.js";

type ExecSpec = Extract<CheckSpec, { type: "exec" }>;

const EXEC_PATH = "/usr/sbin:/usr/bin:/sbin:/bin";
export const OUTPUT_TAIL_BYTES = 512;

function execEnv(spec: ExecSpec): Record<string, string> {
  return { PATH: EXEC_PATH, LANG: "C", ...spec.env };
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, "SIGKILL");
  } catch {
    // ESRCH: the group is already gone
  }
}

async function spawnFailure(e: unknown, spec: ExecSpec): Promise<Outcome> {
  const code = errnoOf(e) ?? "EINTERNAL";
  if (code === "ENOENT") {
    const cwdOk = await stat(spec.cwd).then((s) => s.isDirectory(), () => false);
    if (!cwdOk) return { ok: false, reason: `cannot run: working directory ${spec.cwd} does not exist`, error: code };
    return { ok: false, reason: `cannot run ${spec.command[0]}: no such file`, error: code };
  }
  if (code === "EACCES") return { ok: false, reason: `cannot run ${spec.command[0]} as ${effectiveUser(spec)}: permission denied`, error: code };
  return { ok: false, reason: `cannot run ${spec.command[0]}: ${(e as Error).message}`, error: code };
}

function run(spec: ExecSpec, env: Record<string, string>, ids: { uid?: number; gid?: number }, ctx: Omit<RunContext, "settle">): Promise<Outcome> {
  return new Promise<Outcome>((resolve) => {
    const out = new Tail(OUTPUT_TAIL_BYTES);
    const err = new Tail(OUTPUT_TAIL_BYTES);
    const tail = () => err.text() || out.text();
    let settled = false;
    let child: ChildProcess;
    const finish = (o: Outcome | Promise<Outcome>) => {
      if (settled) return;
      settled = true;
      resolve(o);
    };
    const onAbort = () => {
      if (!settled) killGroup(child);
    };
    try {
      child = spawn(spec.command[0]!, spec.command.slice(1), {
        cwd: spec.cwd,
        env,
        stdio: ["ignore", "pipe", "pipe"],
        detached: true,
        ...ids,
      });
    } catch (e) {
      finish(spawnFailure(e, spec));
      return;
    }
    ctx.phase = `running as ${effectiveUser(spec)}, pid ${child.pid ?? "?"}`;
    ctx.partial = () => ({ output: tail() });
    ctx.onAbort(onAbort);
    child.stdout!.on("data", (c: Buffer) => out.push(c));
    child.stderr!.on("data", (c: Buffer) => err.push(c));
    child.on("error", (e) => {
      killGroup(child);
      finish(spawnFailure(e, spec));
    });
    // The main process is gone: end whatever it left behind, which also closes inherited pipes.
    child.on("exit", () => killGroup(child));
    child.on("close", (code: number | null, signal: NodeJS.Signals | null) => {
      const output = tail();
      const text = output ? `: ${output}` : " (no output)";
      if (code === 0) finish({ ok: true, reason: `exit 0${text}`, exitCode: 0, signal: null, output });
      else if (code !== null) finish({ ok: false, reason: `exit ${code}${text}`, exitCode: code, signal: null, output });
      else finish({ ok: false, reason: `killed by ${signal ?? "a signal"}${text}`, exitCode: null, signal, output });
    });
  });
}

/**
 * The user a check runs as: the manifest's, else nobody when svcroute is root (it never runs a
 * check as root unless told), else svcroute's own user (an unprivileged supervisor cannot switch).
 */
export function effectiveUser(spec: Pick<ExecSpec, "user" | "userFromManifest">, uid = process.getuid?.() ?? 0): string {
  if (spec.userFromManifest || uid === 0) return spec.user;
  try {
    return userInfo().username;
  } catch {
    return spec.user;
  }
}

export function prepareExec(spec: ExecSpec): PromiseRunFn {
  const env = execEnv(spec);
  const user = effectiveUser(spec);
  return async (ctx) => {
    ctx.phase = `resolving user ${user}`;
    const who = await resolveIdentity(user, spec.group);
    if ("error" in who) return { ok: false, reason: who.error, error: "ENOUSER" };
    const ids = spawnIdentity(who);
    if ("error" in ids) return { ok: false, reason: ids.error, error: "EPERM" };
    if (ctx.signal.aborted) return { ok: false, reason: "aborted before start", error: "ECANCELED" };
    return run(spec, env, ids, ctx);
  };
}
