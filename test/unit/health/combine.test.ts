// all / any / quorum over one round's results, plus the bounded text helpers used in reasons.
import { describe, expect, it } from "vitest";
import { combineResults } from "../../../src/health/combine.js";
import { Tail, oneLine, quote } from "../../../src/health/runners/text.js";
import type { CheckResult } from "../../../src/health/types.js";
import type { Combine } from "../../../src/manifest/types.js";

const res = (pattern: string): CheckResult[] =>
  Array.from(pattern).map((c, i) => ({ check: `c${i}`, type: "tcp", ok: c === "+", reason: c === "+" ? "fine" : "refused", at: 0, latencyMs: 1, queuedMs: 0, timedOut: false }));

describe("combine", () => {
  it.each<[Combine, string, boolean]>([
    [{ kind: "all" }, "+++", true],
    [{ kind: "all" }, "++-", false],
    [{ kind: "any" }, "--+", true],
    [{ kind: "any" }, "---", false],
    [{ kind: "quorum", n: 2 }, "+-+", true],
    [{ kind: "quorum", n: 2 }, "+--", false],
    [{ kind: "quorum", n: 3 }, "+++", true],
    [{ kind: "all" }, "", true],
    [{ kind: "any" }, "", true],
  ])("%o over %s → %s", (c, p, ok) => {
    expect(combineResults(c, res(p)).ok).toBe(ok);
  });

  it("reasons name the failing checks and the rule", () => {
    expect(combineResults({ kind: "quorum", n: 2 }, res("+--")).reason).toBe("1/3 passed (quorum 2 needs 2); c1: refused; c2: refused");
    expect(combineResults({ kind: "all" }, res("+++")).reason).toBe("3/3 checks passed");
    expect(combineResults({ kind: "all" }, res("-")).reason).toBe("c0: refused");
    expect(combineResults({ kind: "all" }, res("+")).reason).toBe("c0: fine");
    expect(combineResults({ kind: "all" }, res("-".repeat(32))).reason.length).toBeLessThanOrEqual(600);
  });
});

describe("text helpers", () => {
  it("Tail keeps the last N bytes across chunks", () => {
    const t = new Tail(8);
    for (const c of ["abc", "defgh", "ijk"]) t.push(Buffer.from(c));
    expect(t.text()).toBe("defghijk");
    t.push(Buffer.from("0123456789"));
    expect(t.text()).toBe("23456789");
  });

  it("oneLine and quote make bounded single lines", () => {
    expect(oneLine("a\nb\r\n\nc\x07 \n")).toBe("a | b | c?");
    expect(quote("x".repeat(100), 5)).toBe('"xxxxx…"');
  });
});
