// V8's code cache for the bundle (src/code-cache.ts), in real Node processes: written at the first
// run, used at the next, never used when it could be someone else's code or stale, and a module
// still runs exactly once whatever the cache does.
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSync } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as z from "zod";
import "../../src/zod.js";
import { SETTLED_MS, unchangedSince } from "../../src/code-cache.js";
import { tmpTree } from "../helpers/tmp.js";

let runtime: string;

let built: string;

beforeAll(() => {
  // the module as the bundle carries it: CommonJS
  built = mkdtempSync(join(tmpdir(), "svcroute-test-"));
  runtime = join(built, "code-cache.cjs");
  buildSync({ entryPoints: [join(import.meta.dirname, "../../src/code-cache.ts")], outfile: runtime, bundle: true, platform: "node", format: "cjs", target: "node18", logLevel: "error" });
});

afterAll(() => rmSync(built, { recursive: true, force: true }));

interface Run {
  out: unknown;
  stats: { hits: number; written: number; rejected: number; disabled?: string };
  runs?: number;
  error?: string;
}

/** a bundle dir with these files, a cache dir beside it, and a runner requiring `main` through the cache */
function setup(files: Record<string, string>) {
  const root = tmpTree(Object.fromEntries(Object.entries(files).map(([k, v]) => [`bundle/${k}`, v])));
  const bundle = join(root, "bundle");
  const cache = join(root, "cache");
  const runner = join(root, "runner.cjs");
  writeFileSync(
    runner,
    `const { enableCodeCache, codeCacheStats } = require(${JSON.stringify(runtime)});
enableCodeCache(${JSON.stringify(bundle)}, process.argv[3]);
const r = {};
process.on("exit", () => process.stdout.write(JSON.stringify({ ...r, stats: codeCacheStats(), runs: globalThis.__runs })));
try { r.out = require(process.argv[2]); } catch (e) { r.error = e.message; }
`,
  );
  const runWith = (dir: string, main = "main.cjs"): Run => {
    const p = spawnSync(process.execPath, [runner, join(bundle, main), dir], { encoding: "utf8" });
    if (p.status !== 0) throw new Error(`runner: ${p.stderr}`);
    return JSON.parse(p.stdout) as Run;
  };
  return { root, bundle, cache, run: (main = "main.cjs") => runWith(cache, main), runWith, cached: () => readdirSync(cache).sort() };
}

