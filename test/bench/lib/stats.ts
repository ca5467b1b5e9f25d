// Order statistics of a sample: the figures every table shows (nearest-rank percentiles).
export interface Summary {
  n: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
  /** sample standard deviation */
  sd: number;
}

/** nearest-rank percentile of an ascending array (p in 0..100) */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

export function summarise(xs: readonly number[]): Summary | undefined {
  if (xs.length === 0) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  const sd = s.length > 1 ? Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / (s.length - 1)) : 0;
  return {
    n: s.length,
    min: s[0]!,
    p50: percentile(s, 50),
    p95: percentile(s, 95),
    p99: percentile(s, 99),
    max: s[s.length - 1]!,
    mean,
    sd,
  };
}

/** a figure rounded for display: 1 decimal under 100, whole numbers above */
export function fmt(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return "–";
  if (Math.abs(x) >= 100) return Math.round(x).toLocaleString("en-US");
  return x.toFixed(1);
}

/** "p50 / p95 / max" of a summary, in ms */
export function triple(s: Summary | undefined): string {
  return s ? `${fmt(s.p50)} / ${fmt(s.p95)} / ${fmt(s.max)}` : "–";
}

/** difference of two means with its 95% confidence half-width (normal approximation) */
export function meanDiff(a: Summary, b: Summary): { diff: number; ci: number } {
  return { diff: a.mean - b.mean, ci: 1.96 * Math.sqrt((a.sd * a.sd) / a.n + (b.sd * b.sd) / b.n) };
}
