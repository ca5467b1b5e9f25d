// exec runner with real scripts: exit codes, output tails, timeouts that kill the whole process
// group (including a forked child), minimal environment, cwd, and running as `nobody`.
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OUTPUT_TAIL_BYTES, effectiveUser } from "../../../src/health/runners/exec.js";
import { findEntry, spawnIdentity } from "../../../src/health/runners/users.js";
import type { CheckSpec } from "../../../src/manifest/types.js";
import { runReal, waitFor } from "./targets.js";

type ExecSpec = Extract<CheckSpec, { type: "exec" }>;
const isRoot = process.getuid?.() === 0;
const me = userInfo().username;

let dir: string;
const script = (name: string, body: string) => {
  const p = join(dir, name);
  writeFileSync(p, `#!/bin/sh\n${body}\n`);
  chmodSync(p, 0o755);
  return p;
};
const spec = (command: string[], over: Partial<ExecSpec> = {}): ExecSpec => ({
  type: "exec",
  name: "script",
  timeoutMs: 3000,
  command,
  user: me,
  userFromManifest: true,
  group: undefined,
  env: {},
  cwd: "/",
  ...over,
});

/** A pid is gone, or a zombie waiting for its (new) parent to reap it: it runs no more. */
function dead(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return /^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return true;
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "svcroute-exec-"));
  chmodSync(dir, 0o755); // scripts must be reachable for `nobody` too
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("exec", () => {
  it("exit 0 is healthy; stdout is the reason", async () => {
    const r = await runReal(spec([script("ok.sh", "echo all good")]));
    expect(r).toMatchObject({ ok: true, reason: "exit 0: all good", exitCode: 0, output: "all good", type: "exec" });
  });

  it("exit 1 is unhealthy; stderr tail is the reason", async () => {
    const r = await runReal(spec([script("bad.sh", "echo to-stdout\necho 'CRITICAL: no answer' >&2\nexit 1")]));
    expect(r).toMatchObject({ ok: false, reason: "exit 1: CRITICAL: no answer", exitCode: 1 });
  });

  it("any non-zero exit is unhealthy, with argv passed verbatim (no shell)", async () => {
    const r = await runReal(spec([script("args.sh", 'echo "[$1][$2]"; exit 3'), "a b", "$HOME;*"]));
    expect(r).toMatchObject({ ok: false, exitCode: 3, reason: "exit 3: [a b][$HOME;*]" });
  });

  it("killed by a signal", async () => {
    const r = await runReal(spec([script("sig.sh", "kill -TERM $$")]));
    expect(r).toMatchObject({ ok: false, exitCode: null, signal: "SIGTERM" });
    expect(r.reason).toMatch(/^killed by SIGTERM/);
  });

  it("keeps only a bounded tail of the output", async () => {
    const r = await runReal(spec([script("loud.sh", "i=0; while [ $i -lt 3000 ]; do echo line-$i-xxxxxxxxxxxxxxxxxxxxxxxx >&2; i=$((i+1)); done; exit 2")]));
    expect(r.ok).toBe(false);
    expect(Buffer.byteLength(r.output!)).toBeLessThanOrEqual(OUTPUT_TAIL_BYTES + 3 * 100); // newlines become " | "
    expect(r.output).toMatch(/line-2999-x+$/);
    expect(r.reason.length).toBeLessThan(1000);
  });

  it("a hanging check is killed at the timeout", async () => {
    const pidFile = join(dir, "hang.pid");
    const t0 = performance.now();
    const r = await runReal(spec([script("hang.sh", `echo $$ > ${pidFile}; echo started; exec sleep 1000`)], { timeoutMs: 300 }));
    expect(performance.now() - t0).toBeLessThan(2000);
    expect(r).toMatchObject({ ok: false, timedOut: true, error: "ETIMEDOUT" });
    expect(r.reason).toMatch(/^timeout after 300ms \(running as .*, pid \d+\); output: started$/);
    const pid = Number(readFileSync(pidFile, "utf8"));
    await waitFor(() => dead(pid), 5000, `pid ${pid} to die`);
  });

  it("the timeout kills the whole process group: a forked child that hangs dies too", async () => {
    const pidFile = join(dir, "child.pid");
    const s = script("fork.sh", `sleep 1000 &\necho $! > ${pidFile}\nwait`);
    const r = await runReal(spec([s], { timeoutMs: 300 }));
    expect(r.timedOut).toBe(true);
    await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, "utf8").trim() !== "", 2000, "the pid file");
    const child = Number(readFileSync(pidFile, "utf8"));
    expect(child).toBeGreaterThan(1);
    await waitFor(() => dead(child), 5000, `child ${child} to die`);
  });

  it("a child left behind by a check that exited is killed as well", async () => {
    const pidFile = join(dir, "stray.pid");
    const r = await runReal(spec([script("stray.sh", `sleep 1000 >/dev/null 2>&1 &\necho $! > ${pidFile}\nexit 0`)]));
    expect(r.ok).toBe(true);
    const child = Number(readFileSync(pidFile, "utf8"));
    await waitFor(() => dead(child), 5000, `stray ${child} to die`);
  });

  it("runs with a minimal environment plus the manifest's env, in cwd", async () => {
    process.env.SVCROUTE_TEST_SECRET = "leak";
    const r = await runReal(spec([script("env.sh", 'echo "$PATH|$LANG|$FOO|${SVCROUTE_TEST_SECRET:-unset}|${HOME:-nohome}|$(pwd)"')], { env: { FOO: "bar baz" }, cwd: dir }));
    delete process.env.SVCROUTE_TEST_SECRET;
    expect(r.output).toBe(`/usr/sbin:/usr/bin:/sbin:/bin|C|bar baz|unset|nohome|${dir}`);
  });

  it("a missing program or working directory is a clear failure", async () => {
    expect(await runReal(spec(["/nonexistent/check"]))).toMatchObject({ ok: false, error: "ENOENT", reason: "cannot run /nonexistent/check: no such file" });
    expect(await runReal(spec(["/bin/true"], { cwd: "/nonexistent-dir" }))).toMatchObject({ ok: false, reason: "cannot run: working directory /nonexistent-dir does not exist" });
    const noexec = join(dir, "noexec.sh");
    writeFileSync(noexec, "#!/bin/sh\nexit 0\n", { mode: 0o644 });
    const r = await runReal(spec([noexec]));
    expect(r).toMatchObject({ ok: false, error: "EACCES" });
  });

  it("an unknown user is a clear failure", async () => {
    const r = await runReal(spec(["/bin/true"], { user: "no-such-user-xyz" }));
    expect(r).toMatchObject({ ok: false, error: "ENOUSER" });
    expect(r.reason).toMatch(/unknown user "no-such-user-xyz"/);
  });

  it.skipIf(!isRoot)("runs as nobody: the script sees nobody's uid and gid, and no supplementary groups", async () => {
    const pw = findEntry(readFileSync("/etc/passwd", "utf8"), "nobody")!;
    const r = await runReal(spec([script("id.sh", 'echo "$(id -u) $(id -g) $(id -G)"')], { user: "nobody" }));
    expect(r).toMatchObject({ ok: true, output: `${pw[2]} ${pw[3]} ${pw[3]}` });
  });

  it.skipIf(!isRoot)("runs as a named group", async () => {
    const r = await runReal(spec([script("gid.sh", "id -g")], { user: "nobody", group: "root" }));
    expect(r.output).toBe("0");
  });

  it("without root, another user is refused with a clear reason (not a crash)", () => {
    const who = { user: "nobody", uid: 65534, gid: 65534 };
    expect(spawnIdentity(who, { uid: 1000, gid: 1000 })).toEqual({
      error: expect.stringMatching(/^cannot run as user "nobody" \(uid 65534\): svcroute runs as uid 1000, and only root can switch users/),
    });
    expect(spawnIdentity({ user: "me", uid: 1000, gid: 1000 }, { uid: 1000, gid: 1000 })).toEqual({});
    expect(spawnIdentity(who, { uid: 0, gid: 0 })).toEqual({ uid: 65534, gid: 65534 });
    expect(spawnIdentity({ user: "root", uid: 0, gid: 0 }, { uid: 0, gid: 0 })).toEqual({});
  });

  it("the default user: nobody for a root supervisor, the supervisor's own user otherwise", () => {
    expect(effectiveUser({ user: "nobody", userFromManifest: false }, 0)).toBe("nobody");
    expect(effectiveUser({ user: "nobody", userFromManifest: false }, 1000)).toBe(userInfo().username);
    expect(effectiveUser({ user: "nobody", userFromManifest: true }, 1000)).toBe("nobody");
    expect(effectiveUser({ user: "root", userFromManifest: true }, 0)).toBe("root");
  });

  // svcroute unprivileged (as the packaged unit runs it): a check for another user cannot be
  // started and says why; a check for its own user runs. As root, the runner itself is started
  // as `nobody` (setpriv), so this runs for real in CI too.
  it("unprivileged, a check for another user reports the error as its result; one for its own user runs", async () => {
    const asUnprivileged = (s: ExecSpec): Promise<{ ok: boolean; error?: string; reason: string }> => {
      if (!isRoot) return runReal(s);
      const code = `import(${JSON.stringify(join(process.cwd(), "test/unit/health/targets.ts"))}).then(async (t) => console.log(JSON.stringify(await t.runReal(${JSON.stringify(s)}))))`;
      const out = execFileSync("setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", process.execPath, "--import", "tsx", "-e", code], { encoding: "utf8" });
      return Promise.resolve(JSON.parse(out.trim().split("\n").at(-1)!));
    };
    const self = isRoot ? "nobody" : me;
    const other = self === "daemon" ? "nobody" : "daemon";
    const refused = await asUnprivileged(spec(["/bin/true"], { user: other }));
    expect(refused).toMatchObject({ ok: false, error: "EPERM" });
    expect(refused.reason).toMatch(new RegExp(`cannot run as user "${other}" .*only root can switch users`));
    const own = await asUnprivileged(spec([script("whoami.sh", "id -un")], { user: self }));
    expect(own).toMatchObject({ ok: true, reason: `exit 0: ${self}` });
  });
});
