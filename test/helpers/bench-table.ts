// docs/performance.md's bench tables, made from the runs committed under docs/results/bench/
// (each as `npm run bench` wrote it): each part's table comes from the newest committed run that
// measured it, and the goals of every run are listed with the machine and load it ran under.
// doc-blocks.ts generates the blocks from them, so test/unit/readme.test.ts fails when the page
// and the committed runs disagree.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { goalsTable, latencyTable, runHeader, scaleChangesTable, scaleTable, stabilityTable, type Results } from "../bench/report.js";

export const BENCH_RESULTS = join(import.meta.dirname, "../../docs/results/bench");

interface Run {
  file: string;
  r: Results;
}

/** every committed run, oldest first */
function committedRuns(dir: string): Run[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((file) => ({ file, r: JSON.parse(readFileSync(join(dir, file), "utf8")) as Results }));
}

const source = (run: Run) => `From \`docs/results/bench/${run.file}\`. ${runHeader(run.r)}`;

/** a part's tables from the newest committed run that has them */
function part(runs: Run[], what: string, render: (r: Results) => string[]): string {
  const run = [...runs].reverse().find((x) => render(x.r).length > 0);
  if (!run) return `No committed run measured ${what} yet: \`npm run bench\`, then publish it as above.\n`;
  return `${[source(run), ...render(run.r)].join("\n\n")}\n`;
}

/** every committed run: where it ran, under what load, and the goals it measured */
function runsBlock(runs: Run[]): string {
  if (runs.length === 0) return "No bench run is committed yet: `npm run bench`, then publish it as above.\n";
  return `${runs
    .map((run) => {
      const measured = run.r.goals.filter((g) => g.value !== "not measured");
      return [source(run), ...(measured.length ? [goalsTable(measured)] : []), ...(run.r.errors.length ? ["Errors:", ...run.r.errors.map((e) => `- ${e}`)] : [])].join("\n\n");
    })
    .join("\n\n")}\n`;
}

/** the generated blocks of docs/performance.md that come from docs/results/bench/ */
export function benchBlocks(dir = BENCH_RESULTS): Record<"performance" | "bench-latency" | "bench-stability" | "bench-scale" | "bench-scale-changes", string> {
  const runs = committedRuns(dir);
  return {
    performance: runsBlock(runs),
    "bench-latency": part(runs, "withdrawal latency", latencyTable),
    "bench-stability": part(runs, "session stability", stabilityTable),
    "bench-scale": part(runs, "the scale of a full apply", scaleTable),
    "bench-scale-changes": part(runs, "changes at scale", scaleChangesTable),
  };
}
