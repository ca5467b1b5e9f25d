// The supervisor's file watcher on a real file system: the manifest, its drop-in directory (also
// one made after start) and unrelated files; the rescan that catches what the watch missed.
import { mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { startRescan } from "../../../src/effects/rescan.js";
import { watchPaths, type ChangeSource } from "../../../src/effects/watch.js";
import { tmpTree } from "../../helpers/tmp.js";

/** the watch alone (rescanMs 0), or with a rescan; `sources` says who reported each change */
function watched(dir: string, rescanMs = 0, sources: ChangeSource[] = []) {
  const seen: string[] = [];
  const w = watchPaths({
    files: [join(dir, "svcroute.yaml")],
    dirs: [join(dir, "services.d")],
    debounceMs: 20,
    rescanMs,
    onChange: (p, source) => {
      seen.push(p);
      sources.push(source);
    },
  });
  onTestFinished(() => w.close());
  return seen;
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

  it("with a rescan, a change the watch reported is reported once, by the watch", async () => {
    const dir = tmpTree({ "svcroute.yaml": "a", "services.d/web.yaml": "w" });
    const sources: ChangeSource[] = [];
    // a rescan period longer than the watch takes to report (its debounce, chokidar's 100 ms for an unlink)
    const seen = watched(dir, 400, sources);
    await settle();
    rmSync(join(dir, "services.d/web.yaml"));
    expect(await changeAfter(seen, 0, "drop-in removed")).toBe(join(dir, "services.d/web.yaml"));
    await new Promise((r) => setTimeout(r, 1000));
    expect(sources).toEqual(["watch"]);
  });
});

describe("startRescan", () => {
  function rescanned(dir: string, everyMs = 30) {
    const seen: string[] = [];
    const r = startRescan({ files: [join(dir, "svcroute.yaml"), join(dir, "drain")], dirs: [join(dir, "services.d")], everyMs, onChange: (p) => seen.push(p) });
    onTestFinished(() => r.stop());
    return { seen, r };
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
    await settle();
    expect(seen).toHaveLength(4);
  });

  it("a directory made after start is looked into; hidden temporaries in it are not changes", async () => {
    const dir = tmpTree({ "svcroute.yaml": "a" });
    const { seen } = rescanned(dir);
    await settle();
    mkdirSync(join(dir, "services.d"));
    writeFileSync(join(dir, "services.d/.web.yaml.tmp"), "w");
    await settle();
    expect(seen).toEqual([]);
    renameSync(join(dir, "services.d/.web.yaml.tmp"), join(dir, "services.d/web.yaml"));
    expect(await changeAfter(seen, 0, "drop-in in a new directory")).toBe(join(dir, "services.d/web.yaml"));
  });

  it("a file still being written is reported once it has been still for a whole period", async () => {
    const dir = tmpTree({ "svcroute.yaml": "a", "services.d/web.yaml": "w" });
    const { seen } = rescanned(dir, 100);
    await settle();
    // a slow writer: a few bytes every 40 ms for 800 ms
    for (let i = 0; i < 20; i++) {
      writeFileSync(join(dir, "services.d/web.yaml"), "w".repeat(i + 2));
      await new Promise((r) => setTimeout(r, 40));
    }
    expect(seen, "reported while still being written").toEqual([]);
    expect(await changeAfter(seen, 0, "the written file, once still")).toBe(join(dir, "services.d/web.yaml"));
    await settle();
    expect(seen).toHaveLength(1);
  });

  it("a change the watch has reported (seen) is not reported again", async () => {
    const dir = tmpTree({ "svcroute.yaml": "a", "services.d/web.yaml": "w" });
    const { seen, r } = rescanned(dir, 100);
    await settle();
    rmSync(join(dir, "services.d/web.yaml"));
    r.seen();
    await settle();
    await settle();
    expect(seen).toEqual([]);
  });
});
