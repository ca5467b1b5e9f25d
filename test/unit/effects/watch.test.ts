// The supervisor's file watcher on a real file system: the manifest, its drop-in directory (also
// one made after start) and unrelated files; the rescan that catches what the watch missed.
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { snapshot, startRescan } from "../../../src/effects/rescan.js";
import { watchPaths, type ChangeSource } from "../../../src/effects/watch.js";
import { tmpTree } from "../../helpers/tmp.js";

/** the watch alone (rescanMs 0), or with a rescan; `sources` says who reported each change */
function watched(dir: string, rescanMs = 0, sources: ChangeSource[] = [], stillness?: { renamedMs: number; inPlaceMs: number }) {
  const seen: string[] = [];
  const w = watchPaths({
    stillness,
    files: [join(dir, "svcroute.yaml")],
    dirs: [join(dir, "services.d")],
    debounceMs: 20,
    rescanMs,
    onChange: (paths, source) => {
      seen.push(...paths);
      sources.push(source);
    },
  });
  onTestFinished(() => w.close());
  return Object.assign(seen, { close: () => w.close() });
}

/** until `seen` has grown past `n` (each step below is one debounced change) */
async function changeAfter(seen: string[], n: number, what: string): Promise<string> {
  const deadline = Date.now() + 5000;
  while (seen.length <= n) {
    if (Date.now() > deadline) throw new Error(`no change seen for: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return seen.at(-1)!;
}

/** chokidar reports nothing until its initial scan is done */
const settle = () => new Promise((r) => setTimeout(r, 300));

describe("watchPaths", () => {
  it("sees the manifest replaced by rename and drop-ins added and removed", async () => {
    const dir = tmpTree({ "svcroute.yaml": "a", "services.d/web.yaml": "w" });
    const seen = watched(dir);
    await settle();
    writeFileSync(join(dir, ".tmp"), "b");
    renameSync(join(dir, ".tmp"), join(dir, "svcroute.yaml"));
    expect(await changeAfter(seen, 0, "manifest renamed over")).toBe(join(dir, "svcroute.yaml"));
    writeFileSync(join(dir, "services.d/dns.yaml"), "d");
    expect(await changeAfter(seen, 1, "drop-in added")).toBe(join(dir, "services.d/dns.yaml"));
    rmSync(join(dir, "services.d/web.yaml"));
    expect(await changeAfter(seen, 2, "drop-in removed")).toBe(join(dir, "services.d/web.yaml"));
  });

  it("a drop-in directory created after start is watched from then on (files added and removed later are seen)", async () => {
    const dir = tmpTree({ "svcroute.yaml": "a" });
    const seen = watched(dir);
    await settle();
    mkdirSync(join(dir, "services.d"));
    writeFileSync(join(dir, "services.d/web.yaml"), "w");
    await changeAfter(seen, 0, "drop-in directory created");
    await settle();
    const n = seen.length;
    writeFileSync(join(dir, "services.d/dns.yaml"), "d");
    expect(await changeAfter(seen, n, "drop-in added to the new directory")).toBe(join(dir, "services.d/dns.yaml"));
    rmSync(join(dir, "services.d/web.yaml"));
    expect(await changeAfter(seen, n + 1, "drop-in removed from the new directory")).toBe(join(dir, "services.d/web.yaml"));
  });

  it("ignores files beside the manifest that are neither it nor drop-ins", async () => {
    const dir = tmpTree({ "svcroute.yaml": "a" });
    const seen = watched(dir);
    await settle();
    writeFileSync(join(dir, "other.txt"), "x");
    writeFileSync(join(dir, "svcroute.yaml"), "b");
    expect(await changeAfter(seen, 0, "manifest written")).toBe(join(dir, "svcroute.yaml"));
    expect(seen).not.toContain(join(dir, "other.txt"));
  });

  it("a file still being written (every 20 ms; chokidar passes on some of the events, and the debounce alone would fire between them) is reported once, once still", async () => {
    const dir = tmpTree({ "svcroute.yaml": "a", "services.d/web.yaml": "w" });
    const seen = watched(dir, 0, [], { renamedMs: 300, inPlaceMs: 300 });
    await settle();
    const t0 = performance.now();
    let last = 0;
    for (let i = 0; i < 40; i++) {
      writeFileSync(join(dir, "services.d/web.yaml"), "w".repeat(i + 2));
      last = performance.now();
      await new Promise((r) => setTimeout(r, 20));
    }
    expect([...seen], "reported while still being written").toEqual([]);
    expect(await changeAfter(seen, 0, "the written file, once still")).toBe(join(dir, "services.d/web.yaml"));
    expect(performance.now() - last, `${Math.round(last - t0)} ms of writing`).toBeGreaterThanOrEqual(300 - 15);
    await new Promise((r) => setTimeout(r, 500));
    expect(seen).toHaveLength(1);
  });

  it("closed while waiting for a file to be still: nothing is reported", async () => {
    const dir = tmpTree({ "svcroute.yaml": "a", "services.d/web.yaml": "w" });
    const seen = watched(dir, 0, [], { renamedMs: 400, inPlaceMs: 400 });
    await settle();
    writeFileSync(join(dir, "svcroute.yaml"), "b");
    await new Promise((r) => setTimeout(r, 150));
    await seen.close();
    await new Promise((r) => setTimeout(r, 500));
    expect([...seen]).toEqual([]);
  });

  it("with a rescan, a change the watch reported is reported once, by the watch", async () => {
    const dir = tmpTree({ "svcroute.yaml": "a", "services.d/web.yaml": "w" });
    const sources: ChangeSource[] = [];
    // a rescan period well beyond what the watch takes to report (its debounce, chokidar's 100 ms for an unlink)
    const seen = watched(dir, 1000, sources);
    await settle();
    rmSync(join(dir, "services.d/web.yaml"));
    expect(await changeAfter(seen, 0, "drop-in removed")).toBe(join(dir, "services.d/web.yaml"));
    await new Promise((r) => setTimeout(r, 2500));
    expect(sources).toEqual(["watch"]);
  });
});

describe("startRescan", () => {
  const scope = (dir: string) => ({ files: [join(dir, "svcroute.yaml"), join(dir, "drain")], dirs: [join(dir, "services.d")] });
  function rescanned(dir: string, everyMs = 30, more: { initial?: Parameters<typeof startRescan>[0]["initial"]; throwOnce?: boolean } = {}) {
    const seen: string[] = [];
    const errors: unknown[] = [];
    let thrown = false;
    const r = startRescan({
      ...scope(dir),
      everyMs,
      initial: more.initial,
      onChange: (ps) => {
        seen.push(...ps);
        if (more.throwOnce && !thrown) {
          thrown = true;
          throw new Error("the caller failed");
        }
      },
      onError: (e) => errors.push(e),
    });
    onTestFinished(() => r.stop());
    return { seen, r, errors };
  }

  it("reports a drop-in removed, one added, the manifest replaced and a watched file created, each once", async () => {
    const dir = tmpTree({ "svcroute.yaml": "a", "services.d/web.yaml": "w" });
    const { seen } = rescanned(dir);
    await settle();
    expect(seen).toEqual([]);
    rmSync(join(dir, "services.d/web.yaml"));
    expect(await changeAfter(seen, 0, "drop-in removed")).toBe(join(dir, "services.d/web.yaml"));
    writeFileSync(join(dir, "services.d/dns.yaml"), "d");
    expect(await changeAfter(seen, 1, "drop-in added")).toBe(join(dir, "services.d/dns.yaml"));
    writeFileSync(join(dir, ".tmp"), "b");
    renameSync(join(dir, ".tmp"), join(dir, "svcroute.yaml"));
    expect(await changeAfter(seen, 2, "manifest renamed over")).toBe(join(dir, "svcroute.yaml"));
    writeFileSync(join(dir, "drain"), "");
    expect(await changeAfter(seen, 3, "drain file created")).toBe(join(dir, "drain"));
    chmodSync(join(dir, "services.d/dns.yaml"), 0o666);
    expect(await changeAfter(seen, 4, "a drop-in's mode changed")).toBe(join(dir, "services.d/dns.yaml"));
    await settle();
    expect(seen).toHaveLength(5);
  });

  it("changes to several paths at once are all reported (the drain file beside a drop-in)", async () => {
    const dir = tmpTree({ "svcroute.yaml": "a", "services.d/web.yaml": "w" });
    const { seen } = rescanned(dir);
    await settle();
    writeFileSync(join(dir, "drain"), "");
    rmSync(join(dir, "services.d/web.yaml"));
    await changeAfter(seen, 0, "drain file and drop-in");
    await settle();
    expect(seen.sort()).toEqual([join(dir, "drain"), join(dir, "services.d/web.yaml")]);
  });

  it("a directory made after start is looked into; hidden temporaries in it are not changes", async () => {
    const dir = tmpTree({ "svcroute.yaml": "a" });
    const { seen } = rescanned(dir);
    await settle();
    mkdirSync(join(dir, "services.d"));
    expect(await changeAfter(seen, 0, "the directory made")).toBe(join(dir, "services.d"));
    writeFileSync(join(dir, "services.d/.web.yaml.tmp"), "w");
    await settle();
    expect(seen).toHaveLength(1);
    renameSync(join(dir, "services.d/.web.yaml.tmp"), join(dir, "services.d/web.yaml"));
    expect(await changeAfter(seen, 1, "drop-in in a new directory")).toBe(join(dir, "services.d/web.yaml"));
  });

  it("a file still being written is reported once it has been still for a whole period", async () => {
    const dir = tmpTree({ "svcroute.yaml": "a", "services.d/web.yaml": "w" });
    const { seen } = rescanned(dir, 300);
    await settle();
    // a slow writer: a few bytes every 40 ms for 1.6 s
    for (let i = 0; i < 40; i++) {
      writeFileSync(join(dir, "services.d/web.yaml"), "w".repeat(i + 2));
      await new Promise((r) => setTimeout(r, 40));
    }
    expect(seen, "reported while still being written").toEqual([]);
    expect(await changeAfter(seen, 0, "the written file, once still")).toBe(join(dir, "services.d/web.yaml"));
    await new Promise((r) => setTimeout(r, 1000));
    expect(seen).toHaveLength(1);
  });

  it("what the watch reported (seen) is not reported again; what it did not report is", async () => {
    const dir = tmpTree({ "svcroute.yaml": "a", "services.d/web.yaml": "w", "services.d/dns.yaml": "d" });
    const { seen, r } = rescanned(dir, 100);
    await settle();
    rmSync(join(dir, "services.d/web.yaml"));
    rmSync(join(dir, "services.d/dns.yaml"));
    await r.seen([join(dir, "services.d/web.yaml")]);
    expect(await changeAfter(seen, 0, "the removal the watch did not report")).toBe(join(dir, "services.d/dns.yaml"));
    await settle();
    expect(seen).toEqual([join(dir, "services.d/dns.yaml")]);
  });

  it("a change made after the caller's first read and before the rescan began is reported", async () => {
    const dir = tmpTree({ "svcroute.yaml": "a", "services.d/web.yaml": "w" });
    const manifest = { files: [join(dir, "svcroute.yaml")], dirs: [join(dir, "services.d")] };
    const before = await snapshot(manifest);
    rmSync(join(dir, "services.d/web.yaml"));
    writeFileSync(join(dir, "drain"), "");
    const { seen } = rescanned(dir, 30, { initial: { scope: manifest, snapshot: before } });
    expect(await changeAfter(seen, 0, "removed before the rescan began")).toBe(join(dir, "services.d/web.yaml"));
    await settle();
    // the drain file is outside what the caller read first: taken as it was when the rescan began
    expect(seen).toEqual([join(dir, "services.d/web.yaml")]);
  });

  it("a caller that throws does not stop the rescan; the error goes to onError", async () => {
    const dir = tmpTree({ "svcroute.yaml": "a", "services.d/web.yaml": "w", "services.d/dns.yaml": "d" });
    const { seen, errors } = rescanned(dir, 30, { throwOnce: true });
    await settle();
    rmSync(join(dir, "services.d/web.yaml"));
    await changeAfter(seen, 0, "first change");
    rmSync(join(dir, "services.d/dns.yaml"));
    expect(await changeAfter(seen, 1, "a change after the caller threw")).toBe(join(dir, "services.d/dns.yaml"));
    expect(errors.map((e) => (e as Error).message)).toEqual(["the caller failed"]);
  });

  it("stop: nothing is reported after it", async () => {
    const dir = tmpTree({ "svcroute.yaml": "a", "services.d/web.yaml": "w" });
    const { seen, r } = rescanned(dir, 30);
    await settle();
    r.stop();
    rmSync(join(dir, "services.d/web.yaml"));
    await settle();
    expect(seen).toEqual([]);
  });
});
