// `npm run test:lab`: the lab suites against the daemon matrix, once or again and again, optionally
// with every core loaded by stress-ng, counting per run and per daemon set (flakes are bugs: a
// repeat run must end with 0 failures). Hold the lab lock around it:
//   flock -o /tmp/svcroute-lab.lock npm run test:lab -- [--daemons debian12,debian13|all] [--repeat N] [--stress] [FILE...]
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { cpus } from "node:os";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { recordFigures } from "../../helpers/figures.js";
import type { ProjectCounts, ProjectSummary } from "../../helpers/project-reporter.js";
import { repeatFigures, type RepeatRun } from "./repeat-figures.js";
import { DAEMON_SET_NAMES, type DaemonSetName } from "./daemon-sets.js";
import { LAB_PROJECTS, projectLabel } from "./matrix.js";

const ROOT = resolve(import.meta.dirname, "../../..");
const USAGE = `usage: npm run test:lab -- [OPTIONS] [FILE...]      (as root, under the lab lock)
  --daemons SETS   daemon sets to run against, comma-separated (${DAEMON_SET_NAMES.join(", ")}) or all (default)
  --repeat N       run the suites N times in a row (default 1); every run counts
  --stress         load every core with stress-ng while the suites run
  FILE...          only these suites (each set runs those of them its project includes)`;

function sets(arg: string): DaemonSetName[] {
  if (arg === "all") return [...DAEMON_SET_NAMES];
  const names = arg.split(",").map((s) => s.trim());
  for (const n of names) if (!DAEMON_SET_NAMES.includes(n as DaemonSetName)) throw new Error(`--daemons: ${n} is not one of ${DAEMON_SET_NAMES.join(", ")}`);
  return names as DaemonSetName[];
}

function startStress(): ChildProcess {
  if (spawnSync("stress-ng", ["--version"]).status !== 0) throw new Error("stress-ng is not installed: npm run setup installs it (apt-get install stress-ng)");
  // one CPU hog per core at full load, for as long as the runs take
  return spawn("stress-ng", ["--cpu", String(cpus().length), "--cpu-load", "100", "--quiet"], { stdio: "ignore" });
}

function runOnce(projects: string[], files: string[], summaryFile: string): { counts: Record<string, ProjectCounts>; durationMs: number; exit: number } {
  const t0 = performance.now();
  const args = ["vitest", "run", ...projects.flatMap((p) => ["--project", p]), ...files];
  const r = spawnSync("npx", args, { cwd: ROOT, stdio: "inherit", env: { ...process.env, SVCROUTE_PROJECT_SUMMARY: summaryFile } });
  const durationMs = Math.round(performance.now() - t0);
  const counts = existsSync(summaryFile) ? (JSON.parse(readFileSync(summaryFile, "utf8")) as ProjectSummary).projects : {};
  return { counts, durationMs, exit: r.status ?? 1 };
}


const line = (p: string, c: ProjectCounts): string =>
  `${(projectLabel(p) ?? p).padEnd(44)} ${String(c.passed).padStart(4)} passed, ${c.failed} failed, ${c.skipped} skipped${c.failedFiles.length ? `; failed files: ${c.failedFiles.join(", ")}` : ""}`;

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { daemons: { type: "string", default: "all" }, repeat: { type: "string", default: "1" }, stress: { type: "boolean", default: false }, help: { type: "boolean" } },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const chosen = sets(values.daemons);
  const projects = LAB_PROJECTS.filter((p) => chosen.includes(p.daemons)).map((p) => p.project);
  const n = Number(values.repeat);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--repeat ${values.repeat}: a whole number of runs, at least 1`);
  const dir = mkdtempSync(join(tmpdir(), "svcroute-lab-runs-"));
  const stress = values.stress ? startStress() : undefined;
  const runs: RepeatRun[] = [];
  const commit = gitHead();
  try {
    for (let i = 1; i <= n; i++) {
      console.log(`\n== lab run ${i}/${n}: ${projects.join(", ")}${stress ? " (stress-ng on every core)" : ""}`);
      const r = runOnce(projects, positionals, join(dir, `run-${i}.json`));
      runs.push({ run: i, durationMs: r.durationMs, projects: r.counts });
      for (const [p, c] of Object.entries(r.counts)) console.log(line(p, c));
      if (Object.keys(r.counts).length === 0) console.log(`vitest exited ${r.exit} without a report: counted as a failed run`);
      // whole repeat runs of every suite are what docs/reliability.md reports (reliability-report.ts
      // publishes them): recorded after each run, so a repeat stopped early still says what it did
      if (n > 1 && positionals.length === 0) recordFigures("lab-repeat", { commit, runs_asked: n, ...repeatFigures(runs, stress !== undefined) });
    }
  } finally {
    stress?.kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  }
  const figures = repeatFigures(runs, stress !== undefined);
  const { passed, failed } = figures;
  console.log(`\n${n} run(s): ${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

const gitHead = () => spawnSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).stdout.trim();

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(2);
  },
);
