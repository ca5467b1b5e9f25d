// Doctor findings as text: one line each, evidence indented, the fix after an arrow.
import type { Finding } from "./types.js";

const MARK: Record<Finding["result"], string> = { PASS: "PASS", WARN: "WARN", FAIL: "FAIL", SKIP: "SKIP" };

export function doctorText(findings: Finding[]): string {
  const out: string[] = [];
  let area = "";
  for (const f of findings) {
    if (f.area !== area) {
      area = f.area;
      out.push(area);
    }
    out.push(`  ${MARK[f.result]}  ${f.finding}${f.result === "PASS" || f.result === "SKIP" ? "" : `  [${f.code}]`}`);
    if (f.evidence && f.result !== "PASS") for (const l of f.evidence.split("\n")) out.push(`          | ${l}`);
    if (f.fix && f.result !== "PASS") out.push(`          → ${f.fix}`);
  }
  const n = (r: Finding["result"]) => findings.filter((f) => f.result === r).length;
  out.push("", `${n("FAIL")} fail, ${n("WARN")} warn, ${n("PASS")} pass`);
  return out.join("\n");
}
