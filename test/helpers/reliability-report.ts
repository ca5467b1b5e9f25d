// The README's Reliability section, generated from the figures the reliability suites recorded in
// their last run (test/helpers/figures.ts): `npx tsx test/helpers/reliability-report.ts --write`.
import { readFileSync, writeFileSync } from "node:fs";
import { README } from "./readme-blocks.js";
import { readFigures } from "./figures.js";

const LABELS: Record<string, string> = {
  fuzz: "manifest fuzzing (structure-aware + byte mutations; accepted ones judged by the real parsers)",
};

export function reliabilityBlock(): string {
  const figs = readFigures();
  const rows = ["| suite | when | figures |", "|---|---|---|"];
  for (const [suite, f] of Object.entries(figs).sort()) {
    const { suite: _s, at, ...rest } = f;
    const shown = Object.entries(rest)
      .map(([k, v]) => `${k} ${typeof v === "object" ? JSON.stringify(v) : String(v)}`)
      .join(", ");
    rows.push(`| ${LABELS[suite] ?? suite} | ${String(at).slice(0, 16).replace("T", " ")} UTC | ${shown} |`);
  }
  return `${rows.join("\n")}\n`;
}

if (process.argv.includes("--write")) {
  const text = readFileSync(README, "utf8");
  writeFileSync(README, text.replace(/(<!-- reliability:start -->\n)[\s\S]*?(<!-- reliability:end -->)/, `$1${reliabilityBlock()}$2`));
}
