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
import { DRIFT_RECENT_MS } from "../../../src/doctor/checks/supervisor.js";
import { doctorText } from "../../../src/doctor/format.js";
import { parseNetstat, parseRouteGet, tcpMd5Counters } from "../../../src/doctor/parse.js";
import { birdConfigProtocols } from "../../../src/daemons/config-read.js";
import { parseIpAddr } from "../../../src/effects/ip.js";
import { worst, type Facts } from "../../../src/doctor/types.js";
import { buildFromSources } from "../../../src/manifest/load.js";
import { parseManifestText } from "../../../src/manifest/parse.js";
import { sampleStatus } from "../../helpers/status-fixture.js";
import { BIRD_VERSIONS, FRR_VERSIONS, TOR_VERSION, captured } from "../../helpers/captures.js";

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
      socketFile: null,
      socketGroup: null,
    },
    config: { file: { path: "/etc/frr/frr.conf", exists: true, text, mtimeMs: 1 }, rendered: null, renderedWith: null, checksum: checksumState(text), runningDiff: { toDelete: [], toAdd: [] }, lastReconfigMs: null, birdProtocols: null, protocolsInFile: null, announcedInFile: ["192.0.2.11/32", "192.0.2.53/32"], parserCheck: null },
    peers: [peer("tor1", "Established"), peer("tor2", "Established")],
    routes: {},
    tcpMd5: { failure: 0, notFound: 0, unexpected: 0 },
    bfd: [{ address: "169.254.2.2", state: "up" }],
    host: {
      addresses: ["127.0.0.1", "192.0.2.11", "192.0.2.53"],
      sysctl: { "net.ipv4.conf.all.rp_filter": "2", "net.ipv4.conf.default.rp_filter": "2", "net.ipv4.conf.all.arp_ignore": "1", "net.ipv4.conf.all.arp_announce": "2", "net.ipv4.ip_forward": "0", "net.ipv6.conf.all.forwarding": "0" },
      kernelDefault: { v4: 2, v6: 0 },
      syslogSocket: true,
      interfaces: parseIpAddr(cap("doctor", "typofrr.ip-addr.json")),
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
      errorCode: null,
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

  it("the text report prints the codes of warnings and failures, not of passes", () => {
    const f = healthy();
    f.files.manifest.mode = 0o100666;
    f.host.sysctl["net.ipv4.ip_forward"] = "1";
    const found = diagnose(f);
    const text = doctorText(found);
    for (const x of found.filter((y) => y.result === "FAIL" || y.result === "WARN")) expect(text).toContain(`${x.finding}  [${x.code}]`);
    expect(found.filter((x) => x.result === "FAIL").map((x) => x.code)).toContain("MANIFEST_UNSAFE_PERMISSIONS");
    expect(found.filter((x) => x.result === "WARN").map((x) => x.code)).toContain("SYSCTL_FORWARDING");
    expect(found.filter((x) => x.result === "PASS").length).toBeGreaterThan(0);
    expect(text).not.toMatch(/_OK\]/);
    expect(text.split("\n").filter((l) => l.startsWith("  PASS  ")).every((l) => !l.includes("["))).toBe(true);
  });

  type Case = [string, (f: Facts) => void, string, RegExp?];
  const cases: Case[] = [
    ["invalid manifest", (f) => (f.load = manifest(MANIFEST.replace("asn: 65101", "asn: 23456"))), "MANIFEST_INVALID", /router\.asn/],
    ["world-writable manifest", (f) => (f.files.manifest.mode = 0o100666), "MANIFEST_UNSAFE_PERMISSIONS", /chmod o-w/],
    [
      "a valid manifest whose LOCAL_PREF no peer receives (all eBGP)",
      (f) => (f.load = manifest(MANIFEST.replace("{name: dns, prefixes: [192.0.2.53/32]}", "{name: dns, prefixes: [192.0.2.53/32], local_preference: 200}"))),
      "MANIFEST_WARNING",
      /svcroute\.yaml:\d+:\d+ {2}services\.1\.local_preference {2}LOCAL_PREF is sent to iBGP peers only.*med \/ as_path_prepend/s,
    ],
    ["password file readable by all", (f) => (f.files.secrets[0]!.mode = 0o100644), "SECRET_UNSAFE_PERMISSIONS", /chmod 0640/],
    ["password file missing", (f) => (f.files.secrets[0] = { path: "/etc/svcroute/tor1.secret", exists: false, error: "ENOENT" }), "SECRET_MISSING"],
    ["FRR not installed", (f) => (f.daemon.binaries = [{ name: "vtysh", path: "/usr/bin/vtysh", exists: false }]), "DAEMON_NOT_INSTALLED", /apt-get install frr/],
    ["FRR too old", (f) => (f.daemon.version = "7.5.1"), "DAEMON_TOO_OLD"],
    ["daemon stopped", (f) => Object.assign(f.daemon, { reachable: false, error: "FRR is not reachable", errorCode: "E_DAEMON_UNAVAILABLE" }), "DAEMON_DOWN", /systemctl start frr/],
    ["daemon frozen (it does not answer in time)", (f) => Object.assign(f.daemon, { reachable: false, error: "vtysh (observe) did not finish within 1500 ms", errorCode: "E_TIMEOUT" }), "DAEMON_NOT_ANSWERING", /does not answer.*SIGSTOP.*kill -CONT/s],
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
    [
      "a BIRD host with no log file and no syslog socket",
      (f) => Object.assign(f, { manifest: { ...f.manifest!, daemon: { ...f.manifest!.daemon, type: "bird", logFile: undefined } }, host: { ...f.host, syslogSocket: false } }),
      "SYSLOG_MISSING",
      /daemon\.log_file/,
    ],
    ["supervisor down", (f) => Object.assign(f.supervisor, { status: null, error: "cannot reach the supervisor: ENOENT" }), "SUPERVISOR_DOWN", /systemctl start svcroute/],
    [
      "last reconcile failed",
      (f) => (f.supervisor.status!.last_reconcile = { at: 1, result: "failed", path: "full", duration_ms: 5, triggers: ["manifest"], code: "E_DAEMON_REJECTED", message: "line 3: % Unknown command" }),
      "RECONCILE_FAILED",
      /E_DAEMON_REJECTED/,
    ],
    ["supervisor on an older manifest", (f) => (f.supervisor.status!.manifest.last_good_hash = "f".repeat(64)), "MANIFEST_NOT_APPLIED"],
    ["supervisor asking the daemon through a program per command", (f) => (f.supervisor.status!.daemon.via = "program"), "DAEMON_VIA_PROGRAM"],
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
    expect(found, `codes: ${codes(f).join(", ")}`).toHaveLength(1);
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
    const [n] = parseNeighbors(JSON.parse(captured("frr", TOR_VERSION, file)));
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

  it.each(BIRD_VERSIONS)("%s: Bad peer AS", (version) => {
    const [p] = parseProtocolsAll(captured("bird", version, "badbird.show-protocols-all-not-established.txt"));
    const s = withPeers([{ ...peer("tor1", normaliseBgpState(p!)), lastError: p!.lastError }, peer("tor2", "Established")]);
    expect(s.map((x) => x.code)).toContain("SESSION_ASN_MISMATCH");
  });
});

