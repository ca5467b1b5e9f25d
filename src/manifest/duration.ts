// Durations as operators write them: "500ms", "2s", "1m", "1h", "1m30s".

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
export const DURATION_PATTERN = /^(\d{1,7}(ms|s|m|h)){1,4}$/;

/** Milliseconds, or null when the text is not a duration. */
export function parseDuration(s: string): number | null {
  if (!DURATION_PATTERN.test(s)) return null;
  let total = 0;
  for (const m of s.matchAll(/(\d+)(ms|s|m|h)/g)) total += Number(m[1]) * UNIT_MS[m[2]!]!;
  return total;
}

export function mustParseDuration(s: string): number {
  const v = parseDuration(s);
  if (v === null) throw new Error(`invalid duration ${s}`);
  return v;
}

/** Shortest exact text for a number of milliseconds (1000 → "1s", 1500 → "1500ms"). */
export function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0 && ms > 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0 && ms > 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
