// When the manifest's files are whole: judged by their ctime on a real file system (a rename, a
// slow writer, a change during the read, a removal, a clock the ctimes are ahead of).
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { snapshot } from "../../../src/effects/rescan.js";
import { IN_PLACE_STILLNESS_MS, readWhenStill, STILLNESS_MS, stillWait, type Look } from "../../../src/effects/settle.js";
import { tmpTree } from "../../helpers/tmp.js";

const STILL = STILLNESS_MS;

function scopeOf(dir: string) {
  return { files: [join(dir, "svcroute.yaml")], dirs: [join(dir, "services.d")] };
}

/** readWhenStill on the tree, counting reads and waits */
function reader(dir: string, o: { now?: () => number; maxWaitMs?: number; stillMs?: number; known?: Map<string, string>; duringRead?: (n: number) => void } = {}) {
  const counts = { reads: 0, waits: 0 };
  const read = async () => {
    counts.reads++;
    const text = readFileSync(join(dir, "svcroute.yaml"), "utf8");
    o.duringRead?.(counts.reads);
    return text;
  };
  const done = readWhenStill(scopeOf(dir), read, { renamedMs: o.stillMs, inPlaceMs: o.stillMs, known: o.known, now: o.now, maxWaitMs: o.maxWaitMs, onWait: () => counts.waits++ }).then((r) => r.value);
  return { counts, done };
}

const F = "/m/svcroute.yaml";
const look = (at: number, ctime: number, ino = "7"): Look => ({ at, snap: new Map([[F, `${ino}:10:${ctime}:${ctime}`]]), ctimes: new Map([[F, ctime]]) });
const known = new Map([[F, "7:9:1:1"]]);

describe("stillWait", () => {
  it.each([
    ["new: changed long ago", look(10_000, 1_000), undefined, 0],
    ["new: changed exactly the moment ago", look(10_000, 10_000 - STILL), undefined, 0],
    ["new: changed 30 ms ago, the rest of the moment", look(10_000, 9_970), undefined, STILL - 30],
    ["renamed into place (another inode) just now", look(10_000, 10_000, "8"), known, STILL],
    ["rewritten in place (the inode read last) 30 ms ago: the longer moment", look(10_000, 9_970), known, IN_PLACE_STILLNESS_MS - 30],
    ["rewritten in place long ago", look(10_000, 1_000), known, 0],
    ["ctime ahead of the clock, first look", look(10_000, 50_000), undefined, STILL],
  ])("%s", (_what, l, k, want) => {
    expect(stillWait(l, l, k)).toBe(want);
  });

  it("ctime ahead of the clock: still once the same was seen the moment ago", () => {
    expect(stillWait(look(10_000 + STILL, 50_000), look(10_000, 50_000), undefined)).toBe(0);
    expect(stillWait(look(10_000 + 50, 50_000), look(10_000, 50_000), undefined)).toBe(STILL - 50);
  });

  it("nothing exists: nothing to wait for", () => {
    expect(stillWait({ at: 1, snap: new Map(), ctimes: new Map() }, { at: 1, snap: new Map(), ctimes: new Map() }, known)).toBe(0);
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

  it("a file rewritten in place (a shell's `>`: truncated, then written) waits the longer moment; one renamed into place does not", async () => {
    const dir = tmpTree({ "svcroute.yaml": "a", "services.d/web.yaml": "w" });
    await sleep(STILL + 20);
    const known = await snapshot(scopeOf(dir));
    writeFileSync(join(dir, "svcroute.yaml"), "");
    const t0 = performance.now();
    const inPlace = reader(dir, { known });
    setTimeout(() => writeFileSync(join(dir, "svcroute.yaml"), "b"), STILL + 50);
    expect(await inPlace.done).toBe("b");
    expect(performance.now() - t0).toBeGreaterThanOrEqual(STILL + 50 + IN_PLACE_STILLNESS_MS - 15);
    writeFileSync(join(dir, ".svcroute.yaml.tmp"), "c");
    renameSync(join(dir, ".svcroute.yaml.tmp"), join(dir, "svcroute.yaml"));
    const renamed = reader(dir, { known });
    expect(await renamed.done).toBe("c");
    expect(renamed.counts.reads).toBe(1);
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

  it("a drop-in removed just now is whole at once; one changed during the read makes it read again, once that change is still", async () => {
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
