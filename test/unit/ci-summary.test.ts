// .ci/summary.mjs turns vitest's JSON report (and the gates' results) into CI's last line. It is
// fed the report of a real vitest run over fixture files that fail in every way a file can: a
// throwing beforeAll (its tests are reported skipped), an assertion in afterAll (its tests
// passed), a file that does not load (no tests at all), an ordinary failure, and skipped tests.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tmpTree } from "../helpers/tmp.js";

const FIXTURES = "test/fixtures/ci-summary";
const CONFIG = join(process.cwd(), FIXTURES, "vitest.config.mjs");
let report = "";
let projects = "";

function summary(...args: string[]): { code: number; out: string } {
  const r = spawnSync(process.execPath, [".ci/summary.mjs", ...args], { encoding: "utf8" });
  return { code: r.status ?? -1, out: r.stdout + r.stderr };
}

describe(".ci/summary.mjs", () => {
  let dir = "";
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "svcroute-summary-"));
    report = join(dir, "report.json");
    projects = join(dir, "projects.json");
    // exits 1: the fixtures fail on purpose; the project reporter counts the same run per project
    const reporter = join(process.cwd(), "test/helpers/project-reporter.ts");
    spawnSync(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--config", CONFIG, "--root", FIXTURES, "--reporter=json", `--reporter=${reporter}`, `--outputFile=${report}`], {
      encoding: "utf8",
      env: { ...process.env, SVCROUTE_PROJECT_SUMMARY: projects },
    });
  }, 60_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("counts every failed file, whatever its tests say, and ends with the plain line", () => {
    const r = summary("--vitest", report);
    const lines = r.out.trimEnd().split("\n");
    expect(lines.at(-1)).toBe("3 passed, 4 failed");
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAILED hook-fails\.test\.ts: 2 test\(s\) not run: a hook or the file itself failed/);
    expect(r.out).toMatch(/FAILED after-hook-fails\.test\.ts: .*expected \[ 'a leftover guard' \] to deeply equal \[\]/);
    expect(r.out).toMatch(/FAILED does-not-load\.test\.ts: .*no-such-module/);
    expect(r.out).toMatch(/FAILED fails\.test\.ts > fails/);
  });

  it("prints a line per vitest project (per daemon set of the lab) that agrees with the total", () => {
    const r = summary("--vitest", report, "--projects", projects);
    const lines = r.out.trimEnd().split("\n");
    // the fixtures are one unnamed project; the hook failures count there as in the total
    expect(lines).toContain(": 3 passed, 4 failed, 3 skipped");
    expect(lines.at(-1)).toBe("3 passed, 4 failed");
  });

  it("prints every skipped and todo test", () => {
    const r = summary("--vitest", report);
    expect(r.out).toMatch(/skipped: 3 test\(s\)/);
    for (const t of ["skipped on purpose", "needs root", "written later"]) expect(r.out).toContain(`skipped.test.ts > ${t}`);
  });

  it("adds the gates' results, and a missing report is a failure, not silence", () => {
    const dir = tmpTree({});
    const gates = join(dir, "gates");
    writeFileSync(gates, "ok lintian\nFAILED puppet apply against localhost\nok rpmlint\n");
    const r = summary("--vitest", report, "--steps", gates);
    expect(r.out).toContain("FAILED gate: puppet apply against localhost");
    expect(r.out.trimEnd().split("\n").at(-1)).toBe("5 passed, 5 failed");
    const none = summary("--vitest", join(dir, "absent.json"));
    expect(none.out.trimEnd().split("\n").at(-1)).toBe("0 passed, 1 failed");
    expect(none.out).toContain("no test report");
  });

  it("prints the first lines of the failed lab tests' evidence before the failures, and nothing of it when all passed", () => {
    const dir = tmpTree({});
    const evidence = join(dir, "evidence.txt");
    writeFileSync(evidence, Array.from({ length: 40 }, (_, i) => (i === 0 ? "=== the first failure" : `  hf line ${i}`)).join("\n"));
    const r = summary("--vitest", report, "--evidence", evidence);
    const lines = r.out.trimEnd().split("\n");
    const at = lines.indexOf("=== the first failure");
    expect(lines[at - 1]).toBe(`evidence of the failed lab tests (24 of 40 lines of ${evidence}):`);
    expect(lines.slice(at, at + 25).at(-1)).toMatch(/^FAILED /);
    expect(lines.at(-1)).toBe("3 passed, 4 failed");
    const green = join(dir, "green.json");
    spawnSync(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--config", CONFIG, "--root", FIXTURES, "skipped", "--reporter=json", `--outputFile=${green}`]);
    expect(summary("--vitest", green, "--evidence", evidence).out).not.toContain("evidence");
  });

  it("an all-green report exits 0", () => {
    const dir = tmpTree({});
    const green = join(dir, "green.json");
    spawnSync(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--config", CONFIG, "--root", FIXTURES, "skipped", "--reporter=json", `--outputFile=${green}`]);
    const r = summary("--vitest", green);
    expect([r.code, r.out.trimEnd().split("\n").at(-1)]).toEqual([0, "1 passed, 0 failed"]);
  });
});