describe("session diagnoses: the kernel's view (captured in test/fixtures/captured/doctor/)", () => {
  const sessions = (f: Facts) => diagnose(f).filter((x) => x.area === "sessions");
  const md5 = (file: string) => tcpMd5Counters(parseNetstat(cap("doctor", file)));
  const frrPeer = (file: string, name: string): ObservedPeer => {
    const [n] = parseNeighbors(JSON.parse(cap("doctor", file)));
    return { ...peer(name, n!.state), lastError: n!.lastError };
  };
  const birdPeer = (file: string, name: string): ObservedPeer => {
    const [p] = parseProtocolsAll(cap("doctor", file));
    return { ...peer(name, normaliseBgpState(p!)), lastError: p!.lastError };
  };

  it("FRR, passwords differ: SESSION_AUTH names the password file, with the TCPMD5Failure evidence", () => {
    const f = healthy();
    f.peers = [frrPeer("md5frr.show-bgp-neighbor.json", "tor1"), peer("tor2", "Established")];
    f.tcpMd5 = md5("md5frr.proc-net-netstat.txt");
    f.routes = { tor1: parseRouteGet({ code: 0, stdout: cap("doctor", "typofrr.ip-route-get-peer.json"), stderr: "" }) };
    const [s] = sessions(f);
    expect(s).toMatchObject({ code: "SESSION_AUTH", result: "FAIL" });
    expect(s!.finding).toMatch(/TCP-MD5 signature did not match: tor1 uses another password than \/etc\/svcroute\/tor1\.secret/);
    expect(s!.evidence).toMatch(/TCPMD5Failure=[1-9]/);
    expect(s!.fix).toContain("/etc/svcroute/tor1.secret");
  });

  it("BIRD, passwords differ: the same from BIRD's Connect state", () => {
    const f = healthy();
    f.peers = [birdPeer("md5bird.show-protocols-all.txt", "tor1"), peer("tor2", "Established")];
    f.tcpMd5 = md5("md5bird.proc-net-netstat.txt");
    expect(sessions(f)[0]).toMatchObject({ code: "SESSION_AUTH" });
  });

  it("only the host has a password (TCPMD5NotFound), only the ToR has one (TCPMD5Unexpected)", () => {
    const f = healthy();
    f.peers = [frrPeer("md5frr.show-bgp-neighbor.json", "tor1"), peer("tor2", "Established")];
    f.tcpMd5 = md5("pwonly.proc-net-netstat.txt");
    expect(sessions(f)[0]!.finding).toMatch(/without a TCP-MD5 signature: tor1 has no password set/);
    // tor2 has no password_file in the manifest
    f.peers = [peer("tor1", "Established"), { ...frrPeer("md5frr.show-bgp-neighbor.json", "tor2") }];
    f.tcpMd5 = md5("nopw.proc-net-netstat.txt");
    const [s] = sessions(f);
    expect(s).toMatchObject({ code: "SESSION_AUTH" });
    expect(s!.finding).toMatch(/tor2 has a password set, peers\[tor2\] has no password_file/);
  });

  it("no TCP-MD5 counter moved: SESSION_NO_TCP, and the password is named as a suspect", () => {
    const f = healthy();
    f.peers = [frrPeer("md5frr.show-bgp-neighbor.json", "tor1"), peer("tor2", "Established")];
    f.tcpMd5 = md5("typofrr.proc-net-netstat.txt");
    expect(f.tcpMd5).toEqual({ failure: 0, notFound: 0, unexpected: 0 });
    const [s] = sessions(f);
    expect(s).toMatchObject({ code: "SESSION_NO_TCP" });
    expect(s!.finding).toContain("password mismatch");
  });

  it("FRR, a peer address nobody has, routed via the default: not directly connected, a typo", () => {
    const f = healthy();
    f.load = manifest(MANIFEST.replace("address: 169.254.2.2", "address: 169.254.250.2"));
    f.manifest = f.load.manifest!;
    f.peers = [peer("tor1", "Established"), frrPeer("typofrr.show-bgp-neighbor-typo.json", "tor2")];
    f.routes = { tor2: parseRouteGet({ code: 0, stdout: cap("doctor", "typofrr.ip-route-get-typo.json"), stderr: "" }) };
    const [s] = sessions(f);
    expect(s).toMatchObject({ code: "SESSION_NO_TCP" });
    expect(s!.finding).toMatch(/not on a directly connected network \(the kernel would send to it via 169\.254\.\d+\.2 dev eth0\).*typo in peers\[tor2\]\.address/);
    expect(s!.evidence).toContain("Waiting for NHT");
    expect(s!.fix).toContain("ip route get 169.254.250.2");
  });

  it("BIRD, a peer address nobody has and no route at all", () => {
    const f = healthy();
    f.load = manifest(MANIFEST.replace("address: 169.254.2.2", "address: 169.254.250.2"));
    f.manifest = f.load.manifest!;
    f.peers = [peer("tor1", "Established"), birdPeer("typobird.show-protocols-all-typo.txt", "tor2")];
    f.routes = { tor2: parseRouteGet({ code: 2, stdout: "", stderr: cap("doctor", "md5frr.ip-route-get-typo.txt") }) };
    const [s] = sessions(f);
    expect(s).toMatchObject({ code: "SESSION_NO_TCP" });
    expect(s!.finding).toMatch(/no route to it \(Network is unreachable\)/);
  });

  it("the peer's link is down: the link is named, not the address", () => {
    const f = healthy();
    const link = parseIpAddr(cap("doctor", "typofrr.ip-addr-link-down.json")).find((i) => i.name === "eth0")!;
    const tor = link.addrs.find((a) => !a.includes(":"))!.replace(/\.1\/30$/, ".2");
    f.load = manifest(MANIFEST.replace("address: 169.254.2.2", `address: ${tor}`));
    f.manifest = f.load.manifest!;
    f.host.interfaces = parseIpAddr(cap("doctor", "typofrr.ip-addr-link-down.json"));
    f.peers = [peer("tor1", "Established"), { ...peer("tor2", "Active"), lastError: "Waiting for NHT" }];
    f.routes = { tor2: parseRouteGet({ code: 2, stdout: "", stderr: cap("doctor", "typofrr.ip-route-get-peer-link-down.txt") }) };
    const [s] = sessions(f);
    expect(s).toMatchObject({ code: "SESSION_NO_TCP" });
    expect(s!.finding).toContain("the link eth0 it is on is administratively down");
    expect(s!.fix).toMatch(/^ip link set eth0 up/);
  });

  it.each(FRR_VERSIONS)("%s, a wrong remote_asn: this host refused the peer's OPEN (FRR: Notification send, BIRD: BGP Error)", (version) => {
    const f = healthy();
    const [n] = parseNeighbors(JSON.parse(captured("frr", version, "badasn.show-bgp-neighbors.json")));
    f.peers = [{ ...peer("tor1", n!.state), lastError: n!.lastError }, peer("tor2", "Established")];
    const [s] = sessions(f);
    expect(s).toMatchObject({ code: "SESSION_ASN_MISMATCH" });
    expect(s!.finding).toMatch(/tor1 answered with another AS number than peers\[tor1\]\.remote_asn \(65001\)/);
    expect(s!.fix).toMatch(/set peers\[tor1\]\.remote_asn/);
  });

  it("the ToR refused our OPEN (FRR: Notification received): router.asn is named", () => {
    const f = healthy();
    const [n] = parseNeighbors(JSON.parse(captured("frr", TOR_VERSION, "tor1.show-bgp-neighbor-wrong-asn.json")));
    f.peers = [{ ...peer("tor1", n!.state), lastError: n!.lastError }, peer("tor2", "Established")];
    const [s] = sessions(f);
    expect(s!.finding).toMatch(/tor1 refused our OPEN \(Bad Peer AS\): it expects another AS number than router\.asn \(65101\)/);
  });
});

