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
import { footprintGoals, type Results } from "./report.js";

export const RESULT_FILE = resolve(import.meta.dirname, "../../docs/results/footprint.json");

export type FootprintResults = Pick<Results, "startedAt" | "mode" | "machine" | "footprint" | "cli" | "soak">;

export function footprintTable(r: FootprintResults): string {
  const m = r.machine;
  const verdict = (met: boolean | "noise" | undefined) => (met === undefined ? "" : met === true ? "met" : met === "noise" ? "within noise" : "**not met**");
  return [
    `Run ${r.startedAt} (${r.mode}) on ${m.cpus} × ${m.cpuModel}, Node ${m.node}, svcroute ${m.svcroute}${m.commit ? ` at ${m.commit}` : ""}; ` +
      `load average ${m.loadBefore.join(" ")} → ${m.loadAfter.join(" ")}.`,
    "",
    "| goal | target | figure | |",
    "|---|---:|---:|---|",
    ...footprintGoals(r).map((g) => `| ${g.what} | ${g.target} | ${g.value} | ${verdict(g.met)} |`),
    "",
  ].join("\n");
}

/** the committed results' table (empty before the first run is committed) */
export function committedFootprintTable(): string {
  return existsSync(RESULT_FILE) ? footprintTable(JSON.parse(readFileSync(RESULT_FILE, "utf8")) as FootprintResults) : "";
}

if (process.argv[1] === import.meta.filename) {
  const from = process.argv[2];
  if (!from) throw new Error("usage: footprint-doc.ts test/bench/results/<run>.json");
  const r = JSON.parse(readFileSync(from, "utf8")) as Results;
  const kept: FootprintResults = { startedAt: r.startedAt, mode: r.mode, machine: r.machine, footprint: r.footprint, cli: r.cli, ...(r.soak ? { soak: r.soak } : {}) };
  mkdirSync(dirname(RESULT_FILE), { recursive: true });
  writeFileSync(RESULT_FILE, `${JSON.stringify(kept, null, 1)}\n`);
  // the page's generated blocks are written by their one writer (which imports this file)
  execFileSync(process.execPath, ["--import", "tsx", resolve(import.meta.dirname, "../helpers/doc-blocks.ts"), "--write"], { stdio: "inherit" });
  console.log(`${RESULT_FILE} and the footprint table in docs/performance.md updated from ${from}`);
}
