// A service's timeout when the manifest leaves it out: derived below the interval, from the checks'
// own timeouts when every check has one, and named as derived in `check`'s summary.
import { describe, expect, it } from "vitest";
import { summaryText } from "../../../src/manifest/summary.js";
import { derivedServiceTimeout } from "../../../src/manifest/timing.js";
import { loadText, withBlock } from "./manifests.js";

const svc = (extra: string) => withBlock("services", `\n  - name: dns\n    prefixes: [192.0.2.53/32]\n${extra}`);

describe("derivedServiceTimeout", () => {
  it.each([
    ["every check has one: the longest", 200, [100, 50], { ms: 100, source: "checks" }],
    ["a check without one: half a short interval", 200, [100, undefined], { ms: 100, source: "interval" }],
    ["no checks, short interval: half of it", 500, [], { ms: 250, source: "interval" }],
    ["long interval: the 1s default", 5000, [undefined], { ms: 1000, source: "default" }],
    ["the smallest interval", 10, [], { ms: 5, source: "interval" }],
  ] as const)("%s", (_what, interval, checks, want) => {
    expect(derivedServiceTimeout(interval, checks)).toEqual(want);
  });
});

describe("a manifest without a service timeout", () => {
  it("interval 200ms with a 100ms check timeout is accepted, and the timeout is the check's", async () => {
    const r = await loadText(svc("    interval: 200ms\n    checks: [{type: file, path: /x, timeout: 100ms}]"));
    expect(r.problems).toEqual([]);
    expect(r.manifest!.services[0]).toMatchObject({ intervalMs: 200, timeoutMs: 100, timeoutSource: "checks", fastIntervalMs: 100 });
    expect(r.manifest!.services[0]!.checks[0]!.timeoutMs).toBe(100);
    expect(summaryText(r.manifest!)).toContain("every 200ms, timeout 100ms (derived: the longest check timeout)");
  });

  it("interval 200ms with checks that name no timeout gets half the interval for them", async () => {
    const r = await loadText(svc("    interval: 200ms\n    checks: [{type: file, path: /x}]"));
    expect(r.problems).toEqual([]);
    expect(r.manifest!.services[0]).toMatchObject({ timeoutMs: 100, timeoutSource: "interval" });
    expect(r.manifest!.services[0]!.checks[0]!.timeoutMs).toBe(100);
    expect(summaryText(r.manifest!)).toContain("timeout 100ms (derived: half the interval)");
  });

  it("a written timeout is used as written and not called derived", async () => {
    const r = await loadText(svc("    interval: 200ms\n    timeout: 150ms"));
    expect(r.manifest!.services[0]).toMatchObject({ timeoutMs: 150, timeoutSource: "manifest" });
    expect(summaryText(r.manifest!)).toMatch(/every 200ms, timeout 150ms; on failure/);
  });

  it("a written timeout at the interval is still refused, at the timeout, with the way out", async () => {
    const r = await loadText(svc("    interval: 200ms\n    timeout: 200ms"));
    expect(r.problems.map((p) => [p.path, p.message, p.hint])).toEqual([
      ["services.0.timeout", "timeout (200ms) must be shorter than interval (200ms) so runs never overlap", "leave timeout out and svcroute derives one below the interval"],
    ]);
    expect(r.problems[0]!.line).toBe(16);
  });
});
