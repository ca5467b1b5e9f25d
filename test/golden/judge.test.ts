// The judges themselves: a known-bad config must be rejected by the same invocation that passes
// the golden files, or a passing golden test would prove nothing.
import { describe, expect, it } from "vitest";
import { assertDaemonAccepts, bgpdSubset, parseBgpdOutput } from "../../src/daemons/validate.js";
import type { Exec } from "../../src/effects/exec.js";
import { exec } from "../../src/effects/exec.js";
import { fixtureModel, judge, renderReal } from "./support.js";

describe("daemon parser judges", () => {
  it("bird -p rejects a broken BIRD config with file:line", async () => {
    const { model } = await fixtureModel("minimal");
    const bad = renderReal(model, "bird").replace("keepalive time 3;", "keepalive time 30;");
    const v = await judge("bird", bad);
    expect(v.ok).toBe(false);
    expect(v.diagnostics[0]!.message).toMatch(/Keepalive time must be at most hold time/);
    // BIRD checks a protocol when its block ends, so it names a line at or after the bad one.
    expect(v.diagnostics[0]!.line).toBeGreaterThanOrEqual(bad.split("\n").findIndex((l) => l.includes("keepalive time 30")) + 1);
  });

  it("bird -p rejects a syntax error", async () => {
    const v = await judge("bird", "router id 192.0.2.1;\nprotocol bgp x {\n  local as 65001\n}\n");
    expect(v.ok).toBe(false);
    expect(v.diagnostics.some((d) => d.line === 4)).toBe(true);
  });

  it("vtysh -C rejects an FRR grammar error", async () => {
    const { model } = await fixtureModel("minimal");
    const bad = renderReal(model, "frr").replace(" no bgp network import-check", " no bgp network import-check\n  network 192.0.2.0/33");
    const v = await judge("frr", bad);
    expect(v.ok).toBe(false);
    expect(v.judges).toEqual(["vtysh -C"]);
    expect(v.diagnostics[0]).toMatchObject({ message: "Unknown command", text: "  network 192.0.2.0/33" });
  });

  it("bgpd -C rejects what only bgpd knows is wrong (route-map on an unknown neighbour)", async () => {
    const { model } = await fixtureModel("minimal");
    const text = renderReal(model, "frr");
    const bad = text.replace("  neighbor 169.254.0.1 activate", "  neighbor 169.254.0.1 activate\n  neighbor 169.254.0.99 route-map SVCR-IN-V4 in");
    const v = await judge("frr", bad);
    expect(v.ok).toBe(false);
    expect(v.judges).toEqual(["vtysh -C", "bgpd -C"]);
    const line = bad.split("\n").indexOf("  neighbor 169.254.0.99 route-map SVCR-IN-V4 in") + 1;
    expect(v.diagnostics).toEqual([{ line, message: "Command returned Warning Config Failed", text: "  neighbor 169.254.0.99 route-map SVCR-IN-V4 in" }]);
  });

  it("E_DAEMON_REJECTED carries file:line evidence", async () => {
    const err = await assertDaemonAccepts("bird", "protocol bgp {\n", "/etc/bird/bird.conf", { exec }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "E_DAEMON_REJECTED" });
    expect((err as { details: string }).details).toMatch(/^\/etc\/bird\/bird\.conf:\d+: /m);
  });

  it("missing binaries are E_DAEMON_MISSING naming the package", async () => {
    const err = await assertDaemonAccepts("bird", "router id 1.2.3.4;\n", "x", { exec, binaries: { bird: "/nonexistent/bird" } }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "E_DAEMON_MISSING" });
    expect((err as Error & { hint: string }).hint).toMatch(/apt-get install bird2/);
    const err2 = await assertDaemonAccepts("frr", "!\n", "x", { exec, binaries: { vtysh: "/nonexistent/vtysh" } }).catch((e: unknown) => e);
    expect(err2).toMatchObject({ code: "E_DAEMON_MISSING" });
    expect((err2 as Error & { hint: string }).hint).toMatch(/apt-get install frr/);
  });

  it("a bgpd that cannot read the file fails the check instead of passing silently", () => {
    const out = "2026/01/01 BGP: [VDWX6-W8CNF][EC 100663304] vty_read_config: can't open configuration file [/x/bgpd.conf]";
    expect(parseBgpdOutput(out, [])).toHaveLength(1);
  });

  it("feeds bgpd only its own part of the integrated config, keeping line numbers", () => {
    const text = "frr defaults datacenter\nlog file /var/log/frr/x.log\nno ip forwarding\nno ipv6 forwarding\nbfd\n profile P\n exit\nexit\nrouter bgp 1\nexit\n";
    const sub = bgpdSubset(text);
    expect(sub.split("\n")).toEqual(["frr defaults datacenter", "!", "!", "!", "!", "!", "!", "!", "router bgp 1", "exit", ""]);
  });

  it("runs the parsers through the injected exec, with argv and no shell", async () => {
    const calls: { file: string; args: readonly string[] }[] = [];
    const fake: Exec = async (file, args) => {
      calls.push({ file, args });
      return { code: 0, stdout: "", stderr: "", durationMs: 1, timedOut: false, notFound: false };
    };
    await assertDaemonAccepts("frr", "!\n", "x", { exec: fake });
    expect(calls.map((c) => c.file)).toEqual(["/usr/bin/vtysh", "/usr/lib/frr/bgpd"]);
    expect(calls[0]!.args.slice(0, 2)).toEqual(["-C", "-f"]);
    expect(calls[1]!.args).toContain("-C");
  });
});