describe("doctor without the privileges or the processes it asks", () => {
  it("a control socket that refuses this user: DAEMON_SOCKET_PERMISSION with the socket's group", () => {
    const f = healthy();
    Object.assign(f.daemon, {
      reachable: false,
      error: "/var/run/frr/bgpd.vty: EACCES (permission denied)",
      socketFile: { path: "/var/run/frr/bgpd.vty", exists: true, uid: 100, gid: 107, mode: 0o140770 },
      socketGroup: "frrvty",
    });
    f.peers = null;
    const d = diagnose(f).find((x) => x.area === "daemon")!;
    expect(d.code).toBe("DAEMON_SOCKET_PERMISSION");
    expect(d.evidence).toContain("group frrvty, mode 0770");
    expect(d.fix).toContain("usermod -aG frrvty");
  });

  it("a socket owned by root: the daemon's usual group is suggested", () => {
    const f = healthy();
    f.load = manifest(MANIFEST.replace("type: frr, config_file: /etc/frr/frr.conf, socket: /var/run/frr", "type: bird, config_file: /etc/bird/bird.conf, socket: /run/bird/bird.ctl"));
    f.manifest = f.load.manifest!;
    Object.assign(f.daemon, { reachable: false, error: "/run/bird/bird.ctl: EACCES (permission denied)", socketFile: { path: "/run/bird/bird.ctl", exists: true, uid: 0, gid: 0, mode: 0o140660 }, socketGroup: "root" });
    expect(diagnose(f).find((x) => x.area === "daemon")!.fix).toContain("usermod -aG bird");
  });

  it("the supervisor's socket refuses this user: not 'the supervisor is down'", () => {
    const f = healthy();
    Object.assign(f.supervisor, { status: null, error: "cannot reach the supervisor at /run/svcroute/svcroute.sock: EACCES", errorCode: "E_PERMISSION" });
    const s = diagnose(f).filter((x) => x.area === "supervisor");
    expect(s.map((x) => x.code)).toEqual(["SUPERVISOR_SOCKET_PERMISSION"]);
    expect(s[0]!.finding).not.toMatch(/not running/);
  });

  it("the supervisor is down: the reason once, the socket once", () => {
    const f = healthy();
    Object.assign(f.supervisor, { status: null, error: "cannot reach the supervisor at /run/svcroute/svcroute.sock: ENOENT", errorCode: "E_SUPERVISOR_DOWN" });
    const [s] = diagnose(f).filter((x) => x.area === "supervisor");
    expect(s!.finding).toBe(
      "the supervisor is not running (no answer on /run/svcroute/svcroute.sock: ENOENT): announcements no longer follow health; the findings above come from the daemon directly",
    );
  });

  it("a config file this user cannot read is not reported as unchanged", () => {
    const f = healthy();
    f.config.file = { path: "/etc/frr/frr.conf", exists: true, mode: 0o100640, readError: "EACCES" };
    f.config.checksum = null;
    const c = diagnose(f).filter((x) => x.area === "config");
    expect(c).toEqual([expect.objectContaining({ code: "CONFIG_SKIPPED", result: "SKIP" })]);
    expect(c[0]!.finding).toContain("EACCES");
  });

  it("a hand-edited config with the supervisor down says who will (not) repair it", () => {
    const f = healthy();
    f.config.checksum = "edited";
    f.supervisor.status = null;
    expect(diagnose(f).find((x) => x.code === "CONFIG_HAND_EDITED")!.finding).toContain("the supervisor replaces it when it starts");
  });
});

