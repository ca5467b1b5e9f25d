// doctor's diagnoses, table-tested on facts built from a real manifest and daemon output captured
// in the lab (test/fixtures/captured/).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildModel } from "../../../src/core/build-model.js";
import { checksumState, render } from "../../../src/core/render.js";
import { normaliseBgpState, parseProtocolsAll } from "../../../src/daemons/bird-parse.js";
import { parseNeighbors } from "../../../src/daemons/frr-parse.js";
import type { ObservedPeer } from "../../../src/daemons/driver.js";
import { diagnose } from "../../../src/doctor/checks.js";
import { doctorText } from "../../../src/doctor/format.js";
import { worst, type Facts } from "../../../src/doctor/types.js";
import { buildFromSources } from "../../../src/manifest/load.js";
import { parseManifestText } from "../../../src/manifest/parse.js";
import { sampleStatus } from "../../helpers/status-fixture.js";

const cap = (d: string, f: string) => readFileSync(join(import.meta.dirname, "../../fixtures/captured", d, f), "utf8");

const MANIFEST = `version: 1
daemon: {type: frr, config_file: /etc/frr/frr.conf, socket: /var/run/frr}
router: {asn: 65101, router_id: 192.0.2.1}
peers:
  - {name: tor1, address: 169.254.1.2, remote_asn: 65001, password_file: /etc/svcroute/tor1.secret}
  - {name: tor2, address: 169.254.2.2, remote_asn: 65002, bfd: true}
policy: {allowed_prefixes: [192.0.2.0/24], accept: default-only}
services:
  - {name: web, prefixes: [192.0.2.11/32]}
  - {name: dns, prefixes: [192.0.2.53/32]}
`;

function manifest(text = MANIFEST) {
  const p = parseManifestText("/etc/svcroute/svcroute.yaml", text);
  if (!p.ok) throw new Error("bad test manifest");
  return buildFromSources(p.source, []);
}

const peer = (name: string, state: string, advertised: string[] = ["192.0.2.11/32", "192.0.2.53/32"], lastError: string | null = null): ObservedPeer => ({
  name,
  state,
  uptimeMs: state === "Established" ? 1000 : null,
  establishedTotal: 1,
  droppedTotal: 0,
  sent: advertised.length,
  received: 1,
  lastError,
  advertised: state === "Established" ? { "4": advertised, "6": [] } : null,
});

/** a healthy FRR host: every check passes */
function healthy(): Facts {
  const load = manifest();
  const m = load.manifest!;
  const text = render(buildModel(m), "frr", { showSecrets: false }).text;
  return {
    manifestPath: "/etc/svcroute/svcroute.yaml",
    load,
    manifest: m,
    files: {
      manifest: { path: "/etc/svcroute/svcroute.yaml", exists: true, mode: 0o100640 },
      dropInDir: { path: "/etc/svcroute/services.d", exists: true, mode: 0o40755 },
      secrets: [{ path: "/etc/svcroute/tor1.secret", exists: true, mode: 0o100640 }],
    },
    daemon: {
      binaries: [{ name: "vtysh", path: "/usr/bin/vtysh", exists: true }],
      version: "8.4.4",
      daemonsFile: { path: "/etc/frr/daemons", exists: true, text: "bgpd=yes\nbfdd=yes\n" },
      reachable: true,
      error: null,
      errorCode: null,
      instance: "123",
    },
    config: { file: { path: "/etc/frr/frr.conf", exists: true, text, mtimeMs: 1 }, rendered: null, renderedWith: null, checksum: checksumState(text), runningDiff: { toDelete: [], toAdd: [] }, lastReconfigMs: null, announcedInFile: ["192.0.2.11/32", "192.0.2.53/32"] },
    peers: [peer("tor1", "Established"), peer("tor2", "Established")],
    bfd: [{ address: "169.254.2.2", state: "up" }],
    host: {
      addresses: ["127.0.0.1", "192.0.2.11", "192.0.2.53"],
      sysctl: { "net.ipv4.conf.all.rp_filter": "2", "net.ipv4.conf.default.rp_filter": "2", "net.ipv4.conf.all.arp_ignore": "1", "net.ipv4.conf.all.arp_announce": "2", "net.ipv4.ip_forward": "0", "net.ipv6.conf.all.forwarding": "0" },
      kernelDefault: { v4: 2, v6: 0 },
    },
    supervisor: {
      status: sampleStatus({
        manifest: { ...sampleStatus().manifest, hash: m.hash, last_good_hash: m.hash },
        services: [
          { ...sampleStatus().services[0]!, name: "web", prefixes: [{ prefix: "192.0.2.11/32", desired: "normal", advertised: {} }] },
          { ...sampleStatus().services[0]!, name: "dns", prefixes: [{ prefix: "192.0.2.53/32", desired: "normal", advertised: {} }] },
        ],
      }),
      error: null,
      socket: "/run/svcroute/svcroute.sock",
    },
    now: 1_764_000_010_000,
  };
}

