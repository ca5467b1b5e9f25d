import { execFileSync } from "node:child_process";
import { chownSync, mkdirSync, promises as fsp, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { atomicWrite } from "../../../src/effects/fs.js";
import { SvcrouteError } from "../../../src/errors.js";
import { tmpTree } from "../../helpers/tmp.js";

const isRoot = process.getuid?.() === 0;

/** a tiny tmpfs (root only): the way to get a real ENOSPC / EROFS */
function tinyFs(sizeKb: number): string {
  const dir = tmpTree({});
  const mnt = join(dir, "mnt");
  mkdirSync(mnt);
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${sizeKb}k`, "tmpfs", mnt]);
  onTestFinished(() => void execFileSync("umount", ["-l", mnt]));
  return mnt;
}

describe("atomicWrite", () => {
  it("creates, replaces and keeps the previous content", async () => {
    const dir = tmpTree({});
    const p = join(dir, "bird.conf");
    await atomicWrite(p, "one\n", { keepPrevious: true });
    expect(readFileSync(p, "utf8")).toBe("one\n");
    expect(statSync(p).mode & 0o777).toBe(0o640);
    await atomicWrite(p, "two\n", { keepPrevious: true });
    expect(readFileSync(p, "utf8")).toBe("two\n");
    expect(readFileSync(`${p}.prev`, "utf8")).toBe("one\n");
    expect(readdirSync(dir).sort()).toEqual(["bird.conf", "bird.conf.prev"]); // no temp files left
  });

  it("fsyncs the new file before the rename, and the directory after it", async () => {
    const dir = tmpTree({});
    const p = join(dir, "bird.conf");
    const steps: string[] = [];
    const open = fsp.open.bind(fsp);
    const rename = fsp.rename.bind(fsp);
    vi.spyOn(fsp, "open").mockImplementation(async (...a: Parameters<typeof fsp.open>) => {
      const fh = await open(...a);
      const sync = fh.sync.bind(fh);
      fh.sync = () => (steps.push(`sync ${String(a[0])}`), sync());
      return fh;
    });
    vi.spyOn(fsp, "rename").mockImplementation((from, to) => (steps.push(`rename ${String(from)} → ${String(to)}`), rename(from, to)));
    onTestFinished(() => void vi.restoreAllMocks());
    await atomicWrite(p, "one\n");
    const tmp = /^sync (\S+)$/.exec(steps[0] ?? "")?.[1] ?? "";
    expect(tmp).toMatch(new RegExp(`^${dir}/\\.bird\\.conf\\.svcroute-`));
    expect(steps).toEqual([`sync ${tmp}`, `rename ${tmp} → ${p}`, `sync ${dir}`]);
  });

  it.runIf(isRoot)("keeps the old file's mode, owner and group (the daemon's user must read it)", async () => {
    const dir = tmpTree({ "frr.conf": "old\n" });
    const p = join(dir, "frr.conf");
    execFileSync("chmod", ["0604", p]);
    chownSync(p, 65534, 65534);
    await atomicWrite(p, "new\n");
    const st = statSync(p);
    expect([st.mode & 0o777, st.uid, st.gid]).toEqual([0o604, 65534, 65534]);
  });

  it.runIf(isRoot)("a full filesystem leaves the old file intact and says why", async () => {
    const mnt = tinyFs(16);
    const p = join(mnt, "bird.conf");
    writeFileSync(p, "good config\n");
    const err = await atomicWrite(p, "x".repeat(64 * 1024)).catch((e: unknown) => e as SvcrouteError);
    expect(err).toBeInstanceOf(SvcrouteError);
    expect(err).toMatchObject({ code: "E_WRITE", message: expect.stringContaining("ENOSPC") });
    expect(err?.hint).toContain("previous file is unchanged");
    expect(readFileSync(p, "utf8")).toBe("good config\n");
    expect(readdirSync(mnt)).toEqual(["bird.conf"]);
  });

  it.runIf(isRoot)("a read-only filesystem leaves the old file intact", async () => {
    const mnt = tinyFs(64);
    const p = join(mnt, "frr.conf");
    writeFileSync(p, "good config\n");
    execFileSync("mount", ["-o", "remount,ro", mnt]);
    const err = await atomicWrite(p, "new\n").catch((e: unknown) => e as SvcrouteError);
    expect(err).toMatchObject({ code: "E_WRITE", message: expect.stringContaining("EROFS") });
    expect(readFileSync(p, "utf8")).toBe("good config\n");
  });

  it("a missing directory is an E_WRITE error, not a crash", async () => {
    const err = await atomicWrite("/nonexistent-dir/x.conf", "x").catch((e: unknown) => e as SvcrouteError);
    expect(err).toMatchObject({ code: "E_WRITE" });
  });

  it("concurrent readers never see a partial file", async () => {
    const dir = tmpTree({});
    const p = join(dir, "c.conf");
    const a = "a".repeat(200_000);
    const b = "b".repeat(300_000);
    await atomicWrite(p, a);
    const writing = new AbortController();
    const seen = new Set<number>();
    const reader = (async () => {
      while (!writing.signal.aborted) {
        const t = readFileSync(p, "utf8");
        seen.add(t.length);
        if (t !== a && t !== b) throw new Error(`partial read: ${t.length} bytes`);
        await new Promise((r) => setImmediate(r));
      }
    })();
    for (let i = 0; i < 30; i++) await atomicWrite(p, i % 2 ? a : b);
    writing.abort();
    await reader;
    expect([...seen].every((n) => n === a.length || n === b.length)).toBe(true);
    rmSync(p);
  });
});
