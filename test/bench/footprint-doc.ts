// The footprint table of docs/performance.md (goal and figure side by side), generated from a
// committed result file: docs/results/footprint.json holds the footprint, CLI and soak parts of
// one `npm run bench` run, so every figure the page quotes has its source in the repository
// (test/helpers/doc-blocks.ts renders the block, test/unit/readme.test.ts checks the page).
//
//   node --import tsx test/bench/footprint-doc.ts test/bench/results/<run>.json
// takes a run's results into docs/results/footprint.json and rewrites the table.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fmt } from "./lib/stats.js";
import { footprintGoals, verdict, type Results } from "./report.js";

export const RESULT_FILE = resolve(import.meta.dirname, "../../docs/results/footprint.json");
/** the same bench before the footprint work (its own older format: no soak, fewer scenarios) */
export const BEFORE_FILE = resolve(import.meta.dirname, "../../docs/results/footprint-before.json");

export type FootprintResults = Pick<Results, "startedAt" | "mode" | "machine" | "footprint" | "cli" | "soak"> & {
  /** the run the soak is from, when not this one (a footprint-only run keeps the committed soak: it takes 30 minutes) */
  soakRun?: { startedAt: string; commit?: string | undefined; loadAfter: number[] };
};

export function footprintTable(r: FootprintResults): string {
  const m = r.machine;
  return [
    `Run ${r.startedAt} (${r.mode}) on ${m.cpus} × ${m.cpuModel}, Node ${m.node}, svcroute ${m.svcroute}${m.commit ? ` at ${m.commit}` : ""}; ` +
      `load average ${m.loadBefore.join(" ")} → ${m.loadAfter.join(" ")}.` +
      (r.soak && r.soakRun ? ` The soak rows are from an earlier run, ${r.soakRun.startedAt}${r.soakRun.commit ? ` at ${r.soakRun.commit}` : ""} (load average at its end ${r.soakRun.loadAfter.join(" ")}).` : ""),
    "",
    "| goal | target | figure | |",
    "|---|---:|---:|---|",
    ...footprintGoals(r).map((g) => `| ${g.what} | ${g.target} | ${g.value} | ${verdict(g.met, g.floor)} |`),
    "",
  ].join("\n");
}

const row = (r: Pick<FootprintResults, "footprint">, id: string) => r.footprint.find((x) => x.scenario === id);
const mb = (v: number | undefined) => (v === undefined ? "not measured" : `${fmt(v)} MB`);
const pct = (v: number | undefined) => (v === undefined ? "not measured" : `${v.toFixed(1)} %`);
/** the monitor-exec row's CPU per exec: its % of a core at 100 execs a second (footprint.ts) */
const monitorPerExec = (r: Pick<FootprintResults, "footprint">) => {
  const x = row(r, "monitor-exec");
  return x && Number.isFinite(x.cpuPct) ? x.cpuPct / 10 : undefined;
};
const ms = (v: number | undefined) => (v === undefined ? "not measured" : `${v.toFixed(3)} ms`);

/** the soak's RSS samples: their range and median */
const soakRange = (r: FootprintResults) => {
  const v = r.soak?.samples.map((p) => p[1]).sort((a, b) => a - b);
  if (!v?.length) return "";
  const median = (v[(v.length - 1) >> 1]! + v[v.length >> 1]!) / 2;
  return ` The soak's samples${r.soakRun ? ` (its run, ${r.soakRun.startedAt})` : ""}: ${mb(v[0])} to ${mb(v.at(-1))}, median ${mb(median)}.`;
};

