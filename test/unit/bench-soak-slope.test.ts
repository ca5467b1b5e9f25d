// The soak's slope and its interval (test/bench/lib/soak-fit.ts): exact on a line, the textbook width on
// independent noise, wider on noise whose neighbours are correlated, as RSS samples 10 s apart are.
import { describe, expect, it } from "vitest";
import { slope, soakSlope } from "../bench/lib/soak-fit.js";

/** deterministic standard-normal-ish noise (sum of 12 uniforms from a fixed LCG) */
function noise(seed: number): () => number {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return () => Array.from({ length: 12 }, u).reduce((a, b) => a + b, 0) - 6;
}

/** the interval that assumes independent samples */
function textbook(points: [number, number][]): number {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  const sxx = points.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
  const b = points.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0) / sxx;
  const resid = points.reduce((s, p) => s + (p[1] - my - b * (p[0] - mx)) ** 2, 0);
  return 1.96 * Math.sqrt(resid / (n - 2) / sxx);
}

const xs = Array.from({ length: 168 }, (_, i) => 120 + 10 * i);

describe("soak slope", () => {
  it("a straight line: its slope, and no width", () => {
    const r = slope(xs.map((x) => [x, 75 + x / 3600]));
    expect(r.b * 3600).toBeCloseTo(1, 9);
    expect(r.ci).toBeLessThan(1e-9);
  });

  it("independent noise: about the textbook interval", () => {
    const z = noise(7);
    const pts = xs.map((x): [number, number] => [x, 78 + z()]);
    const ratio = slope(pts).ci / textbook(pts);
    expect(ratio).toBeGreaterThan(0.75);
    expect(ratio).toBeLessThan(1.3);
  });

  it("noise correlated from one sample to the next: a wider interval than the textbook one", () => {
    const z = noise(11);
    let e = 0;
    const pts = xs.map((x): [number, number] => {
      e = 0.8 * e + z();
      return [x, 78 + e];
    });
    expect(slope(pts).ci / textbook(pts)).toBeGreaterThan(1.5);
  });

  it("a soak's samples 10 s apart: the interval allows for two minutes of correlation, wider than the usual rule's 40 s", () => {
    const z = noise(5);
    let e = 0;
    const samples = Array.from({ length: 180 }, (_, i): [number, number] => {
      e = 0.95 * e + z();
      return [10 * i, 75 + e];
    });
    const kept = samples.filter(([t]) => t >= 120);
    const usual = slope(kept).ci * 3600;
    expect(soakSlope(samples, 30).slopeCI).toBeGreaterThan(1.2 * usual);
    expect(soakSlope(samples, 30).slopeMBPerHour).toBeCloseTo(slope(kept).b * 3600, 9);
  });
});
