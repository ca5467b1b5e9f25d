// doctor's parsers on outputs captured in the lab (test/fixtures/captured/doctor/, written by
// `npx tsx test/lab/harness/capture-doctor.ts`).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseNetstat, parseRouteGet, tcpMd5Counters } from "../../../src/doctor/parse.js";
import { birdConfigProtocols } from "../../../src/daemons/config-read.js";
import { parseIpAddr } from "../../../src/effects/ip.js";
import { parseDaemonVersion } from "../../../src/daemons/versions.js";
import { parseProtocolsAll } from "../../../src/daemons/bird-parse.js";
import { buildModel } from "../../../src/core/build-model.js";
import { render } from "../../../src/core/render.js";
import { buildFromSources } from "../../../src/manifest/load.js";
import { parseManifestText } from "../../../src/manifest/parse.js";

const cap = (f: string) => readFileSync(join(import.meta.dirname, "../../fixtures/captured/doctor", f), "utf8");

describe("ip -j route get", () => {
  it("a peer on the link: directly connected, no gateway", () => {
    expect(parseRouteGet({ code: 0, stdout: cap("typofrr.ip-route-get-peer.json"), stderr: "" })).toEqual({ ok: true, dev: "eth0", gateway: null, type: "unicast" });
  });
  it("an address on no link, with a default route: via the ToR", () => {
    const r = parseRouteGet({ code: 0, stdout: cap("typofrr.ip-route-get-typo.json"), stderr: "" });
    expect(r).toMatchObject({ ok: true, dev: "eth0", type: "unicast" });
    expect(r.ok && r.gateway).toMatch(/^169\.254\.\d+\.2$/);
  });
  it("this host's own address: local", () => {
    expect(parseRouteGet({ code: 0, stdout: cap("typofrr.ip-route-get-self.json"), stderr: "" })).toMatchObject({ ok: true, type: "local", dev: "lo" });
  });
  it("no route (exit 2, RTNETLINK on stderr)", () => {
    expect(parseRouteGet({ code: 2, stdout: "", stderr: cap("md5frr.ip-route-get-typo.txt") })).toEqual({ ok: false, error: "Network is unreachable" });
    expect(parseRouteGet({ code: 2, stdout: "", stderr: cap("typofrr.ip-route-get-peer-link-down.txt") })).toEqual({ ok: false, error: "Network is unreachable" });
  });
  it("garbage is an error, not a crash", () => {
    expect(parseRouteGet({ code: 0, stdout: "not json", stderr: "" }).ok).toBe(false);
    expect(parseRouteGet({ code: 0, stdout: "[]", stderr: "" }).ok).toBe(false);
  });
});

describe("/proc/net/netstat", () => {
  it("sections and counters", () => {
    const n = parseNetstat(cap("typofrr.proc-net-netstat.txt"));
    expect(Object.keys(n)).toEqual(expect.arrayContaining(["TcpExt", "IpExt"]));
    expect(n.TcpExt!.TCPMD5Failure).toBe(0);
  });
  it.each([
    ["md5frr.proc-net-netstat.txt", "failure"],
    ["md5bird.proc-net-netstat.txt", "failure"],
    ["pwonly.proc-net-netstat.txt", "notFound"],
    ["nopw.proc-net-netstat.txt", "unexpected"],
  ] as const)("%s: the TCP-MD5 counter %s moved, the others not", (file, which) => {
    const c = tcpMd5Counters(parseNetstat(cap(file)))!;
    expect(c[which]).toBeGreaterThan(0);
    for (const k of ["failure", "notFound", "unexpected"] as const) if (k !== which) expect(c[k]).toBe(0);
  });
  it("no TcpExt (an old kernel, garbage): null", () => {
    expect(tcpMd5Counters(parseNetstat("Ip: Forwarding\nIp: 2\n"))).toBeNull();
    expect(tcpMd5Counters(parseNetstat("garbage"))).toBeNull();
  });
});

describe("ip -j addr show", () => {
  it("up links with their addresses", () => {
    const ifs = parseIpAddr(cap("typofrr.ip-addr.json"));
    expect(ifs.find((i) => i.name === "lo")).toMatchObject({ up: true, carrier: true });
    expect(ifs.find((i) => i.name === "lo")!.addrs).toContain("192.0.2.35/32");
    const eth0 = ifs.find((i) => i.name === "eth0")!;
    expect(eth0).toMatchObject({ up: true, carrier: true });
    expect(eth0.addrs.some((a) => /^169\.254\.\d+\.1\/30$/.test(a))).toBe(true);
  });
  it("a link set down keeps its address, loses UP and LOWER_UP", () => {
    expect(parseIpAddr(cap("typofrr.ip-addr-link-down.json")).find((i) => i.name === "eth0")).toMatchObject({ up: false, carrier: false });
  });
});

describe("version lines", () => {
  it("bgpd --version and bird --version", () => {
    expect(parseDaemonVersion("frr", cap("bgpd-version.txt"))?.text).toBe("8.4.4");
    expect(parseDaemonVersion("bird", cap("bird-version.txt"))?.text).toBe("2.0.12");
    expect(parseDaemonVersion("frr", "vtysh: unrecognized option '--version'")).toBeNull();
  });
});

describe("BIRD protocols", () => {
  it("show protocols: names, protocol types and states, the header and greeting skipped", () => {
    const rows = parseProtocolsAll(cap("typobird.show-protocols.txt"));
    expect(rows.map((r) => r.name)).toEqual(["device1", "svc", "kernel4", "kernel6", "tor1_v4", "typo", "svc4_web", "svc4_dns"]);
    expect(rows.find((r) => r.name === "svc4_web")).toMatchObject({ proto: "Static", state: "down", info: "" });
    expect(rows.find((r) => r.name === "svc4_dns")).toMatchObject({ proto: "Static", state: "up" });
    expect(rows.find((r) => r.name === "typo")).toMatchObject({ proto: "BGP", state: "start", info: "Idle" });
    expect(rows.find((r) => r.name === "tor1_v4")).toMatchObject({ state: "up", info: "Established" });
  });

  it("the named protocols of a config svcroute renders, with their disabled flag", () => {
    const p = parseManifestText("/etc/svcroute/svcroute.yaml", `version: 1
daemon: {type: bird}
router: {asn: 65101, router_id: 192.0.2.1}
peers: [{name: tor1, address: 169.254.1.2, remote_asn: 65001}]
policy: {allowed_prefixes: [192.0.2.0/24]}
services: [{name: web, prefixes: [192.0.2.11/32]}, {name: dns, prefixes: [192.0.2.53/32]}]
`);
    if (!p.ok) throw new Error("bad manifest");
    const m = buildFromSources(p.source, []).manifest!;
    const text = render(buildModel(m, { services: { web: "up", dns: "down" }, drained: [] }), "bird").text;
    const protos = birdConfigProtocols(text);
    expect(protos.filter((x) => x.proto === "static").map((x) => [x.name.replace(/_[0-9a-f]+$/, ""), x.disabled])).toEqual(
      expect.arrayContaining([
        [expect.stringMatching(/^svc4_web/), false],
        [expect.stringMatching(/^svc4_dns/), true],
      ]),
    );
    expect(protos.some((x) => x.proto === "bgp" && x.name.startsWith("peer_"))).toBe(true);
  });
});

