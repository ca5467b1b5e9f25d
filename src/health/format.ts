// Text for people: one service's probe round, as printed by `check --run-checks` and `probe`.
import type { Service } from "../manifest/types.js";
import { describeCombine } from "./combine.js";
import { describeCheck } from "./runners/index.js";
import type { RoundResult } from "./types.js";

const ms = (n: number) => (n >= 100 ? `${Math.round(n)}ms` : `${n.toFixed(1)}ms`);

export function formatRound(s: Service, r: RoundResult): string {
  const verdict = r.ok ? "healthy" : "UNHEALTHY";
  const how = r.total === 0 ? "no checks: always healthy" : `${r.passed}/${r.total} passed, combine ${describeCombine(s.combine)}`;
  const lines = [`${s.name}: ${verdict} (${how})`];
  r.results.forEach((c, i) => {
    const spec = s.checks[i]!;
    lines.push(`  ${c.ok ? "ok  " : "FAIL"} ${c.check.padEnd(14)} ${ms(c.latencyMs).padStart(8)}  ${describeCheck(spec)}`);
    lines.push(`       ${c.reason}`);
  });
  return lines.join("\n");
}
