// Documentation blocks generated from the code and from committed results: the manifest
// reference, the exit-code table, the reliability figures (docs/results/reliability/), the bench
// tables (docs/results/bench/) and the footprint table (docs/results/footprint.json).
// `npx tsx test/helpers/doc-blocks.ts --write` refreshes them; test/unit/readme.test.ts checks.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ERROR_CODES } from "../../src/errors.js";
import { manifestReference } from "../../src/manifest/reference.js";
import { committedFootprintNotes, committedFootprintTable } from "../bench/footprint-doc.js";
import { benchBlocks } from "./bench-table.js";
import { reliabilityBlock } from "./reliability-table.js";
import { matrixTable } from "../lab/harness/matrix.js";

export const ROOT = join(import.meta.dirname, "../..");
export const README = join(ROOT, "README.md");

/** the page under docs/ that holds each generated block */
export const BLOCK_PAGES: Record<string, string> = {
  "manifest-reference": "docs/manifest.md",
  "exit-codes": "docs/exit-codes.md",
  reliability: "docs/reliability.md",
  performance: "docs/performance.md",
  "bench-latency": "docs/performance.md",
  "bench-stability": "docs/performance.md",
  "bench-scale": "docs/performance.md",
  "bench-scale-changes": "docs/performance.md",
  footprint: "docs/performance.md",
  "footprint-notes": "docs/performance.md",
  "daemon-matrix": "docs/install.md",
};

export function generatedBlocks(): Record<string, string> {
  const codes = ["| exit | code | meaning |", "|---|---|---|", "| 0 | | success |"];
  for (const [k, v] of Object.entries(ERROR_CODES)) codes.push(`| ${v.exit} | \`${k}\` | ${v.summary} |`);
  return { "manifest-reference": manifestReference(), "exit-codes": `${codes.join("\n")}\n`, reliability: reliabilityBlock(), ...benchBlocks(), footprint: committedFootprintTable(), "footprint-notes": committedFootprintNotes(), "daemon-matrix": matrixTable() };
}

function markers(name: string): RegExp {
  return new RegExp(`(<!-- ${name}:start -->\\n)([\\s\\S]*?)(<!-- ${name}:end -->)`);
}

export function blockIn(text: string, name: string): string | undefined {
  return markers(name).exec(text)?.[2];
}

/** replace a generated block in its page; a page without the markers is an error */
export function writeBlock(name: string, body: string): void {
  const page = join(ROOT, BLOCK_PAGES[name]!);
  const text = readFileSync(page, "utf8");
  if (blockIn(text, name) === undefined) throw new Error(`${page} has no <!-- ${name}:start --> marker`);
  writeFileSync(page, text.replace(markers(name), (_m, start: string, _old, end: string) => `${start}${body}${end}`));
}

if (process.argv.includes("--write")) {
  for (const [name, body] of Object.entries(generatedBlocks())) writeBlock(name, body);
}
