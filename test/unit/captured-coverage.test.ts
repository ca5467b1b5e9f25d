// Every output captured from the real daemons (test/fixtures/captured/) is read by a unit test: a
// capture nobody reads proves nothing, and a parser or driver test that stops reading one shows
// here. The unit test files that name captures run again in a child vitest whose setup file notes
// every capture read (test/helpers/capture-reads.ts); they must pass, and every capture must be
// among the reads. (A capture's README, which lists commands and exit codes, is not itself one.)
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { tmpTree } from "../helpers/tmp.js";

const ROOT = join(import.meta.dirname, "../..");
const CAPTURED = join(ROOT, "test/fixtures/captured");

const filesUnder = (dir: string): string[] => readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));

/** the captures none of `reads` (paths relative to test/fixtures/captured) covers */
export const unread = (captures: string[], reads: Iterable<string>): string[] => {
  const seen = new Set(reads);
  return captures.filter((c) => !seen.has(c));
};

describe("captured daemon output", () => {
  it("every capture is read by a passing unit test", () => {
    const captures = filesUnder(CAPTURED).map((f) => relative(CAPTURED, f)).filter((f) => !f.endsWith("README.md")).sort();
    expect(captures.length).toBeGreaterThan(100);
    const self = relative(ROOT, import.meta.filename);
    const readers = [...filesUnder(join(ROOT, "test/unit")), ...filesUnder(join(ROOT, "test/golden"))]
      .filter((f) => f.endsWith(".test.ts") && relative(ROOT, f) !== self)
      .filter((f) => /fixtures\/captured|helpers\/captures\.js|helpers\/captured-exec\.js/.test(readFileSync(f, "utf8")))
      .map((f) => relative(ROOT, f));
    const out = join(tmpTree({}), "reads.txt");
    const r = spawnSync(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--config", "test/fixtures/capture-reads/vitest.config.mjs", ...readers], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, SVCROUTE_CAPTURE_READS: out },
    });
    expect(r.status, `the unit tests that read captures failed:\n${(r.stdout + r.stderr).slice(-3000)}`).toBe(0);
    const reads = readFileSync(out, "utf8").split("\n").filter(Boolean);
    rmSync(out);
    expect(unread(captures, reads)).toEqual([]);
  }, 180_000);

  it("the check names a capture nobody read", () => {
    expect(unread(["frr/frr-8.4.a.txt", "frr/frr-8.4.b.txt"], ["frr/frr-8.4.a.txt"])).toEqual(["frr/frr-8.4.b.txt"]);
  });
});
