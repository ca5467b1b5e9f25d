// The soak's verdict on growth: the slope of a least-squares line through the RSS samples after
// the first two minutes, with its 95% interval, in MB per hour. Samples 10 s apart are not
// independent (the heap rises and falls over each garbage-collection cycle, a minute or more):
// the interval is Newey-West's, which widens with that correlation, where the textbook one, which
// assumes independent samples, would claim a precision the run lacks. The footprint table
// (footprint-doc.ts) recomputes it from the samples of the run it shows.

/** samples before this are the start settling, not growth (half the run, for a short one) */
const SETTLE_S = 120;
/** the correlation the interval allows for: two minutes, longer than a collection cycle under the soak */
const CORRELATED_S = 120;

/**
 * Least squares y = a + b·x: b and its 95% half-interval (normal approximation) with Newey-West's
 * standard error (Bartlett weights; lags floor(4·(n/100)^(2/9)), their usual rule, or `minLags`
 * if more), so that correlated neighbours do not count as independent evidence.
 */
export function slope(points: readonly [number, number][], minLags = 0): { b: number; ci: number } {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  const sxx = points.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
  const b = points.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0) / sxx;
  // each point's score: its x's distance from the mean times its residual
  const u = points.map((p) => (p[0] - mx) * (p[1] - my - b * (p[0] - mx)));
  const lags = Math.max(Math.floor(4 * (n / 100) ** (2 / 9)), minLags);
  let s = u.reduce((acc, v) => acc + v * v, 0);
  for (let l = 1; l <= lags; l++) {
    let c = 0;
    for (let i = l; i < n; i++) c += u[i]! * u[i - l]!;
    s += 2 * (1 - l / (lags + 1)) * c;
  }
  const se = Math.sqrt((Math.max(s, 0) * n) / Math.max(1, n - 2)) / sxx;
  return { b, ci: 1.96 * se };
}

/** the slope and its 95% half-interval, MB per hour, of a soak's [seconds, RSS MB] samples */
export function soakSlope(samples: readonly [number, number][], minutes: number): { slopeMBPerHour: number; slopeCI: number } {
  const kept = samples.filter(([t]) => t >= Math.min(SETTLE_S, (minutes * 60) / 2));
  const spacing = kept.length > 1 ? (kept.at(-1)![0] - kept[0]![0]) / (kept.length - 1) : 1;
  const { b, ci } = slope(kept, Math.ceil(CORRELATED_S / spacing));
  return { slopeMBPerHour: b * 3600, slopeCI: ci * 3600 };
}
