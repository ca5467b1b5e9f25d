import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { nagios, statusText } from "../../../src/commands/status-format.js";
import { changeDrain, readDrainState } from "../../../src/supervisor/drain.js";
import { startStatusServer } from "../../../src/supervisor/status-server.js";
import { runCli } from "../../helpers/cli.js";
import { sampleStatus } from "../../helpers/status-fixture.js";
import { tmpTree } from "../../helpers/tmp.js";
import { MINIMAL } from "../manifest/manifests.js";

const NOW = 1_764_000_010_000;

describe("status table", () => {
  it("shows services with desired vs advertised per peer, peers, and the last reconcile", () => {
    const t = statusText(sampleStatus(), NOW);
    expect(t).toMatch(/^dns +UP +9s +192\.0\.2\.53\/32 +normal +yes +yes +2\/2 checks passed$/m);
    expect(t).toMatch(/^web +DOWN .*withdrawn +no +no +HTTP 503/m);
    expect(t).toMatch(/^tor2 +169\.254\.0\.5 +Active +- +0 +0 +connection refused$/m);
    expect(t).toContain("last reconcile: ok 7s ago, fast path, 3 ms, triggered by health");
  });

  it("an invalid manifest is shown with its errors and the hash in use", () => {
    const s = sampleStatus({
      manifest: { ...sampleStatus().manifest, valid: false, errors: [{ file: "/etc/svcroute/svcroute.yaml", line: 4, col: 8, path: "router.asn", message: "bad" }] },
    });
    const t = statusText(s, NOW);
    expect(t).toContain("manifest INVALID (running last good abababababab)");
    expect(t).toContain("/etc/svcroute/svcroute.yaml:4:8  router.asn  bad");
  });
});

describe("nagios line", () => {
  const base = sampleStatus();
  const allGood = sampleStatus({
    services: [base.services[0]!],
    peers: base.peers.map((p) => ({ ...p, state: "Established" })),
  });
  it.each([
    ["all good", allGood, 0, /^SVCROUTE OK - 1\/1 services up, 2\/2 peers established \| services_up=1;;;0;1/],
    ["a service down and a peer not established", base, 1, /^SVCROUTE WARNING - peer tor2 Active; web DOWN \|/],
    ["daemon unreachable", { ...allGood, daemon: { ...allGood.daemon, reachable: false } }, 2, /^SVCROUTE CRITICAL - bird unreachable/],
    ["no session at all", { ...allGood, peers: allGood.peers.map((p) => ({ ...p, state: "Idle" })) }, 2, /CRITICAL - no BGP session established/],
    [
      "a desired prefix not advertised to an established peer",
      { ...allGood, services: [{ ...allGood.services[0]!, prefixes: [{ prefix: "192.0.2.53/32", desired: "normal" as const, advertised: { tor1: false, tor2: true } }] }] },
      2,
      /CRITICAL - not advertised: 192\.0\.2\.53\/32/,
    ],
  ])("%s", (_w, s, code, line) => {
    const r = nagios(s);
    expect(r.code).toBe(code);
    expect(r.line).toMatch(line);
  });
});

describe("svcroute status / drain against a socket", () => {
  it("status --json, table and --nagios from a running supervisor; CRITICAL when none", async () => {
    const dir = tmpTree({});
    const sock = join(dir, "s.sock");
    const srv = await startStatusServer({ socketPath: sock, getStatus: () => sampleStatus(), onReconcile: () => {} });
    try {
      expect((JSON.parse((await runCli(["status", "--socket", sock, "--json"])).out) as { pid: number }).pid).toBe(4242);
      expect((await runCli(["status", "--socket", sock])).out).toContain("SERVICE");
      const n = await runCli(["status", "--socket", sock, "--nagios"]);
      expect([n.code, n.out]).toEqual([1, expect.stringMatching(/^SVCROUTE WARNING/)]);
    } finally {
      await srv.close();
    }
    const down = await runCli(["status", "--socket", sock, "--nagios"]);
    expect([down.code, down.out]).toEqual([2, expect.stringMatching(/^SVCROUTE CRITICAL - supervisor not reachable/)]);
    const plain = await runCli(["status", "--socket", sock]);
    expect(plain.code).toBe(9);
    expect(plain.err).toContain("E_SUPERVISOR_DOWN");
  });

  it("drain asks the running supervisor, which persists the state; with none running the client writes it", async () => {
    const dir = tmpTree({});
    const sock = join(dir, "s.sock");
    const text = `${MINIMAL}supervisor:\n  state_dir: ${dir}/state\n  status_socket: ${sock}\n`;
    const m = join(dir, "m.yaml");
    (await import("node:fs")).writeFileSync(m, text);
    const asked: string[] = [];
    const srv = await startStatusServer({
      socketPath: sock,
      getStatus: () => sampleStatus(),
      onReconcile: (r) => asked.push(r),
      onDrain: (target, on) => (asked.push(`${on ? "drain" : "undrain"} ${target}`), changeDrain(`${dir}/state`, ["dns"], target, on, Date.now())),
    });
    try {
      const r = await runCli(["drain", "dns", "-m", m]);
      expect(r.code).toBe(0);
      expect(r.out).toContain("dns: draining");
      expect(r.err).toBe("");
      expect(Object.keys((await readDrainState(`${dir}/state`)).services)).toEqual(["dns"]);
      expect(asked).toEqual(["drain dns"]);
      expect((await runCli(["undrain", "dns", "-m", m])).code).toBe(0);
      expect((await readDrainState(`${dir}/state`)).services).toEqual({});
      expect(asked).toEqual(["drain dns", "undrain dns"]);
    } finally {
      await srv.close();
    }
    const offline = await runCli(["drain", "--all", "-m", m]);
    expect(offline.code).toBe(0);
    expect(offline.err).toContain("takes effect when it starts");
    expect((await readDrainState(`${dir}/state`)).all).toBeGreaterThan(0);
    const bad = await runCli(["drain", "nosuch", "-m", m]);
    expect([bad.code, bad.err]).toEqual([2, expect.stringContaining('no service named "nosuch"')]);
  });
});
