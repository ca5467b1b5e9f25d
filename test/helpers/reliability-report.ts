// Publish what the reliability suites recorded in their last run (node_modules/.cache, see
// figures.ts): copy each suite's figures into docs/results/reliability/ (committed) and
// regenerate docs/reliability.md's table from them.
//   npx tsx test/helpers/reliability-report.ts --write [SUITE ...]   (default: every suite that ran)
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeBlock } from "./doc-blocks.js";
import { readFigures } from "./figures.js";
import { RESULTS_DIR, reliabilityBlock } from "./reliability-table.js";

if (process.argv.includes("--write")) {
  const want = process.argv.slice(2).filter((a) => !a.startsWith("--"));
  for (const [suite, figures] of Object.entries(readFigures())) {
    if (want.length && !want.includes(suite)) continue;
    writeFileSync(join(RESULTS_DIR, `${suite}.json`), `${JSON.stringify(figures, null, 2)}\n`);
    console.log(`published ${suite} (${String(figures.at)})`);
  }
  writeBlock("reliability", reliabilityBlock());
}
