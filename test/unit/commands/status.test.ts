import * as fs from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main, type Io } from "../../../src/cli.js";
import { drainPending } from "../../../src/commands/drain.js";
import { nagios, statusText } from "../../../src/commands/status-format.js";
import { SvcrouteError } from "../../../src/errors.js";
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

  it("drift repaired: a line with how many times and the last one; none without drift", () => {
    const base = sampleStatus();
    expect(statusText(base, NOW)).not.toContain("drift");
    const t = statusText({ ...base, counters: { ...base.counters, config_drift_total: 5 }, last_drift: { at: NOW - 4000, what: "running state differs from the desired one (tor1: unexpected 192.0.2.42/32)", count: 3 } }, NOW);
    expect(t).toMatch(/^drift repaired: 3 time\(s\), the last 4s ago: running state differs from the desired one \(tor1: unexpected 192\.0\.2\.42\/32\)$/m);
  });

  it("the daemon asked through a program per command (its control socket could not be opened) is said on the first line", () => {
    const base = sampleStatus();
    expect(statusText(base, NOW).split("\n")[0]).toMatch(/ bird reachable {2}manifest/);
    const t = statusText({ ...base, daemon: { ...base.daemon, type: "frr", via: "program" } }, NOW);
    expect(t.split("\n")[0]).toContain("frr reachable (through a program per command: its control socket cannot be opened)");
  });

  it("a service withheld for want of its address says so in its state and reason", () => {
    const base = sampleStatus();
    const dns = { ...base.services[0]!, address_missing: ["192.0.2.53"], prefixes: [{ prefix: "192.0.2.53/32", desired: "withdrawn" as const, advertised: { tor1: false, tor2: false } }] };
    const t = statusText({ ...base, services: [dns] }, NOW);
    expect(t).toMatch(/^dns +UP \(no address\) +9s +192\.0\.2\.53\/32 +withdrawn +no +no +not announced: 192\.0\.2\.53 not on this host; 2\/2 checks passed$/m);
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

describe("status table: on_change hooks", () => {
  it("no hook run, no hook table; else each service's last run, its counts, and a failure said as such", () => {
    const s = sampleStatus();
    expect(statusText(s, NOW)).not.toContain("HOOK OF");
    s.services[0]!.hook = { at: NOW - 12_000, from: "UP", to: "DOWN", ok: false, exit_code: 3, timed_out: false, timeout_ms: 10_000, reason: "exit 3: no route to notifier", runs: 4, failures: 2, dropped: 1 };
    s.services[1]!.hook = { at: NOW - 3000, from: "DOWN", to: "UP", ok: true, exit_code: 0, timed_out: false, timeout_ms: 10_000, reason: "exit 0 (no output)", runs: 1, failures: 0, dropped: 0 };
    const t = statusText(s, NOW);
    expect(t).toMatch(/^HOOK OF +LAST RUN +FOR +RUNS +FAILED +DROPPED +RESULT$/m);
    expect(t).toMatch(/^dns +12s ago +UP → DOWN +4 +2 +1 +FAILED: exit 3: no route to notifier$/m);
    expect(t).toMatch(/^web +3s ago +DOWN → UP +1 +0 +0 +exit 0 \(no output\)$/m);
  });
});

describe("status table: role and attributes", () => {
  it("a standby says so; the attributes in force follow the desired state", () => {
    const s = sampleStatus();
    s.services[0]!.role = "standby";
    s.services[0]!.attributes = { as_path_prepend: 3, med: 10, local_preference: 50, communities: ["65000:60"], large_communities: ["65000:1:60"] };
    expect(statusText(s, NOW)).toMatch(/^dns +UP standby +9s +192\.0\.2\.53\/32 +normal \(prepend 3, MED 10, local-pref 50, 65000:60, 65000:1:60\) +yes +yes/m);
    s.services[0]!.attributes = { as_path_prepend: 0, med: null, local_preference: null, communities: [], large_communities: [] };
    expect(statusText(s, NOW)).toMatch(/^dns +UP standby +9s +192\.0\.2\.53\/32 +normal +yes +yes/m);
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
      "a service withheld for want of its address",
      { ...allGood, services: [{ ...allGood.services[0]!, address_missing: ["192.0.2.53"], prefixes: [{ prefix: "192.0.2.53/32", desired: "withdrawn" as const, advertised: { tor1: false, tor2: false } }] }] },
      1,
      /^SVCROUTE WARNING - not announced, address not on this host: dns \(192\.0\.2\.53\) \|/,
    ],
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

  it("status --watch SECONDS asks the supervisor again every SECONDS and redraws, until it cannot", async () => {
    const dir = tmpTree({});
    const sock = join(dir, "s.sock");
    let asked = 0;
    const srv = await startStatusServer({ socketPath: sock, getStatus: () => sampleStatus({ pid: ++asked }), onReconcile: () => {} });
    const seen: { answer: { pid?: number; code?: string }; at: number }[] = [];
    const io: Io = {
      out: (t) => {
        seen.push({ answer: JSON.parse(t) as { pid?: number; code?: string }, at: Date.now() });
        // the supervisor goes away after the second view: the watch ends with its error
        if (seen.length === 2) void srv.close();
      },
      err: () => {},
      isTTY: false,
      env: {},
    };
    expect(await main(["status", "--socket", sock, "--json", "--watch", "0.5"], io)).toBe(9);
    expect(seen.map((x) => x.answer.pid ?? x.answer.code)).toEqual([1, 2, "E_SUPERVISOR_DOWN"]);
    expect(seen[1]!.at - seen[0]!.at).toBeGreaterThanOrEqual(450);
  });

  it("drain asks the running supervisor, which persists the state; with none running the client writes it", async () => {
    const dir = tmpTree({});
    const sock = join(dir, "s.sock");
    const text = `${MINIMAL}supervisor:\n  state_dir: ${dir}/state\n  status_socket: ${sock}\n`;
    const m = join(dir, "m.yaml");
    fs.writeFileSync(m, text);
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

describe("while the manifest on disk is refused", () => {
  /** MINIMAL with the test's socket and state dir, made invalid by an unknown key (as an edit gone wrong would) */
  function refusedManifest() {
    const dir = tmpTree({});
    const sock = join(dir, "s.sock");
    const m = join(dir, "m.yaml");
    const good = `${MINIMAL}supervisor:\n  state_dir: ${dir}/state\n  status_socket: ${sock}\n`;
    fs.writeFileSync(m, good.replace("  asn: 4200000101", "  asn: 4200000101\n  colour: red"));
    return { dir, sock, m };
  }

  it("status -m FILE still reaches the supervisor on the socket the file names", async () => {
    const { sock, m } = refusedManifest();
    expect((await runCli(["check", "-m", m])).code).toBe(3);
    const srv = await startStatusServer({ socketPath: sock, getStatus: () => sampleStatus(), onReconcile: () => {} });
    try {
      const r = await runCli(["status", "-m", m, "--json"]);
      expect([r.code, (JSON.parse(r.out) as { pid: number }).pid]).toEqual([0, 4242]);
    } finally {
      await srv.close();
    }
  });

  it("drain goes to the supervisor, which judges the name by its last good manifest; without one it is the manifest's error", async () => {
    const { dir, sock, m } = refusedManifest();
    const asked: string[] = [];
    const srv = await startStatusServer({
      socketPath: sock,
      getStatus: () => sampleStatus(),
      onReconcile: () => {},
      onDrain: (target, on) => (asked.push(`${on ? "drain" : "undrain"} ${target}`), changeDrain(`${dir}/state`, ["dns"], target, on, Date.now())),
    });
    try {
      const r = await runCli(["drain", "dns", "-m", m]);
      expect([r.code, r.out]).toEqual([0, expect.stringContaining("dns: draining")]);
      expect(r.err).toMatch(/m\.yaml is refused \(1 problem\(s\).*the supervisor used its last good manifest/);
      const bad = await runCli(["drain", "nosuch", "-m", m]);
      expect([bad.code, bad.err]).toEqual([2, expect.stringContaining('no service named "nosuch"')]);
      expect(asked).toEqual(["drain dns", "drain nosuch"]);
    } finally {
      await srv.close();
    }
    const down = await runCli(["drain", "dns", "-m", m]);
    expect([down.code, down.err]).toEqual([3, expect.stringContaining("E_MANIFEST_INVALID")]);
  });
});

describe("drain --wait", () => {
  const withPrefix = (desired: "normal" | "graceful-shutdown" | "withdrawn", tor1: boolean) =>
    sampleStatus({ services: [{ ...sampleStatus().services[0]!, prefixes: [{ prefix: "192.0.2.53/32", desired, advertised: { tor1, tor2: false } }] }] });

  it.each([
    ["still announced normally", withPrefix("normal", true), ["192.0.2.53/32 normal", "192.0.2.53/32 still advertised to tor1"]],
    ["withdrawn but tor1 not told yet", withPrefix("withdrawn", true), ["192.0.2.53/32 still advertised to tor1"]],
    ["withdrawn at every peer", withPrefix("withdrawn", false), []],
  ] as const)("drainPending: %s", (_w, s, want) => {
    expect(drainPending(s, "dns")).toEqual(want);
  });

  it("an unknown service is pending for ever; --all over no services is done", () => {
    expect(drainPending(sampleStatus(), "nosuch")).toEqual(["no service nosuch in the supervisor's manifest"]);
    expect(drainPending(sampleStatus({ services: [] }), "all")).toEqual([]);
  });

  it("returns once the supervisor reports the prefix withdrawn at every peer, else E_TIMEOUT naming what is left", async () => {
    const dir = tmpTree({});
    const sock = join(dir, "s.sock");
    const m = join(dir, "m.yaml");
    fs.writeFileSync(m, `${MINIMAL}supervisor:\n  state_dir: ${dir}/state\n  status_socket: ${sock}\n`);
    let calls = 0;
    const srv = await startStatusServer({
      socketPath: sock,
      // announced with GRACEFUL_SHUTDOWN for the first answers, then withdrawn
      getStatus: () => (++calls < 3 ? withPrefix("graceful-shutdown", true) : withPrefix("withdrawn", false)),
      onReconcile: () => {},
      onDrain: (target, on) => changeDrain(`${dir}/state`, ["dns"], target, on, Date.now()),
    });
    try {
      const r = await runCli(["drain", "dns", "-m", m, "--wait", "--timeout", "10s"]);
      expect([r.code, r.out]).toEqual([0, expect.stringMatching(/dns: withdrawn at every peer after \d+\.\d s/)]);
      expect(calls).toBe(3);
    } finally {
      await srv.close();
    }
    const stuck = await startStatusServer({ socketPath: sock, getStatus: () => withPrefix("graceful-shutdown", true), onReconcile: () => {}, onDrain: (t, on) => changeDrain(`${dir}/state`, ["dns"], t, on, Date.now()) });
    try {
      const r = await runCli(["drain", "dns", "-m", m, "--wait", "--timeout", "500ms"]);
      expect(r.code).toBe(11);
      expect(r.err).toContain("dns is not withdrawn at every peer after 500ms: 192.0.2.53/32 graceful-shutdown; 192.0.2.53/32 still advertised to tor1");
    } finally {
      await stuck.close();
    }
    const none = await runCli(["drain", "dns", "-m", m, "--wait"]);
    expect([none.code, none.err]).toEqual([9, expect.stringContaining("no supervisor runs to withdraw anything")]);
  });
});

describe("probe --apply and reload, through the supervisor's socket", () => {
  const round = (ok: boolean) => ({
    ok,
    reason: ok ? "file-0: exists" : "file-0: absent",
    passed: ok ? 1 : 0,
    total: 1,
    at: NOW,
    latencyMs: 1,
    results: [{ ok, reason: ok ? "exists" : "absent", check: "file-0", type: "file" as const, at: NOW, latencyMs: 1, queuedMs: 0, timedOut: false }],
  });

  it("probe --apply prints the round and the service after it, exit 1 when it failed; an unknown name is the supervisor's E_USAGE", async () => {
    const dir = tmpTree({});
    const sock = join(dir, "s.sock");
    let ok = true;
    const asked: string[] = [];
    const srv = await startStatusServer({
      socketPath: sock,
      getStatus: () => sampleStatus(),
      onReconcile: () => {},
      onProbe: async (service) => {
        asked.push(service);
        if (service !== "dns") throw new SvcrouteError("E_USAGE", `no service named "${service}" in the supervisor's manifest`);
        return { round: round(ok), service: sampleStatus().services[0]! };
      },
    });
    try {
      const r = await runCli(["probe", "dns", "--apply", "--socket", sock]);
      expect(r.code).toBe(0);
      expect(r.out).toContain("dns: healthy (1/1 passed)");
      expect(r.out).toContain("now UP: 2/2 checks passed\n  192.0.2.53/32 normal: tor1 yes, tor2 yes");
      ok = false;
      const f = await runCli(["probe", "dns", "--apply", "--socket", sock, "--json"]);
      expect([f.code, (JSON.parse(f.out) as { ok: boolean }).ok]).toEqual([1, false]);
      const u = await runCli(["probe", "nosuch", "--apply", "--socket", sock]);
      expect([u.code, u.err]).toEqual([2, expect.stringContaining('no service named "nosuch"')]);
      expect(asked).toEqual(["dns", "dns", "nosuch"]);
    } finally {
      await srv.close();
    }
  });

  it("reload says whether the supervisor took the manifest; refused, it exits 3 with every problem located", async () => {
    const dir = tmpTree({});
    const sock = join(dir, "s.sock");
    let st = sampleStatus();
    let reloads = 0;
    const srv = await startStatusServer({
      socketPath: sock,
      getStatus: () => st,
      onReconcile: () => {},
      onReload: async () => (reloads++, { manifest: st.manifest, last_reconcile: st.last_reconcile }),
    });
    try {
      const r = await runCli(["reload", "--socket", sock]);
      expect([r.code, r.out]).toEqual([0, expect.stringMatching(/^reloaded: \/etc\/svcroute\/svcroute\.yaml taken \(hash [0-9a-f]{12}\); reconcile ok, fast path, 3 ms/)]);
      st = sampleStatus({ manifest: { ...st.manifest, valid: false, errors: [{ file: "/etc/svcroute/svcroute.yaml", line: 4, col: 8, path: "router.asn", message: "bad" }] } });
      const bad = await runCli(["reload", "--socket", sock]);
      expect(bad.code).toBe(3);
      expect(bad.err).toContain("E_MANIFEST_INVALID: the supervisor refused /etc/svcroute/svcroute.yaml: 1 problem(s); its last good manifest abababababab stays in force");
      expect(bad.err).toContain("/etc/svcroute/svcroute.yaml:4:8  router.asn  bad");
      expect(reloads).toBe(2);
    } finally {
      await srv.close();
    }
  });
});
