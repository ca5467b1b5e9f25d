// When the manifest's files are whole: judged by their ctime on a real file system (a rename, a
// slow writer, a change during the read, a removal, a clock the ctimes are ahead of).
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { snapshot } from "../../../src/effects/rescan.js";
import { readWhenStill, stillWait, type Look } from "../../../src/effects/settle.js";
import { tmpTree } from "../../helpers/tmp.js";

const STILL = 100;

function scopeOf(dir: string) {
  return { files: [join(dir, "svcroute.yaml")], dirs: [join(dir, "services.d")] };
}

/** readWhenStill on the tree, counting reads and waits */
function reader(dir: string, o: { now?: () => number; maxWaitMs?: number; stillMs?: number; duringRead?: (n: number) => void } = {}) {
  const counts = { reads: 0, waits: 0 };
  const read = async () => {
    counts.reads++;
    const text = readFileSync(join(dir, "svcroute.yaml"), "utf8");
    o.duringRead?.(counts.reads);
    return text;
  };
  const done = readWhenStill(scopeOf(dir), read, { stillMs: o.stillMs ?? STILL, now: o.now, maxWaitMs: o.maxWaitMs, onWait: () => counts.waits++ });
  return { counts, done };
}

const look = (at: number, newest: number, snap = new Map([["f", "1"]])): Look => ({ at, newest, snap });

describe("stillWait", () => {
  it.each([
    ["changed long ago", look(10_000, 1_000), look(10_000, 1_000), 0],
    ["changed exactly the moment ago", look(10_000, 9_900), look(10_000, 9_900), 0],
    ["changed 30 ms ago: the rest of the moment", look(10_000, 9_970), look(10_000, 9_970), 70],
    ["changed just now", look(10_000, 10_000), look(10_000, 10_000), STILL],
    ["nothing exists", look(10_000, -Infinity, new Map()), look(10_000, -Infinity, new Map()), 0],
    ["ctime ahead of the clock, first look", look(10_000, 50_000), look(10_000, 50_000), STILL],
    ["ctime ahead of the clock, the same seen a moment ago", look(10_100, 50_000), look(10_000, 50_000), 0],
    ["ctime ahead of the clock, the same seen 50 ms ago", look(10_050, 50_000), look(10_000, 50_000), STILL],
  ])("%s", (_what, l, since, want) => {
    expect(stillWait(l, since, STILL)).toBe(want);
  });
});

describe("readWhenStill", () => {
  it("a file renamed into place is read once, once it has been still for the moment", async () => {
    const dir = tmpTree({ "services.d/web.yaml": "w" });
    await sleep(STILL + 20);
    writeFileSync(join(dir, ".svcroute.yaml.tmp"), "version: 1\n");
    renameSync(join(dir, ".svcroute.yaml.tmp"), join(dir, "svcroute.yaml"));
    const t0 = performance.now();
    const r = reader(dir);
    expect(await r.done).toBe("version: 1\n");
    expect(r.counts.reads).toBe(1);
    expect(r.counts.waits).toBeGreaterThan(0);
    // a ctime is kept at the kernel's tick: it may be a few ms older than the rename
    expect(performance.now() - t0).toBeGreaterThanOrEqual(STILL - 15);
  });

  it("files still for longer than the moment are read at once, once", async () => {
    const dir = tmpTree({ "svcroute.yaml": "a", "services.d/web.yaml": "w" });
    await sleep(STILL + 20);
    const r = reader(dir);
    expect(await r.done).toBe("a");
    expect(r.counts).toEqual({ reads: 1, waits: 0 });
  });

  it("a slow writer (a few bytes every 20 ms, well within the moment) is read only once it has finished", async () => {
    const dir = tmpTree({ "svcroute.yaml": "", "services.d/web.yaml": "w" });
    let text = "";
    let writing = true;
    const writer = (async () => {
      for (let i = 0; i < 20; i++) {
        text += `line ${i}\n`;
        writeFileSync(join(dir, "svcroute.yaml"), text);
        await sleep(20);
      }
      writing = false;
    })();
    const r = reader(dir, { stillMs: 300 });
    const got = await r.done;
    await writer;
    expect(writing, "read while still being written").toBe(false);
    expect(got).toBe(text);
  });

  it("a drop-in removed a moment ago delays the read (the directory's ctime); one changed during the read makes it read again", async () => {
    const dir = tmpTree({ "svcroute.yaml": "a", "services.d/web.yaml": "w", "services.d/dns.yaml": "d" });
    await sleep(STILL + 20);
    rmSync(join(dir, "services.d/dns.yaml"));
    const r = reader(dir, { duringRead: (n) => n === 1 && writeFileSync(join(dir, "services.d/web.yaml"), "w2") });
    expect(await r.done).toBe("a");
    expect(r.counts.waits).toBeGreaterThan(0);
    expect(r.counts.reads).toBe(2);
  });

  it("ctimes ahead of the clock: read once two looks a moment apart agree", async () => {
    const dir = tmpTree({ "svcroute.yaml": "a", "services.d/web.yaml": "w" });
    const before = await snapshot(scopeOf(dir));
    const r = reader(dir, { now: () => Date.now() - 3_600_000 });
    expect(await r.done).toBe("a");
    expect(r.counts.reads).toBe(1);
    expect(r.counts.waits).toBeGreaterThan(0);
    expect(await snapshot(scopeOf(dir))).toEqual(before);
  });

  it("files that never stop changing: what was read last is taken after the longest wait", async () => {
    const dir = tmpTree({ "svcroute.yaml": "0", "services.d/web.yaml": "w" });
    const ctl = { stop: false };
    const writer = (async () => {
      for (let i = 1; !ctl.stop; i++) {
        writeFileSync(join(dir, "svcroute.yaml"), String(i));
        await sleep(10);
      }
    })();
    const r = reader(dir, { maxWaitMs: 300 });
    const got = await r.done;
    ctl.stop = true;
    await writer;
    expect(Number(got)).toBeGreaterThan(0);
    expect(r.counts.reads).toBe(1);
    expect(r.counts.waits).toBeGreaterThan(1);
  });
});