describe("a change the daemon refuses", () => {
  const rejected = { ok: false, judges: ["vtysh -C"], evidence: "/etc/frr/frr.conf (rendered now):3: Unknown command\n    neighbor 169.254.1.2 timers 1 4" };

  it("CONFIG_STALE shows what the daemon's parser says about the config the manifest renders now", () => {
    const f = healthy();
    f.config.file.text = f.config.file.text!.replace(/manifest=[0-9a-f]{12}/, "manifest=000000000000");
    f.config.parserCheck = rejected;
    const s = diagnose(f).find((x) => x.code === "CONFIG_STALE")!;
    expect(s.evidence).toContain("vtysh -C rejects what the manifest on disk renders");
    expect(s.evidence).toContain("Unknown command");
    expect(s.fix).toMatch(/change the manifest back/);
  });

  it("RECONCILE_FAILED with E_DAEMON_REJECTED carries the same evidence", () => {
    const f = healthy();
    f.supervisor.status!.last_reconcile = { at: 1, result: "failed", path: "full", duration_ms: 5, triggers: ["manifest"], code: "E_DAEMON_REJECTED", message: "vtysh -C rejected the rendered FRR config" };
    f.config.parserCheck = rejected;
    const s = diagnose(f).find((x) => x.code === "RECONCILE_FAILED")!;
    expect(s.evidence).toContain("Unknown command");
  });

  it("DRIFT_REPAIRED: a WARN with the count, the last one and what differed, for an hour; then the pass line says it; nothing without drift", () => {
    const f = healthy();
    expect(diagnose(f).some((x) => x.code === "DRIFT_REPAIRED")).toBe(false);
    const st = f.supervisor.status!;
    st.counters.config_drift_total = 4; // daemon restarts are counted there too
    const what = "running state differs from the desired one (tor1: unexpected 192.0.2.42/32)";
    const at = Date.UTC(2026, 11, 4, 10, 20, 30);
    st.last_drift = { at, what, count: 2 };
    f.now = at + DRIFT_RECENT_MS;
    const d = diagnose(f).find((x) => x.code === "DRIFT_REPAIRED")!;
    expect(d.result).toBe("WARN");
    expect(d.finding).toBe(`the running state differed from the desired one 2 time(s) since the supervisor started, and was repaired; the last at 10:20:30: ${what}`);
    expect(d.fix).toMatch(/journalctl -u svcroute/);
    f.now = at + DRIFT_RECENT_MS + 1;
    const later = diagnose(f).filter((x) => x.area === "supervisor");
    expect(later.map((x) => [x.code, x.result])).toEqual([["SUPERVISOR_OK", "PASS"]]);
    expect(later[0]!.finding).toMatch(new RegExp(`; drift repaired 2 time\\(s\\), the last at 10:20:30: ${what.replace(/[()./]/g, "\\$&")}$`));
  });

  it("docs/doctor.md and docs/supervisor.md say how long a repaired drift warns: DRIFT_RECENT_MS", () => {
    expect(DRIFT_RECENT_MS).toBe(60 * 60 * 1000);
    for (const doc of ["docs/doctor.md", "docs/supervisor.md"]) expect(readFileSync(join(import.meta.dirname, "../../..", doc), "utf8").replace(/\s+/g, " "), doc).toContain("a warning for an hour after it");
  });

  it("RECONCILE_FAILED because the daemon is away points at the daemon", () => {
    const f = healthy();
    f.supervisor.status!.last_reconcile = { at: 1, result: "failed", path: "none", duration_ms: 5, triggers: ["reverify"], code: "E_DAEMON_UNAVAILABLE", message: "FRR is not reachable" };
    Object.assign(f.daemon, { reachable: false, error: "FRR is not reachable", errorCode: "E_DAEMON_UNAVAILABLE" });
    f.peers = null;
    expect(diagnose(f).find((x) => x.code === "RECONCILE_FAILED")!.fix).toMatch(/see the daemon finding above/);
  });
});

