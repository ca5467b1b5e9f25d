// Publish a bench run the docs quote: copy its results file (test/bench/results/<time>.json, what
// `npm run bench` wrote) to docs/results/bench/ (committed) and regenerate docs/performance.md's
// bench blocks from every committed run (bench-table.ts).
//   npx tsx test/helpers/bench-publish.ts --write test/bench/results/<time>.json [NAME]
import { copyFileSync } from "node:fs";
import { basename, join } from "node:path";
import { BENCH_RESULTS, benchBlocks } from "./bench-table.js";
import { writeBlock } from "./doc-blocks.js";

if (process.argv.includes("--write")) {
  const [file, name] = process.argv.slice(2).filter((a) => !a.startsWith("--"));
  if (file) copyFileSync(file, join(BENCH_RESULTS, name ? `${name}.json` : basename(file)));
  for (const [name, body] of Object.entries(benchBlocks())) writeBlock(name, body);
}
