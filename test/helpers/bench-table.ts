// docs/performance.md's tables, made from the bench runs committed under docs/results/bench/
// (each as `npm run bench` wrote it). doc-blocks.ts generates the block from them, so
// test/unit/readme.test.ts fails when the page and the committed runs disagree.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { renderTables, type Results } from "../bench/report.js";

export const BENCH_RESULTS = join(import.meta.dirname, "../../docs/results/bench");

/** every committed run, oldest first, each as the bench prints it */
export function performanceBlock(dir = BENCH_RESULTS): string {
  const runs = readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort();
  if (runs.length === 0) return "No bench run is committed yet: `npm run bench`, then publish it as above.\n";
  return `${runs.map((f) => `From \`docs/results/bench/${f}\`:\n\n${renderTables(JSON.parse(readFileSync(join(dir, f), "utf8")) as Results)}`).join("\n\n")}\n`;
}