/** the figures the page's prose rests on: the reference rows, the sub-second scenario and the run before */
export function footprintNotes(r: FootprintResults, before: FootprintResults | undefined): string {
  const lines = [
    `- An idle Node process (the reference row): ${mb(row(r, "node-idle")?.peakRssMB)}; ${row(r, "node-deps") ? `the same with the run command's dependencies loaded and nothing run: ${mb(row(r, "node-deps")!.rssMB?.max)}; ` : ""}the idle supervisor with 10 services: ${mb(row(r, "idle")?.rssMB?.max)} at most; with 10,000 services, idle, it uses ${pct(row(r, "idle10k")?.cpuPct)} of a core.`,
    `- While 1,000 TCP checks a second run (tcp1000), the supervisor's RSS: ${mb(row(r, "tcp1000")?.rssMB?.p50)} / ${mb(row(r, "tcp1000")?.rssMB?.max)} (median / largest sample in the window); bare Node doing the same probes beside it: ${mb(row(r, "node-connect")?.rssMB?.p50)} / ${mb(row(r, "node-connect")?.rssMB?.max)}.${soakRange(r)}`,
    `- ${row(r, "tcp100fast")?.label ?? "100 services, TCP check every 100 ms"}: ${pct(row(r, "tcp100fast")?.cpuPct)} of a core against a ≤ 5 % goal; bare Node doing the same number of connects a second (${row(r, "node-connect")?.label ?? "node-connect"}): ${pct(row(r, "node-connect")?.cpuPct)}.`,
    `- Exec checks: the supervisor spends ${ms(row(r, "exec100")?.cpuPerCheckMs)} per check, bare Node ${ms(row(r, "node-spawn")?.cpuPerCheckMs)} per identical spawn; the health monitor alone (test/bench/health.ts) ${ms(monitorPerExec(r))} per exec, ${ms(row(r, "monitor-exec")?.cpuPerCheckMs)} of it outside \`spawn()\` (Node's child-process handling and the scheduler).`,
  ];
  if (before) {
    const idle = row(before, "idle");
    const tcp = row(before, "tcp1000");
    const ref = row(before, "node-connect");
    const exec = row(before, "monitor-exec");
    const ratio = tcp?.cpuPerCheckMs !== undefined && ref?.cpuPerCheckMs ? `${(tcp.cpuPerCheckMs / ref.cpuPerCheckMs).toFixed(2)}×` : "not measured";
    lines.push(
      `- Before these changes (\`docs/results/footprint-before.json\`, run ${before.startedAt}): idle RSS ${mb(idle?.rssMB?.p50)} / ${mb(idle?.rssMB?.max)} (p50 / max), ` +
        `1,000 TCP checks ${mb(tcp?.rssMB?.p50)} / ${mb(tcp?.rssMB?.max)} (peak ${mb(tcp?.peakRssMB)}) at ${ratio} bare Node's CPU per probe, ` +
        `exec checks ${exec?.cpuPerCheckMs === undefined ? "not measured" : `${exec.cpuPerCheckMs.toFixed(2)} ms`} beyond \`spawn()\`.`,
    );
  }
  return `${lines.join("\n")}\n`;
}

const readResults = (file: string) => (existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as FootprintResults) : undefined);

/** the committed notes (empty before the first run is committed) */
export function committedFootprintNotes(): string {
  const r = readResults(RESULT_FILE);
  return r ? footprintNotes(r, readResults(BEFORE_FILE)) : "";
}

/** the committed results' table (empty before the first run is committed) */
export function committedFootprintTable(): string {
  const r = readResults(RESULT_FILE);
  return r ? footprintTable(r) : "";
}

if (process.argv[1] === import.meta.filename) {
  const from = process.argv[2];
  if (!from) throw new Error("usage: footprint-doc.ts test/bench/results/<run>.json");
  const r = JSON.parse(readFileSync(from, "utf8")) as Results;
  // a run without a soak keeps the committed one, and says which run it is from
  const prev = r.soak ? undefined : readResults(RESULT_FILE);
  const soakOf = r.soak ? {} : prev?.soak ? { soak: prev.soak, soakRun: prev.soakRun ?? { startedAt: prev.startedAt, commit: prev.machine.commit, loadAfter: prev.machine.loadAfter } } : {};
  const kept: FootprintResults = { startedAt: r.startedAt, mode: r.mode, machine: r.machine, footprint: r.footprint, cli: r.cli, ...(r.soak ? { soak: r.soak } : soakOf) };
  mkdirSync(dirname(RESULT_FILE), { recursive: true });
  writeFileSync(RESULT_FILE, `${JSON.stringify(kept, null, 1)}\n`);
  // the page's generated blocks are written by their one writer (which imports this file)
  execFileSync(process.execPath, ["--import", "tsx", resolve(import.meta.dirname, "../helpers/doc-blocks.ts"), "--write"], { stdio: "inherit" });
  console.log(`${RESULT_FILE} and the footprint table in docs/performance.md updated from ${from}`);
}