const codes = (f: Facts) => diagnose(f).filter((x) => x.result === "FAIL" || x.result === "WARN").map((x) => x.code);

describe("doctor", () => {
  it("a healthy box: every finding PASS, exit result PASS", () => {
    const f = diagnose(healthy());
    expect(f.filter((x) => x.result !== "PASS")).toEqual([]);
    expect(f.map((x) => x.area)).toEqual(["manifest", "daemon", "config", "sessions", "advertisement", "host", "supervisor"]);
    expect(worst(f)).toBe("PASS");
    expect(doctorText(f)).toMatch(/0 fail, 0 warn, 7 pass$/);
  });

  type Case = [string, (f: Facts) => void, string, RegExp?];
  const cases: Case[] = [
    ["invalid manifest", (f) => (f.load = manifest(MANIFEST.replace("asn: 65101", "asn: 23456"))), "MANIFEST_INVALID", /router\.asn/],
    ["world-writable manifest", (f) => (f.files.manifest.mode = 0o100666), "MANIFEST_UNSAFE_PERMISSIONS", /chmod o-w/],
    ["password file readable by all", (f) => (f.files.secrets[0]!.mode = 0o100644), "SECRET_UNSAFE_PERMISSIONS", /chmod 0640/],
    ["password file missing", (f) => (f.files.secrets[0] = { path: "/etc/svcroute/tor1.secret", exists: false, error: "ENOENT" }), "SECRET_MISSING"],
    ["FRR not installed", (f) => (f.daemon.binaries = [{ name: "vtysh", path: "/usr/bin/vtysh", exists: false }]), "DAEMON_NOT_INSTALLED", /apt-get install frr/],
    ["FRR too old", (f) => (f.daemon.version = "7.5.1"), "DAEMON_TOO_OLD"],
    ["daemon stopped", (f) => Object.assign(f.daemon, { reachable: false, error: "FRR is not reachable", errorCode: "E_DAEMON_UNAVAILABLE" }), "DAEMON_DOWN", /systemctl start frr/],
    ["socket permissions", (f) => Object.assign(f.daemon, { reachable: false, error: "/var/run/frr/bgpd.vty: EACCES (permission denied)" }), "DAEMON_SOCKET_PERMISSION", /frrvty/],
    ["bfdd not enabled", (f) => (f.daemon.daemonsFile!.text = "bgpd=yes\nbfdd=no\n"), "DAEMON_NOT_ENABLED", /bfdd=yes/],
    ["config not svcroute's", (f) => Object.assign(f.config, { checksum: "foreign" }), "CONFIG_NOT_SVCROUTE"],
    ["hand-edited config", (f) => Object.assign(f.config, { checksum: "edited" }), "CONFIG_HAND_EDITED", /svcroute diff/],
    ["stale config", (f) => (f.config.file.text = f.config.file.text!.replace(/manifest=[0-9a-f]{12}/, "manifest=000000000000")), "CONFIG_STALE"],
    ["running config differs", (f) => (f.config.runningDiff = { toDelete: [], toAdd: ["router bgp 65101", "  network 192.0.2.99/32"] }), "CONFIG_NOT_RUNNING", /network 192\.0\.2\.99/],
    ["BFD down on an Established session", (f) => (f.bfd = [{ address: "169.254.2.2", state: "down" }]), "BFD_DOWN"],
    ["a desired prefix not advertised", (f) => (f.peers![0] = peer("tor1", "Established", ["192.0.2.11/32"])), "ADV_MISSING", /192\.0\.2\.53/],
    ["an extra prefix advertised", (f) => (f.peers![1] = peer("tor2", "Established", ["192.0.2.11/32", "192.0.2.53/32", "192.0.2.99/32"])), "ADV_UNEXPECTED", /192\.0\.2\.99/],
    ["no default route in the kernel", (f) => (f.host.kernelDefault = { v4: 0, v6: 0 }), "DEFAULT_MISSING"],
    ["service address missing from lo", (f) => (f.host.addresses = ["127.0.0.1", "192.0.2.11"]), "ADDR_MISSING", /ip addr add 192\.0\.2\.53\/32 dev lo/],
    ["strict rp_filter on a dual-homed host", (f) => (f.host.sysctl["net.ipv4.conf.all.rp_filter"] = "1"), "SYSCTL_RP_FILTER", /rp_filter=2/],
    ["ARP answered for lo addresses", (f) => (f.host.sysctl["net.ipv4.conf.all.arp_ignore"] = "0"), "SYSCTL_ARP"],
    ["forwarding on", (f) => (f.host.sysctl["net.ipv4.ip_forward"] = "1"), "SYSCTL_FORWARDING"],
    ["supervisor down", (f) => Object.assign(f.supervisor, { status: null, error: "cannot reach the supervisor: ENOENT" }), "SUPERVISOR_DOWN", /systemctl start svcroute/],
    [
      "last reconcile failed",
      (f) => (f.supervisor.status!.last_reconcile = { at: 1, result: "failed", path: "full", duration_ms: 5, triggers: ["manifest"], code: "E_DAEMON_REJECTED", message: "line 3: % Unknown command" }),
      "RECONCILE_FAILED",
      /E_DAEMON_REJECTED/,
    ],
    ["supervisor on an older manifest", (f) => (f.supervisor.status!.manifest.last_good_hash = "f".repeat(64)), "MANIFEST_NOT_APPLIED"],
    [
      "a failing health check, with its reason",
      (f) => (f.supervisor.status!.services[1] = { ...f.supervisor.status!.services[1]!, state: "DOWN", since: Date.UTC(2026, 10, 25, 3, 12, 4), checks: [{ name: "resolve", type: "exec", ok: false, reason: "exit 2: connection refused", at: 1, latency_ms: 3 }] }),
      "SERVICE_UNHEALTHY",
      /dns: DOWN since 03:12:04 — exec resolve: exit 2: connection refused/,
    ],
  ];

  it.each(cases)("%s", (_w, breakIt, code, text) => {
    const f = healthy();
    breakIt(f);
    const found = diagnose(f).filter((x) => x.code === code);
    expect(found, `codes: ${codes(f).join(", ")}`).toHaveLength(found.length || 1);
    expect(found[0]!.result).toMatch(/FAIL|WARN/);
    if (text) expect(`${found[0]!.finding} ${found[0]!.evidence ?? ""} ${found[0]!.fix ?? ""}`).toMatch(text);
    expect(found[0]!.fix ?? "").not.toBe("");
  });
});

