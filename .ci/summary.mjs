// CI's result: vitest's JSON report plus the results of the steps that are not vitest tests
// (packaging gates, runtime floor), ending with the line "N passed, N failed". A test file that
// failed counts as a failure even when none of its tests did: a throwing beforeAll reports its
// tests as skipped, an assertion in afterAll leaves them passed, a file that does not load has
// none. Skipped and todo tests are listed, so a test that quietly stopped running is seen.
//   node .ci/summary.mjs --vitest REPORT.json [--vitest REPORT.json ...] [--steps FILE] [--projects PROJECTS.json] [--evidence FILE]
// FILE holds one line per step: "ok NAME" or "FAILED NAME". PROJECTS.json (test/helpers/
// project-reporter.ts) adds a line per vitest project: per daemon set of the lab's matrix.
// --evidence: what the failed lab tests left (test/lab/harness/supervised.ts reportEvidence), its
// first lines printed when something failed: the first failure is the one that explains the rest.
// Exit 1 when anything failed.
import { existsSync, readFileSync } from "node:fs";
import { basename } from "node:path";

const EVIDENCE_LINES = 24;

function args(name) {
  return process.argv.flatMap((a, i) => (a === name && i + 1 < process.argv.length ? [process.argv[i + 1]] : []));
}

/** @returns {{passed: number, failures: string[], skipped: string[]}} */
export function countVitest(report) {
  const failures = [];
  const skipped = [];
  let passed = 0;
  for (const file of report.testResults) {
    const name = basename(file.name);
    const tests = file.assertionResults;
    passed += tests.filter((t) => t.status === "passed").length;
    const failed = tests.filter((t) => t.status === "failed");
    for (const t of failed) failures.push(`${name} > ${t.fullName ?? t.title}: ${firstLine(t.failureMessages?.[0])}`);
    if (file.status === "failed" && failed.length === 0) {
      const why = firstLine(file.message);
      const notRun = tests.filter((t) => t.status !== "passed").length;
      failures.push(`${name}: ${notRun > 0 ? `${notRun} test(s) not run: a hook or the file itself failed` : tests.length > 0 ? "a hook failed after its tests" : "the file did not load"}${why ? `: ${why}` : ""}`);
      continue; // its skipped tests are the failure above, not skips
    }
    for (const t of tests) if (t.status === "skipped" || t.status === "pending" || t.status === "todo") skipped.push(`${name} > ${t.fullName ?? t.title}${t.status === "todo" ? " (todo)" : ""}`);
  }
  return { passed, failures, skipped };
}

function firstLine(text) {
  return (text ?? "").split("\n").find((l) => l.trim() !== "")?.trim().slice(0, 200) ?? "";
}

/** one line per vitest project: "lab-debian13 (debian13: FRR 10.3 + BIRD 3.1): 212 passed, 0 failed, 1 skipped" */
export function projectLines(summary) {
  return Object.entries(summary.projects).map(([name, c]) => {
    const failed = c.failed + c.hookFailures.length;
    return `${name}${c.label !== name ? ` (${c.label})` : ""}: ${c.passed} passed, ${failed} failed, ${c.skipped} skipped`;
  });
}

/** @returns {{passed: number, failures: string[]}} */
export function countSteps(text) {
  let passed = 0;
  const failures = [];
  for (const line of text.split("\n")) {
    const m = /^(ok|FAILED) (.+)$/.exec(line.trim());
    if (!m) continue;
    if (m[1] === "ok") passed++;
    else failures.push(`gate: ${m[2]}`);
  }
  return { passed, failures };
}

function main() {
  const reports = args("--vitest");
  const [stepsFile] = args("--steps");
  let passed = 0;
  const failures = [];
  const skipped = [];
  for (const reportFile of reports.length ? reports : [undefined]) {
    if (reportFile && existsSync(reportFile)) {
      const v = countVitest(JSON.parse(readFileSync(reportFile, "utf8")));
      passed += v.passed;
      failures.push(...v.failures);
      skipped.push(...v.skipped);
    } else failures.push(`no test report at ${reportFile ?? "(none given)"}: the test run did not finish`);
  }
  if (stepsFile && existsSync(stepsFile)) {
    const s = countSteps(readFileSync(stepsFile, "utf8"));
    passed += s.passed;
    failures.push(...s.failures);
  }
  const [projectsFile] = args("--projects");
  if (projectsFile && existsSync(projectsFile)) for (const line of projectLines(JSON.parse(readFileSync(projectsFile, "utf8")))) console.log(line);
  if (skipped.length > 0) {
    console.log(`skipped: ${skipped.length} test(s)`);
    for (const s of skipped) console.log(`  ${s}`);
  }
  const [evidenceFile] = args("--evidence");
  if (failures.length > 0 && evidenceFile && existsSync(evidenceFile)) {
    const lines = readFileSync(evidenceFile, "utf8").trimEnd().split("\n");
    console.log(`evidence of the failed lab tests (${Math.min(lines.length, EVIDENCE_LINES)} of ${lines.length} lines of ${evidenceFile}):`);
    for (const l of lines.slice(0, EVIDENCE_LINES)) console.log(l);
  }
  for (const f of failures) console.log(`FAILED ${f}`);
  console.log(`${passed} passed, ${failures.length} failed`);
  process.exitCode = failures.length > 0 ? 1 : 0;
}

main();