describe("BIRD: the running protocols against the file", () => {
  /** a BIRD host: the file svcroute renders, and a BIRD that runs exactly that */
  function birdHost(): Facts {
    const f = healthy();
    f.load = manifest(MANIFEST.replace("type: frr, config_file: /etc/frr/frr.conf, socket: /var/run/frr", "type: bird, config_file: /etc/bird/bird.conf, socket: /run/bird/bird.ctl"));
    f.manifest = f.load.manifest!;
    const text = render(buildModel(f.manifest), "bird", { showSecrets: false }).text;
    f.config = { ...f.config, file: { path: "/etc/bird/bird.conf", exists: true, text, mtimeMs: 2_000 }, checksum: checksumState(text), runningDiff: null, lastReconfigMs: 1_000 };
    f.config.protocolsInFile = birdConfigProtocols(text);
    f.config.birdProtocols = birdConfigProtocols(text).map((p) => ({ name: p.name, proto: p.proto[0]!.toUpperCase() + p.proto.slice(1), state: p.disabled ? "down" : "up" }));
    return f;
  }
  const config = (f: Facts) => diagnose(f).filter((x) => x.area === "config");

  it("the fast path rewrote the file after the last reconfiguration: no finding", () => {
    const f = birdHost();
    f.config.file.mtimeMs = 60_000;
    expect(config(f)).toEqual([expect.objectContaining({ code: "CONFIG_OK", finding: expect.stringContaining("BIRD runs its protocols as the file says") })]);
  });

  it("a static switched by hand, a protocol missing: CONFIG_NOT_RUNNING with each difference", () => {
    const f = birdHost();
    const rows = f.config.birdProtocols!;
    const svc = rows.find((p) => p.proto === "Static")!;
    svc.state = "down";
    const peerRow = rows.find((p) => p.name.startsWith("peer_"))!;
    f.config.birdProtocols = rows.filter((p) => p !== peerRow).concat([{ name: "svc4_old", proto: "Static", state: "up" }]);
    const [c] = config(f);
    expect(c).toMatchObject({ code: "CONFIG_NOT_RUNNING", result: "FAIL" });
    expect(c!.evidence).toContain(`~ protocol static ${svc.name}: enabled in the file, down in BIRD`);
    expect(c!.evidence).toContain(`+ protocol bgp ${peerRow.name}: in the file, not running`);
    expect(c!.evidence).toContain("- protocol static svc4_old: running, not in the file");
  });
});

