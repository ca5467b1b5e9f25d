// Table-driven: each row changes one part of a valid manifest and names the problem expected.
import { describe, expect, it } from "vitest";
import { MINIMAL, loadText, withBlock } from "./manifests.js";

const peer = (extra: string) => `\n  - name: tor1\n    address: 169.254.0.1\n    remote_asn: 65000\n${extra}`;
const svc = (extra: string) => `\n  - name: dns\n    prefixes: [192.0.2.53/32]\n${extra}`;

describe("a valid manifest", () => {
  it("loads with defaults resolved", async () => {
    const r = await loadText(MINIMAL);
    expect(r.problems).toEqual([]);
    const m = r.manifest!;
    expect(m.daemon).toMatchObject({ type: "bird", configFile: "/etc/bird/bird.conf", socket: "/run/bird/bird.ctl", routeMapDelayMs: 1000 });
    expect(m.peers[0]).toMatchObject({ families: [4], holdMs: 9000, keepaliveMs: 3000, ttlSecurity: false, gracefulRestart: false, bfd: undefined });
    expect(m.policy).toMatchObject({ accept: "none", maxPrefix: 4 });
    expect(m.services[0]).toMatchObject({ intervalMs: 2000, fastIntervalMs: 1000, timeoutMs: 1000, rise: 3, fall: 2, initial: "down", onFailure: "withdraw" });
    expect(m.addresses).toEqual({ interface: "lo", manage: false });
    expect(m.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("accepts the same content as JSON with the same hash", async () => {
    const json = JSON.stringify({
      version: 1,
      daemon: "bird",
      router: { asn: 4200000101, router_id: "192.0.2.1" },
      peers: [{ name: "tor1", address: "169.254.0.1", remote_asn: 65000 }],
      policy: { allowed_prefixes: ["192.0.2.0/24", "2001:db8:100::/48"] },
      services: [{ name: "dns", prefixes: ["192.0.2.53/32"] }],
    });
    const [a, b] = await Promise.all([loadText(MINIMAL), loadText(json)]);
    expect(b.problems).toEqual([]);
    expect(b.manifest!.hash).toBe(a.manifest!.hash);
  });

  it.each([
    ["daemon object with overrides", withBlock("daemon", "\n  type: frr\n  config_file: /srv/frr/frr.conf\n  socket: /srv/frr/run")],
    ["unnumbered FRR peer", withBlock("daemon", "frr").replace("    address: 169.254.0.1\n", "    interface: eth0\n")],
    ["remote_asn external", MINIMAL.replace("remote_asn: 65000", "remote_asn: external")],
    ["bfd object", withBlock("peers", peer("    bfd: { interval: 100ms, multiplier: 5 }"))],
    ["quorum", withBlock("services", svc("    checks: [{type: file, path: /tmp/x}, {type: file, path: /tmp/y}]\n    combine: { quorum: 1 }"))],
    ["large community", withBlock("services", svc('    communities: ["4200000101:1:2"]'))],
    ["a hook per service and one for all", withBlock("supervisor", "\n  on_change: {command: [/usr/local/bin/page, --all], when: [DOWN]}")],
    ["IPv6 peer carrying IPv4 explicitly", withBlock("peers", "\n  - name: tor1\n    address: fd00:1::1\n    remote_asn: 65000\n    families: [ipv4, ipv6]")],
  ])("accepts %s", async (_what, text) => {
    const r = await loadText(text);
    expect(r.problems).toEqual([]);
    expect(r.manifest).toBeDefined();
  });
});

type Row = [what: string, text: string, path: string, message: string | RegExp];

const rows: Row[] = [
  ["version 2", MINIMAL.replace("version: 1", "version: 2"), "version", "expected 1"],
  ["missing version", MINIMAL.replace("version: 1\n", ""), "version", 'required field "version" is missing'],
  ["unknown daemon", withBlock("daemon", "quagga"), "daemon", /expected one of "frr"\|"bird".*quagga/],
  ["daemon object without type", withBlock("daemon", "\n  config_file: /etc/bird/bird.conf"), "daemon.type", "missing"],
  ["FRR config not named frr.conf", withBlock("daemon", "\n  type: frr\n  config_file: /etc/frr/svcroute.conf"), "daemon.config_file", "must be named frr.conf"],
  ["relative config path", withBlock("daemon", "\n  type: bird\n  config_file: bird.conf"), "daemon.config_file", "absolute path"],
  ["path with ..", withBlock("daemon", "\n  type: bird\n  config_file: /etc/../tmp/bird.conf"), "daemon.config_file", "absolute path"],
  ["route_map_delay 0", withBlock("daemon", "\n  type: frr\n  route_map_delay: 0s"), "daemon.route_map_delay", "whole seconds between 1s and 600s"],
  ["ASN 0", MINIMAL.replace("asn: 4200000101", "asn: 0"), "router.asn", "Too small"],
  ["ASN too big", MINIMAL.replace("asn: 4200000101", "asn: 4294967295"), "router.asn", "Too big"],
  ["ASN AS_TRANS", MINIMAL.replace("asn: 4200000101", "asn: 23456"), "router.asn", "AS_TRANS"],
  ["documentation ASN", MINIMAL.replace("asn: 4200000101", "asn: 64500"), "router.asn", "documentation"],
  ["ASN as string", MINIMAL.replace("asn: 4200000101", 'asn: "65000"'), "router.asn", "expected number"],
  ["fractional ASN", MINIMAL.replace("asn: 4200000101", "asn: 65000.5"), "router.asn", "expected int"],
  ["router_id not IPv4", MINIMAL.replace("router_id: 192.0.2.1", "router_id: 2001:db8::1"), "router.router_id", "IPv4 dotted-quad"],
  ["router_id octet > 255", MINIMAL.replace("router_id: 192.0.2.1", "router_id: 192.0.2.300"), "router.router_id", "not an IPv4 address"],
  ["no peers", withBlock("peers", "[]"), "peers", "Too small"],
  ["peer without endpoint", withBlock("peers", "\n  - name: tor1\n    remote_asn: 65000"), "peers.0", "needs `address`"],
  ["peer with both endpoints", withBlock("peers", peer("    interface: eth0")), "peers.0", "either `address` or `interface`"],
  ["peer address not an IP", withBlock("peers", "\n  - name: tor1\n    address: 169.254.0.300\n    remote_asn: 65000"), "peers.0.address", "not an IPv4 or IPv6 address"],
  ["peer name with underscore", withBlock("peers", "\n  - name: tor_1\n    address: 169.254.0.1\n    remote_asn: 65000"), "peers.0.name", "lowercase name"],
  ["remote_asn word", MINIMAL.replace("remote_asn: 65000", "remote_asn: any"), "peers.0.remote_asn", /external.*internal|expected/],
  ["unnumbered with BIRD", MINIMAL.replace("    address: 169.254.0.1\n", "    interface: eth0\n"), "peers.0.interface", "need FRR"],
  ["interface name too long", withBlock("daemon", "frr").replace("    address: 169.254.0.1\n", "    interface: averyveryverylongname\n"), "peers.0.interface", "interface name"],
  ["local_address family mismatch", withBlock("peers", peer("    local_address: fd00::2")), "peers.0.local_address", "IPv6 but the peer address is IPv4"],
  ["ttl_security with multihop", withBlock("peers", peer("    ttl_security: true\n    multihop: 2")), "peers.0.ttl_security", "cannot be combined with multihop"],
  ["multihop 1", withBlock("peers", peer("    multihop: 1")), "peers.0.multihop", "Too small"],
  ["hold < 3 × keepalive", withBlock("peers", peer("    timers: { keepalive: 5s, hold: 10s }")), "peers.0.timers.hold", "at least 3 × keepalive"],
  ["hold not whole seconds", withBlock("peers", peer("    timers: { hold: 9500ms }")), "peers.0.timers.hold", "whole seconds"],
  ["hold 2s", withBlock("peers", peer("    timers: { keepalive: 1s, hold: 2s }")), "peers.0.timers.hold", "0s (no keepalives) or 3s"],
  ["BFD interval 5ms", withBlock("peers", peer("    bfd: { interval: 5ms }")), "peers.0.bfd.interval", "10ms..60s"],
  ["password file relative", withBlock("peers", peer("    password_file: tor1.secret")), "peers.0.password_file", "absolute path"],
  ["duplicate peer names", withBlock("peers", `${peer("")}  - name: tor1\n    address: 169.254.0.5\n    remote_asn: 65000`), "peers.1.name", "peer name tor1 is used twice"],
  ["duplicate peer address", withBlock("peers", `${peer("")}  - name: tor2\n    address: 169.254.0.1\n    remote_asn: 65000`), "peers.1.address", "peer address 169.254.0.1 is used twice"],
  ["families empty", withBlock("peers", peer("    families: []")), "peers.0.families", "Too small"],
  ["unknown family", withBlock("peers", peer("    families: [ipv5]")), "peers.0.families.0", "ipv4"],
  ["no allowed_prefixes", withBlock("policy", "\n  accept: none"), "policy.allowed_prefixes", "missing"],
  ["allowed 0/0", withBlock("policy", "\n  allowed_prefixes: [0.0.0.0/0]"), "policy.allowed_prefixes.0", "no guardrail"],
  ["accept all", withBlock("policy", "\n  allowed_prefixes: [192.0.2.0/24]\n  accept: all"), "policy.accept", "default-only"],
  ["max_prefix 0", withBlock("policy", "\n  allowed_prefixes: [192.0.2.0/24]\n  max_prefix: 0"), "policy.max_prefix", "Too small"],
  ["service prefix with host bits", MINIMAL.replace("[192.0.2.53/32]", "[192.0.2.53/24]"), "services.0.prefixes.0", "host bits are set"],
  ["service default route", MINIMAL.replace("[192.0.2.53/32]", "[0.0.0.0/0]"), "services.0.prefixes.0", "cannot announce a default route"],
  ["prefix outside allowed", MINIMAL.replace("[192.0.2.53/32]", "[198.51.100.53/32]"), "services.0.prefixes.0", "outside policy.allowed_prefixes"],
  ["prefix not a prefix", MINIMAL.replace("[192.0.2.53/32]", "[dns.example.org]"), "services.0.prefixes.0", "expected an IPv4 or IPv6 prefix"],
  ["no prefixes", MINIMAL.replace("[192.0.2.53/32]", "[]"), "services.0.prefixes", "Too small"],
  ["duplicate service names", withBlock("services", `${svc("")}  - name: dns\n    prefixes: [192.0.2.54/32]`), "services.1.name", "service name dns is used twice"],
  ["same prefix in two services", withBlock("services", `${svc("")}  - name: dns2\n    prefixes: [192.0.2.53/32]`), "services.1.prefixes.0", "prefix 192.0.2.53/32 is used twice"],
  ["service name uppercase", MINIMAL.replace("- name: dns", "- name: DNS"), "services.0.name", "lowercase name"],
  ["bad duration", withBlock("services", svc("    interval: 2 seconds")), "services.0.interval", "expected a duration"],
  ["timeout >= interval", withBlock("services", svc("    interval: 1s\n    timeout: 1s")), "services.0.timeout", "shorter than interval"],
  ["check timeout >= interval", withBlock("services", svc("    checks: [{type: file, path: /x, timeout: 3s}]")), "services.0.checks.0.timeout", "below the service's interval"],
  ["fast_interval > interval", withBlock("services", svc("    fast_interval: 5s")), "services.0.fast_interval", "between 10ms and interval"],
  ["fast_interval below a check timeout", withBlock("services", svc("    fast_interval: 200ms\n    checks: [{type: file, path: /x, timeout: 500ms}]")), "services.0.fast_interval", "at least the longest check timeout"],
  ["rise 0", withBlock("services", svc("    rise: 0")), "services.0.rise", "Too small"],
  ["unknown check type", withBlock("services", svc("    checks: [{type: smtp}]")), "services.0.checks.0.type", 'unknown check type "smtp"'],
  ["exec relative argv0", withBlock("services", svc("    checks: [{type: exec, command: [check_dns]}]")), "services.0.checks.0.command.0", "not an absolute path"],
  ["exec empty command", withBlock("services", svc("    checks: [{type: exec, command: []}]")), "services.0.checks.0.command", "Too small"],
  ["exec user invalid", withBlock("services", svc("    checks: [{type: exec, command: [/bin/true], user: 'ro ot'}]")), "services.0.checks.0.user", "user name"],
  ["http url not http", withBlock("services", svc("    checks: [{type: http, url: 'ftp://127.0.0.1/'}]")), "services.0.checks.0.url", "http:// or https://"],
  ["http url with credentials", withBlock("services", svc("    checks: [{type: http, url: 'http://a:b@127.0.0.1/'}]")), "services.0.checks.0.url", "credentials"],
  ["http bad status", withBlock("services", svc("    checks: [{type: http, url: 'http://127.0.0.1/', expect_status: [42]}]")), "services.0.checks.0.expect_status.0", "Too small"],
  ["http bad regex", withBlock("services", svc("    checks: [{type: http, url: 'http://127.0.0.1/', body_regex: '(('}]")), "services.0.checks.0.body_regex", "not a valid regular expression"],
  ["tcp host name", withBlock("services", svc("    checks: [{type: tcp, host: localhost, port: 53}]")), "services.0.checks.0.host", "IPv4 or IPv6 address"],
  ["tcp port 0", withBlock("services", svc("    checks: [{type: tcp, host: 127.0.0.1, port: 0}]")), "services.0.checks.0.port", "Too small"],
  ["file check field of another type", withBlock("services", svc("    checks: [{type: file, path: /x, port: 1}]")), "services.0.checks.0.port", 'unknown key "port"'],
  ["quorum > checks", withBlock("services", svc("    checks: [{type: file, path: /x}]\n    combine: { quorum: 2 }")), "services.0.combine.quorum", "more than the 1 check"],
  ["community part too big", withBlock("services", svc('    communities: ["65000:70000"]')), "services.0.communities.0", "0..65535"],
  ["community malformed", withBlock("services", svc('    communities: ["no-export"]')), "services.0.communities.0", "expected a community"],
  ["deprefer prepend 11", withBlock("services", svc("    deprefer: { as_path_prepend: 11 }")), "services.0.deprefer.as_path_prepend", "Too big"],
  ["degraded: deprefer with combine all", withBlock("services", svc("    checks: [{type: file, path: /tmp/x}, {type: file, path: /tmp/y}]\n    degraded: deprefer")), "services.0.degraded", "needs `combine: any` or `{quorum: N}`"],
  ["dns record type unknown", withBlock("services", svc("    checks: [{type: dns, query: example.org, record: AXFR}]")), "services.0.checks.0.record", "AAAA"],
  ["dns query with a space", withBlock("services", svc("    checks: [{type: dns, query: 'exa mple.org'}]")), "services.0.checks.0.query", "DNS name"],
  ["dns without a server for a routed prefix", withBlock("services", "\n  - name: dns\n    prefixes: [192.0.2.0/28]\n    checks: [{type: dns, query: example.org}]"), "services.0.checks.0", "no /32 or /128 prefix"],
  ["dns answer_regex invalid", withBlock("services", svc("    checks: [{type: dns, query: example.org, answer_regex: '(('}]")), "services.0.checks.0.answer_regex", "not a valid regular expression"],
  ["hook argv0 relative", withBlock("services", svc("    on_change: {command: [notify-team]}")), "services.0.on_change.command.0", "not an absolute path (hooks never search PATH)"],
  ["hook state unknown", withBlock("services", svc("    on_change: {command: [/bin/true], when: [GONE]}")), "services.0.on_change.when.0", "INIT"],
  ["hook timeout too long", withBlock("supervisor", "\n  on_change: {command: [/bin/true], timeout: 2h}"), "supervisor.on_change.timeout", "10ms..1h"],
  ["addresses interface with space", withBlock("addresses", "\n  interface: 'lo 0'"), "addresses.interface", "interface name"],
  ["metrics_listen name", withBlock("supervisor", "\n  metrics_listen: localhost:9473"), "supervisor.metrics_listen", "ADDRESS:PORT"],
  ["metrics_listen port too big", withBlock("supervisor", "\n  metrics_listen: 127.0.0.1:99999"), "supervisor.metrics_listen", "valid address and port"],
  ["guard_grace 0s", withBlock("supervisor", "\n  guard_grace: 0s"), "supervisor.guard_grace", "at least 1s"],
  ["on_stop bad", withBlock("supervisor", "\n  on_stop: panic"), "supervisor.on_stop", "withdraw"],
];

describe("one problem per row", () => {
  it.each(rows)("%s", async (_what, text, path, message) => {
    const r = await loadText(text);
    expect(r.manifest).toBeUndefined();
    const hit = r.problems.find((p) => p.path === path);
    expect(hit, `problems were:\n${r.problems.map((p) => `${p.path}: ${p.message}`).join("\n")}`).toBeDefined();
    if (typeof message === "string") expect(hit!.message).toContain(message);
    else expect(hit!.message).toMatch(message);
    expect(hit!.file).toBe("svcroute.yaml");
    expect(hit!.line).toBeGreaterThan(0);
  });
});

describe("unknown keys", () => {
  it.each([
    ["top level", MINIMAL.replace("policy:", "neighbors: []\npolicy:"), "neighbors", '"peers"'],
    ["router", MINIMAL.replace("router_id:", "routerid:"), "router.routerid", '"router_id"'],
    ["peer", MINIMAL.replace("remote_asn:", "remote_as:"), "peers.0.remote_as", '"remote_asn"'],
    ["service", MINIMAL.replace("    prefixes:", "    prefix:"), "services.0.prefix", '"prefixes"'],
    ["exec check", withBlock("services", svc("    checks: [{type: exec, cmd: [/bin/true]}]")), "services.0.checks.0.cmd", '"command"'],
  ])("in %s: did you mean", async (_w, text, path, suggestion) => {
    const r = await loadText(text);
    const hit = r.problems.find((p) => p.path === path);
    expect(hit?.message).toContain("unknown key");
    expect(hit?.hint).toContain(`did you mean ${suggestion}`);
  });

  it("lists the allowed keys when nothing is close", async () => {
    const r = await loadText(MINIMAL.replace("router_id:", "zzzzzz: 1\n  router_id:"));
    expect(r.problems[0]?.hint).toBe("allowed here: asn, router_id");
  });
});

describe("every problem at once", () => {
  it("reports schema and rule problems together, in file order", async () => {
    const text = MINIMAL.replace("asn: 4200000101", "asn: 23456").replace("remote_asn: 65000", "remote_asn: 65000\n    colour: red").replace("[192.0.2.53/32]", "[198.51.100.1/32]");
    const r = await loadText(text);
    expect(r.problems.map((p) => p.path)).toEqual(["router.asn", "peers.0.colour", "services.0.prefixes.0"]);
    const lines = r.problems.map((p) => p.line);
    expect([...lines].sort((a, b) => a - b)).toEqual(lines);
  });
});

describe("warnings", () => {
  it("warns when the router id comes from a service address", async () => {
    const r = await loadText(MINIMAL.replace("  router_id: 192.0.2.1\n", ""));
    expect(r.problems).toEqual([]);
    expect(r.manifest!.router.routerId).toBe("192.0.2.53");
    expect(r.warnings[0]?.message).toContain("router_id not set: using 192.0.2.53");
  });

  it("refuses a missing router id that cannot be derived", async () => {
    const text = MINIMAL.replace("  router_id: 192.0.2.1\n", "").replace("[192.0.2.53/32]", "[2001:db8:100::53/128]");
    const r = await loadText(text);
    expect(r.problems.map((p) => p.path)).toContain("router");
  });

  it("warns about a prefix family no peer carries", async () => {
    const r = await loadText(MINIMAL.replace("[192.0.2.53/32]", "[192.0.2.53/32, 2001:db8:100::53/128]"));
    expect(r.problems).toEqual([]);
    expect(r.warnings.map((w) => w.path)).toContain("services.0.prefixes.1");
  });
});

describe("local_preference where no peer is iBGP", () => {
  const rr = "  - name: rr1\n    address: 198.51.100.1\n    remote_asn: internal\n    multihop: 2\n";
  const withPeer = (text: string, peer: string) => text.replace("policy:\n", `${peer}policy:\n`);
  const localPrefWarnings = async (text: string) => (await loadText(text)).warnings.filter((w) => w.message.startsWith("LOCAL_PREF")).map((w) => w.path);

  it("warns at the field, the service's own and its deprefer's, when none of its peers is iBGP", async () => {
    const svc = `${MINIMAL}    local_preference: 200\n    deprefer: {local_preference: 50}\n`;
    expect(await localPrefWarnings(svc)).toEqual(["services.0.local_preference", "services.0.deprefer.local_preference"]);
    // the peers the service chose count: an iBGP peer it leaves out does not receive it either
    expect(await localPrefWarnings(withPeer(`${svc}    peers: [tor1]\n`, rr))).toHaveLength(2);
  });

  it("no warning when an iBGP peer (internal, or our own ASN) receives it, or when it is not set", async () => {
    const svc = `${MINIMAL}    local_preference: 200\n`;
    expect(await localPrefWarnings(withPeer(svc, rr))).toEqual([]);
    expect(await localPrefWarnings(withPeer(svc, rr.replace("internal", "4200000101")))).toEqual([]);
    expect(await localPrefWarnings(MINIMAL)).toEqual([]);
  });
});

describe("on_change hooks", () => {
  it("a service's own hook replaces the supervisor's; the others get the supervisor's, with defaults", async () => {
    const text = `${MINIMAL}    on_change: {command: [/usr/local/bin/own], user: svc, timeout: 2s, env: {TEAM: dns}}
  - name: web
    prefixes: [192.0.2.80/32]
supervisor:
  on_change: {command: [/usr/local/bin/all]}
`;
    const r = await loadText(text);
    expect(r.problems).toEqual([]);
    const [dns, web] = r.manifest!.services;
    expect(dns!.onChange).toEqual({ command: ["/usr/local/bin/own"], user: "svc", userFromManifest: true, group: undefined, env: { TEAM: "dns" }, timeoutMs: 2000, when: ["UP", "DOWN", "DISABLED"] });
    expect(web!.onChange).toEqual({ command: ["/usr/local/bin/all"], user: "nobody", userFromManifest: false, group: undefined, env: {}, timeoutMs: 10_000, when: ["UP", "DOWN", "DISABLED"] });
  });
});

describe("dns check", () => {
  it("asks the service's address by default, with the defaults resolved", async () => {
    const r = await loadText(withBlock("services", svc("    checks: [{type: dns, query: www.example.org}]")));
    expect(r.problems).toEqual([]);
    expect(r.manifest!.services[0]!.checks[0]).toEqual({
      type: "dns", name: "dns-0", timeoutMs: 1000, query: "www.example.org", record: "A", server: "192.0.2.53", port: 53, transport: "udp", expectRcodes: ["NOERROR"], answerRegex: undefined, recursion: true,
    });
  });
});
