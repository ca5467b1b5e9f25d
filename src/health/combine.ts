// Combine one round's check results into the service's verdict: all (default), any, quorum N.
// Pure.
import type { Combine } from "../manifest/types.js";
import type { CheckResult } from "./types.js";

export interface Verdict {
  ok: boolean;
  passed: number;
  total: number;
  reason: string;
}

const MAX_REASON = 600;

function needed(combine: Combine, total: number): number {
  if (combine.kind === "all") return total;
  if (combine.kind === "any") return Math.min(1, total);
  return Math.min(combine.n, total);
}

export function describeCombine(combine: Combine): string {
  return combine.kind === "quorum" ? `quorum ${combine.n}` : combine.kind;
}

export function combineResults(combine: Combine, results: readonly CheckResult[]): Verdict {
  const total = results.length;
  let passed = 0;
  for (const r of results) if (r.ok) passed++;
  const need = needed(combine, total);
  const ok = passed >= need;
  let reason: string;
  if (total === 0) reason = "no checks: always healthy";
  else if (passed === total) reason = total === 1 ? `${results[0]!.check}: ${results[0]!.reason}` : `${passed}/${total} checks passed`;
  else {
    const why = results
      .filter((r) => !r.ok)
      .map((r) => `${r.check}: ${r.reason}`)
      .join("; ");
    const head = total === 1 ? "" : `${passed}/${total} passed (${describeCombine(combine)} needs ${need}); `;
    reason = head + why;
  }
  if (reason.length > MAX_REASON) reason = `${reason.slice(0, MAX_REASON - 1)}…`;
  return { ok, passed, total, reason };
}
