// What every doctor rule uses to word a finding.
import type { Area, Finding } from "../types.js";

export const ok = (area: Area, finding: string, evidence?: string): Finding => ({ area, code: `${area.toUpperCase() as Uppercase<Area>}_OK`, result: "PASS", finding, ...(evidence ? { evidence } : {}) });
export const octal = (m: number | undefined) => (m === undefined ? "?" : (m & 0o777).toString(8).padStart(4, "0"));
export const excerpt = (lines: string[], n = 8) => lines.slice(0, n).join("\n") + (lines.length > n ? `\n... (${lines.length - n} more)` : "");
