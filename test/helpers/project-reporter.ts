// A vitest reporter that counts per project (unit, and each lab daemon set): passed, failed and
// skipped tests, and failed files (a file can fail while its tests pass or are skipped: a hook that
// threw). vitest's JSON report cannot tell the projects apart (the same file runs in several), so
// .ci/run and the lab's repeat runs read this instead: node_modules/.cache/svcroute/vitest-projects.json
// (or $SVCROUTE_PROJECT_SUMMARY).
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import type { Reporter, TestModule } from "vitest/node";
import { projectLabel } from "../lab/harness/matrix.js";

export interface ProjectCounts {
  /** what the project runs against, e.g. "debian13: FRR 10.3 + BIRD 3.1" (the project's name otherwise) */
  label: string;
  passed: number;
  failed: number;
  skipped: number;
  /** test files */
  files: number;
  /** files that failed, with or without a failed test */
  failedFiles: string[];
  /** failed files none of whose tests failed (a hook threw): failures the test counts miss */
  hookFailures: string[];
  /** wall time of the project's files, summed (ms) */
  durationMs: number;
}

export interface ProjectSummary {
  at: string;
  projects: Record<string, ProjectCounts>;
}

export const DEFAULT_SUMMARY = "node_modules/.cache/svcroute/vitest-projects.json";

export function countModules(modules: ReadonlyArray<TestModule>, root = process.cwd()): Record<string, ProjectCounts> {
  const out: Record<string, ProjectCounts> = {};
  for (const m of modules) {
    const c = (out[m.project.name] ??= { label: projectLabel(m.project.name) ?? m.project.name, passed: 0, failed: 0, skipped: 0, files: 0, failedFiles: [], hookFailures: [], durationMs: 0 });
    c.files++;
    c.durationMs += Math.round(m.diagnostic().duration);
    let failedTests = 0;
    let skipped = 0;
    for (const t of m.children.allTests()) {
      const s = t.result().state;
      if (s === "passed") c.passed++;
      else if (s === "failed") failedTests++;
      else skipped++;
    }
    c.failed += failedTests;
    const fileFailed = m.state() === "failed" || m.errors().length > 0;
    // tests a failed file never ran are its failure, not skips (as .ci/summary.mjs counts them)
    if (!fileFailed) c.skipped += skipped;
    if (fileFailed) {
      const file = relative(root, m.moduleId);
      c.failedFiles.push(file);
      if (failedTests === 0) c.hookFailures.push(file);
    }
  }
  return out;
}

export default class ProjectReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const file = resolve(process.env.SVCROUTE_PROJECT_SUMMARY ?? DEFAULT_SUMMARY);
    mkdirSync(dirname(file), { recursive: true });
    const summary: ProjectSummary = { at: new Date().toISOString(), projects: countModules(modules) };
    writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  }
}

/** every failure of a project: failed tests, and failed files none of whose tests failed */
export const failures = (c: ProjectCounts): number => c.failed + c.hookFailures.length;