describe("session diagnoses from captured daemon output", () => {
  const withPeers = (peers: ObservedPeer[]) => {
    const f = healthy();
    f.peers = peers;
    return diagnose(f).filter((x) => x.area === "sessions");
  };
  const fromFrr = (file: string, name: string): ObservedPeer => {
    const [n] = parseNeighbors(JSON.parse(cap("frr", file)));
    return { ...peer(name, n!.state), lastError: n!.lastError };
  };

  it("FRR: a ToR that refuses our ASN", () => {
    const s = withPeers([fromFrr("tor1.show-bgp-neighbor-wrong-asn.json", "tor1"), peer("tor2", "Established")]);
    expect(s.map((x) => x.code)).toContain("SESSION_ASN_MISMATCH");
  });

  it("FRR: nobody answers (and the password is a suspect when one is set)", () => {
    const s = withPeers([fromFrr("tor1.show-bgp-neighbor-nobody-listening.json", "tor1"), peer("tor2", "Established")]);
    const f = s.find((x) => x.code === "SESSION_NO_TCP")!;
    expect(f.finding).toContain("password mismatch");
    expect(f.fix).toContain("ip route get 169.254.1.2");
  });

  it("BIRD: Bad peer AS", () => {
    const [p] = parseProtocolsAll(cap("bird", "badbird.show-protocols-all-not-established.txt"));
    const s = withPeers([{ ...peer("tor1", normaliseBgpState(p!)), lastError: p!.lastError }, peer("tor2", "Established")]);
    expect(s.map((x) => x.code)).toContain("SESSION_ASN_MISMATCH");
  });
});