describe("service addresses and what is announced", () => {
  it("without the supervisor, the config on disk says what is announced: a withdrawn prefix needs no address", () => {
    const f = healthy();
    f.supervisor.status = null;
    f.host.addresses = ["127.0.0.1", "192.0.2.11"];
    f.config.announcedInFile = ["192.0.2.11/32"];
    expect(diagnose(f).map((x) => x.code)).not.toContain("ADDR_MISSING");
    f.config.announcedInFile = ["192.0.2.11/32", "192.0.2.53/32"];
    expect(diagnose(f).find((x) => x.code === "ADDR_MISSING")!.fix).toContain("ip addr add 192.0.2.53/32 dev lo");
  });
});

describe("service addresses while the supervisor has nothing applied", () => {
  it("the supervisor reports every prefix withdrawn (the daemon is down), the file announces one: its address is still needed", () => {
    const f = healthy();
    for (const s of f.supervisor.status!.services) for (const p of s.prefixes) p.desired = "withdrawn";
    f.host.addresses = ["127.0.0.1", "192.0.2.11"];
    f.config.announcedInFile = ["192.0.2.11/32", "192.0.2.53/32"];
    expect(diagnose(f).find((x) => x.code === "ADDR_MISSING")!.finding).toContain("192.0.2.53/32 (dns)");
  });
});

describe("a service the supervisor withholds for want of its address", () => {
  it("withdrawn because its address is gone: ADDR_MISSING says it is not announced, with the fix and the opt-out", () => {
    const f = healthy();
    const dns = f.supervisor.status!.services.find((s) => s.name === "dns")!;
    dns.address_missing = ["192.0.2.53"];
    for (const p of dns.prefixes) p.desired = "withdrawn";
    f.config.announcedInFile = ["192.0.2.11/32"];
    f.host.addresses = ["127.0.0.1", "192.0.2.11"];
    const a = diagnose(f).find((x) => x.code === "ADDR_MISSING")!;
    expect(a.result).toBe("WARN");
    expect(a.finding).toBe("service address(es) not on this host: 192.0.2.53/32 (dns): dns not announced until the address is back");
    expect(a.fix).toContain("ip addr add 192.0.2.53/32 dev lo");
    expect(a.fix).toContain("`address: none`");
    // back on the host (any interface): nothing to say
    f.host.addresses.push("192.0.2.53");
    expect(diagnose(f).map((x) => x.code)).not.toContain("ADDR_MISSING");
  });
});
