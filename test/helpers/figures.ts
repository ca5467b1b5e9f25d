// Figures measured by the reliability suites (cases tried, faults injected, recoveries, data
// lost), kept per suite in node_modules/.cache/svcroute/reliability/ so docs/reliability.md's
// figures table can be generated from the last run (test/helpers/reliability-report.ts).
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg } from "node:os";
import { join } from "node:path";

export const FIGURES_DIR = join(import.meta.dirname, "../../node_modules/.cache/svcroute/reliability");

export function recordFigures(suite: string, figures: Record<string, unknown>): void {
  mkdirSync(FIGURES_DIR, { recursive: true });
  // the load at the end: the lab machines are shared, and timings move with it
  const load = loadavg().map((x) => Math.round(x * 100) / 100);
  writeFileSync(join(FIGURES_DIR, `${suite}.json`), `${JSON.stringify({ suite, at: new Date().toISOString(), load, ...figures }, null, 2)}\n`);
}

export function readFigures(): Record<string, Record<string, unknown>> {
  try {
    return Object.fromEntries(
      readdirSync(FIGURES_DIR)
        .filter((f) => f.endsWith(".json"))
        .map((f) => [f.slice(0, -5), JSON.parse(readFileSync(join(FIGURES_DIR, f), "utf8")) as Record<string, unknown>]),
    );
  } catch {
    return {};
  }
}