describe("the bundle's code cache", () => {
  it("written at the first run (every bundle file the run compiled), used at the next, with the same results", () => {
    // names that start alike keep their own data
    const t = setup({ "main-a.cjs": "#!/usr/bin/env node\nmodule.exports = require('./main-b.cjs') + 1;\n", "main-b.cjs": "module.exports = 41;\n" });
    const first = t.run("main-a.cjs");
    expect(first).toMatchObject({ out: 42, stats: { hits: 0, written: 2, rejected: 0 } });
    expect(t.cached().map((f) => f.replace(/\.cjs-.*/, ".cjs"))).toEqual(["main-a.cjs", "main-b.cjs"]);
    for (const f of t.cached()) expect(statSync(join(t.cache, f)).mode & 0o777).toBe(0o644);
    expect(t.run("main-a.cjs")).toMatchObject({ out: 42, stats: { hits: 2, written: 0, rejected: 0 } });
  });

  it("a file changed since, even to the same length and with the same times, is compiled from its new text", () => {
    const t = setup({ "main.cjs": "module.exports = 1;\n" });
    expect(t.run().out).toBe(1);
    const file = join(t.bundle, "main.cjs");
    const was = statSync(file);
    writeFileSync(file, "module.exports = 2;\n");
    utimesSync(file, was.atime, was.mtime);
    expect(t.run()).toMatchObject({ out: 2, stats: { hits: 0, written: 1 } });
    // the old file's data is gone: one cache file per bundle file
    expect(t.cached()).toHaveLength(1);
    expect(t.run()).toMatchObject({ out: 2, stats: { hits: 1, written: 0 } });
  });

  it("a cache directory others may write is not used at all; a cache file others may write is not read", () => {
    const t = setup({ "main.cjs": "module.exports = 7;\n" });
    t.run();
    const [file] = t.cached();
    chmodSync(join(t.cache, file!), 0o666);
    expect(t.run()).toMatchObject({ out: 7, stats: { hits: 0, written: 1 } });
    // written again, as the cache's owner writes it
    expect(statSync(join(t.cache, file!)).mode & 0o777).toBe(0o644);
    chmodSync(t.cache, 0o777);
    const r = t.run();
    expect(r).toMatchObject({ out: 7, stats: { hits: 0, written: 0 } });
    expect(r.stats.disabled).toMatch(/cache is not owned by root or by this user, or others may write it/);
  });

  it("no symbolic link on the way: a linked cache directory, a parent others may write, a linked cache file", () => {
    const t = setup({ "main.cjs": "module.exports = 8;\n" });
    t.run();
    // the directory reached through a link
    const link = join(t.root, "linked");
    symlinkSync(t.cache, link);
    const viaLink = t.runWith(link);
    expect(viaLink.stats.disabled).toMatch(/linked is a symbolic link/);
    expect(viaLink.out).toBe(8);
    // a parent others may write (not sticky): someone could swap the directory
    const open = join(t.root, "open");
    mkdirSync(join(open, "cache"), { recursive: true });
    chmodSync(open, 0o777);
    expect(t.runWith(join(open, "cache")).stats.disabled).toMatch(/open is not owned by root or by this user, or others may write it/);
    // a cache file that is a link to one that was written: not followed
    const [file] = t.cached();
    const target = join(t.root, "elsewhere.v8");
    renameSync(join(t.cache, file!), target);
    symlinkSync(target, join(t.cache, file!));
    expect(t.run()).toMatchObject({ out: 8, stats: { hits: 0 } });
  });

  it('"none" turns it off, and a directory whose parent is missing is not created', () => {
    const t = setup({ "main.cjs": "module.exports = 5;\n" });
    const r = spawnSync(process.execPath, ["-e", `const c = require(${JSON.stringify(runtime)}); c.enableCodeCache(${JSON.stringify(t.bundle)}, "none"); process.stdout.write(JSON.stringify(c.codeCacheStats()))`], { encoding: "utf8" });
    expect(JSON.parse(r.stdout)).toMatchObject({ disabled: "turned off (SVCROUTE_CODE_CACHE=none)" });
    const deep = join(t.root, "no", "such", "cache");
    const d = spawnSync(process.execPath, ["-e", `const c = require(${JSON.stringify(runtime)}); c.enableCodeCache(${JSON.stringify(t.bundle)}, ${JSON.stringify(deep)}); process.stdout.write(JSON.stringify(c.codeCacheStats()))`], { encoding: "utf8" });
    expect((JSON.parse(d.stdout) as { disabled?: string }).disabled).toMatch(/ENOENT/);
    expect(existsSync(join(t.root, "no"))).toBe(false);
  });

  it("files outside the bundle's directory are left to Node", () => {
    const t = setup({ "main.cjs": "module.exports = require('../outside.cjs');\n" });
    writeFileSync(join(t.root, "outside.cjs"), "module.exports = 'out';\n");
    expect(t.run()).toMatchObject({ out: "out", stats: { written: 1 } });
    expect(t.cached().map((f) => f.replace(/\.cjs-.*/, ".cjs"))).toEqual(["main.cjs"]);
  });

  it("stack traces name the same line and column as Node's own loader, from the cache too", () => {
    // one line, as some bundle files are: the wrapper's opening must not shift the columns
    const t = setup({ "main.cjs": "const where = () => new Error('here').stack.split('\\n')[1].trim(); module.exports = where();\n" });
    const plain = t.runWith("none").out as string;
    expect(plain).toMatch(/main\.cjs:1:\d+\)$/);
    expect(t.run().out).toBe(plain);
    expect(t.run()).toMatchObject({ out: plain, stats: { hits: 1 } });
  });

  it("a module that throws runs once, and its error is the caller's", () => {
    const t = setup({ "main.cjs": "globalThis.__runs = (globalThis.__runs ?? 0) + 1;\nthrow new Error('boom');\n" });
    expect(t.run()).toMatchObject({ error: "boom", runs: 1 });
    expect(t.run()).toMatchObject({ error: "boom", runs: 1 });
  });
});

describe("the cache's key of a bundle file", () => {
  it("is used only for a file known unchanged since Node read it: older than the read by the margin, and with sub-second times", () => {
    const readAt = 1_764_950_400_123;
    const ns = (ms: number) => BigInt(ms) * 1_000_000n + 456n;
    expect(unchangedSince(ns(readAt - SETTLED_MS - 1), readAt)).toBe(true);
    expect(unchangedSince(ns(readAt - SETTLED_MS + 1), readAt)).toBe(false);
    // written after the read (or a clock set back)
    expect(unchangedSince(ns(readAt + 5), readAt)).toBe(false);
    // a filesystem that keeps whole seconds: two writes within a second look alike
    expect(unchangedSince(BigInt(readAt - 60_000 - ((readAt - 60_000) % 1000)) * 1_000_000n, readAt)).toBe(false);
  });
});

describe("zod", () => {
  it("runs without its JIT (src/zod.ts) in every module that uses it: no code built from strings at run time", () => {
    expect(z.config().jitless).toBe(true);
    // zod reads the setting as each schema is built: every module that uses zod at run time loads src/zod.ts first
    const src = join(import.meta.dirname, "../../src");
    const files = (readdirSync(src, { recursive: true }) as string[]).filter((f) => f.endsWith(".ts") && f !== "zod.ts");
    const users = files.filter((f) => /^import \* as z from "zod";$/m.test(readFileSync(join(src, f), "utf8")));
    expect(users.length).toBeGreaterThan(3);
    expect(users.filter((f) => !/^import "(\.\.\/)*(\.\/)?zod\.js";$/m.test(readFileSync(join(src, f), "utf8")))).toEqual([]);
    expect(files.filter((f) => /^import (?!type)[^;]*from "zod";$/m.test(readFileSync(join(src, f), "utf8")) && !users.includes(f))).toEqual([]);
  });
});
