// One test per item of the locked-down profile, on the rendered text of both daemons.
import { describe, expect, it } from "vitest";
import { buildModel } from "../../../src/core/build-model.js";
import { ALL_UP } from "../../../src/core/desired.js";
import { CONFIG_FILE_MODE, assertWritable, checksumState, render } from "../../../src/core/render.js";
import { loadSecrets } from "../../../src/core/secrets.js";
import { fakeSecretReader, fixtureModel, loadFixture, manifestFromText, quickModel, renderReal } from "../../golden/support.js";

const lines = (t: string) => t.split("\n");
const grep = (t: string, re: RegExp) => lines(t).filter((l) => re.test(l));
/** the lines of a `{ ... }` block (BIRD) that starts with `head` */
function birdBlock(t: string, head: string, end = "}"): string[] {
  const ls = lines(t);
  const i = ls.findIndex((l) => l.startsWith(head));
  if (i < 0) throw new Error(`no block ${head}`);
  const j = ls.findIndex((l, k) => k > i && l === end);
  return ls.slice(i, j + 1);
}

async function texts(name: string, health = loadFixture(name).health) {
  const { manifest } = loadFixture(name);
  const model = await quickModel(manifest, health);
  return { frr: renderReal(model, "frr"), bird: model.bird ? renderReal(model, "bird") : "", model, manifest };
}

describe("locked-down profile", () => {
  it("exports only inside allowed_prefixes, per family, through explicit lists (FRR: the aggregates; BIRD: the service prefixes)", async () => {
    const { frr, bird } = await texts("dual-stack-ecmp");
    expect(grep(frr, /^ip(v6)? prefix-list SVCR-EXPORT/)).toEqual(["ip prefix-list SVCR-EXPORT-V4 seq 10 permit 192.0.2.0/24 le 32", "ipv6 prefix-list SVCR-EXPORT-V6 seq 10 permit 2001:db8:100::/48 le 128"]);
    // every peer and family has an outbound route-map; nothing is sent without one
    expect(grep(frr, /^ {2}neighbor \S+ activate$/).length).toBe(grep(frr, /^ {2}neighbor \S+ route-map SVCR-OUT-V\d-\S+ out$/).length);
    expect(birdBlock(bird, "define SVCR_EXPORT4", "];")).toEqual(["define SVCR_EXPORT4 = [", "  192.0.2.53/32,", "  192.0.2.80/32,", "  192.0.2.81/32", "];"]);
    expect(birdBlock(bird, "filter svcr_out6_tor1_v6")).toContain("  if net !~ SVCR_EXPORT6 then reject;");
  });

  it("keeps the export guardrail independent of health (a health change never edits it)", async () => {
    const up = await texts("drain", ALL_UP);
    const down = await texts("drain", { services: { api: "down", dns: "down", mail: "down", web: "down" }, drained: [] });
    expect(grep(down.frr, /prefix-list|^route-map SVCR-OUT|^ match/)).toEqual(grep(up.frr, /prefix-list|^route-map SVCR-OUT|^ match/));
    expect(birdBlock(down.bird, "define SVCR_EXPORT4", "];")).toEqual(birdBlock(up.bird, "define SVCR_EXPORT4", "];"));
    expect(birdBlock(down.bird, "filter svcr_out4_tor1")).toEqual(birdBlock(up.bird, "filter svcr_out4_tor1"));
  });

  it("is never transit: only locally originated routes leave, everything else is denied", async () => {
    const { frr, bird } = await texts("dual-stack-ecmp");
    expect(grep(frr, /as-path access-list/)).toEqual([
      "bgp as-path access-list SVCR-LOCAL-ORIGIN seq 5 permit ^$",
      "bgp as-path access-list SVCR-LOCAL-ORIGIN seq 10 permit ^4200000101(_4200000101)*$",
    ]);
    const out = lines(frr).slice(lines(frr).indexOf("route-map SVCR-OUT-V4-TOR1 permit 10"));
    expect(out.slice(0, 6)).toEqual([
      "route-map SVCR-OUT-V4-TOR1 permit 10",
      " match ip address prefix-list SVCR-EXPORT-V4",
      " match as-path SVCR-LOCAL-ORIGIN",
      "exit",
      "route-map SVCR-OUT-V4-TOR1 deny 100",
      "exit",
    ]);
    expect(birdBlock(bird, "filter svcr_out4_tor1").slice(2, 4)).toEqual(["  if source != RTS_STATIC then reject;", '  if proto !~ "svc4_*" then reject;']);
  });

  it("imports nothing with accept: none", async () => {
    const { frr, bird } = await texts("passwords-gtsm");
    expect(grep(bird, /^\s+import /)).toEqual(["    import none;", "    import limit 4 action disable;", "    import none;", "    import limit 4 action disable;", "    import none;", "    import limit 4 action disable;"]);
    expect(lines(frr).slice(lines(frr).indexOf("route-map SVCR-IN-V4 deny 10"), lines(frr).indexOf("route-map SVCR-IN-V4 deny 10") + 2)).toEqual([
      "route-map SVCR-IN-V4 deny 10",
      "exit",
    ]);
    expect(grep(frr, /SVCR-DEFAULT/)).toEqual([]);
    expect(grep(frr, /maximum-paths|multipath-relax/)).toEqual([]);
    const ipv6only = await texts("ipv6-only");
    expect(grep(ipv6only.bird, /^\s+import /)).toEqual(["    import none;", "    import limit 10 action disable;", "    import none;", "    import limit 10 action disable;"]);
    expect(grep(ipv6only.bird, /protocol kernel/)).toEqual([]);
  });

  it("imports only the default route with accept: default-only", async () => {
    const { frr, bird } = await texts("dual-stack-ecmp");
    expect(grep(frr, /SVCR-DEFAULT/)).toEqual([
      "ip prefix-list SVCR-DEFAULT-V4 seq 10 permit 0.0.0.0/0",
      "ipv6 prefix-list SVCR-DEFAULT-V6 seq 10 permit ::/0",
      " match ip address prefix-list SVCR-DEFAULT-V4",
      " match ipv6 address prefix-list SVCR-DEFAULT-V6",
    ]);
    expect(birdBlock(bird, "filter svcr_in6")).toEqual(["filter svcr_in6", "{", "  if net = ::/0 then accept;", "  reject;", "}"]);
  });

  it("limits imported prefixes per peer and family (max_prefix)", async () => {
    const { frr, bird } = await texts("dual-stack-ecmp");
    expect(grep(frr, /maximum-prefix/)).toEqual([
      "  neighbor 169.254.0.1 maximum-prefix 2",
      "  neighbor 169.254.0.5 maximum-prefix 2",
      "  neighbor fd00:1::1 maximum-prefix 2",
      "  neighbor fd00:2::1 maximum-prefix 2",
    ]);
    expect(grep(bird, /import limit/)).toEqual(Array(4).fill("    import limit 2 action disable;"));
  });

  it("installs a received default as ECMP across the ToRs", async () => {
    const { frr, bird } = await texts("dual-stack-ecmp");
    expect(grep(frr, /maximum-paths|multipath-relax/)).toEqual([" bgp bestpath as-path multipath-relax", "  maximum-paths 4", "  maximum-paths 4"]);
    expect(birdBlock(bird, "protocol kernel svcr_kernel4")).toEqual([
      "protocol kernel svcr_kernel4 {",
      "  learn no;",
      "  merge paths yes limit 4;",
      "  ipv4 {",
      "    import none;",
      "    export filter {",
      "      if source = RTS_BGP && net = 0.0.0.0/0 && dest = RTD_UNICAST then accept;",
      "      reject;",
      "    };",
      "  };",
      "}",
    ]);
    const ibgp = await texts("ibgp-ecmp");
    expect(grep(ibgp.frr, /maximum-paths/)).toEqual(["  maximum-paths 2", "  maximum-paths ibgp 2"]);
  });

  it("activates each family explicitly; IPv4 never rides an IPv6 session unless configured", async () => {
    const { frr, bird } = await texts("dual-stack-ecmp");
    expect(grep(frr, /bgp default ipv4-unicast/)).toEqual([" no bgp default ipv4-unicast"]);
    const af4 = lines(frr).slice(lines(frr).indexOf(" address-family ipv4 unicast"), lines(frr).indexOf(" address-family ipv6 unicast"));
    expect(af4.filter((l) => l.includes("activate"))).toEqual(["  neighbor 169.254.0.1 activate", "  neighbor 169.254.0.5 activate"]);
    expect(grep(frr, /extended-nexthop/)).toEqual([]);
    expect(birdBlock(bird, "protocol bgp peer_tor1_v6").filter((l) => /^ {2}ipv[46] \{/.test(l))).toEqual(["  ipv6 {"]);
    const v4v6 = await texts("ipv4-over-ipv6");
    expect(grep(v4v6.frr, /extended-nexthop|activate/)).toEqual([
      " neighbor fd00:13::1 capability extended-nexthop",
      "  neighbor fd00:13::1 activate",
      "  neighbor 169.254.13.5 activate",
      "  neighbor fd00:13::1 activate",
    ]);
    expect(birdBlock(v4v6.bird, "protocol bgp peer_tor1")).toContain("    extended next hop on;");
  });

  it("switches IP forwarding off on FRR hosts", async () => {
    const { frr } = await texts("minimal");
    expect(grep(frr, /^(no )?ip(v6)? forwarding/)).toEqual(["no ip forwarding", "no ipv6 forwarding"]);
  });

  it("turns route-map optimisation off for every route-map, and starts each with an entry that matches nothing", async () => {
    for (const name of ["deprefer", "dual-stack-ecmp", "no-services"]) {
      const { frr } = await texts(name);
      const maps = [...new Set(grep(frr, /^route-map /).map((l) => l.split(" ")[1]))].sort();
      const off = grep(frr, /^no route-map .* optimization$/).map((l) => l.split(" ")[2]).sort();
      expect(off).toEqual(maps);
      // FRR 9+ skips the first entry of such a route-map unevaluated: it must not matter
      const lines = frr.split("\n");
      for (const map of maps) {
        const first = lines.findIndex((l) => l.startsWith(`route-map ${map} `));
        expect(lines.slice(first, first + 3), map).toEqual([`route-map ${map} deny 1`, " match tag 4294967295", "exit"]);
      }
      expect(grep(frr, /^ match tag /)).toHaveLength(maps.length);
      // nothing svcroute announces or accepts carries a tag
      expect(grep(frr, /set tag/)).toEqual([]);
    }
  });

  it("sets bgp route-map delay-timer deliberately (default 1 s)", async () => {
    expect(grep((await texts("minimal")).frr, /delay-timer/)).toEqual(["bgp route-map delay-timer 1"]);
    expect(grep((await texts("daemon-options")).frr, /delay-timer/)).toEqual(["bgp route-map delay-timer 3"]);
  });

  it("masks passwords unless asked, and renders the real ones for the file (mode 0640)", async () => {
    const { manifest } = loadFixture("passwords-gtsm");
    const model = buildModel(manifest, ALL_UP, await loadSecrets(manifest, fakeSecretReader));
    for (const daemon of ["frr", "bird"] as const) {
      const masked = render(model, daemon);
      expect(masked.masked).toBe(true);
      expect(masked.text).not.toContain("Tor1-md5");
      expect(masked.text).not.toContain("shared:K3y");
      expect(masked.text).toMatch(/MASKED: passwords are shown as <secret>/);
      expect(() => assertWritable(masked)).toThrow(/masked/);
      const real = render(model, daemon, { showSecrets: true });
      expect(real.masked).toBe(false);
      expect(real.fileMode).toBe(CONFIG_FILE_MODE);
      expect(CONFIG_FILE_MODE).toBe(0o640);
      expect(assertWritable(real)).toBe(real.text);
    }
    const frr = render(model, "frr", { showSecrets: true }).text;
    expect(grep(frr, /^ neighbor .* password/)).toEqual([
      " neighbor 169.254.1.1 password Tor1-md5.key$2024",
      " neighbor 169.254.2.1 password shared:K3y/[fabric]<a>|b",
      " neighbor 2001:db8:ff:2::1 password shared:K3y/[fabric]<a>|b",
    ]);
    expect(grep(render(model, "frr").text, /^ neighbor .* password/)).toEqual([
      " neighbor 169.254.1.1 password <secret>",
      " neighbor 169.254.2.1 password <secret>",
      " neighbor 2001:db8:ff:2::1 password <secret>",
    ]);
    expect(grep(render(model, "bird", { showSecrets: true }).text, /password/)[0]).toBe('  password "Tor1-md5.key$2024";');
    // without the secrets loaded, the real config cannot be produced by accident
    expect(() => render(buildModel(manifest), "frr", { showSecrets: true })).toThrow(/was not read/);
  });

  it("uses GTSM (TTL security) for directly connected peers when asked, never by default", async () => {
    const plain = await texts("minimal");
    expect(grep(plain.frr, /ttl-security|multihop/)).toEqual([]);
    expect(grep(plain.bird, /ttl security|direct;|multihop/)).toEqual(["  direct;"]);
    const gtsm = await texts("passwords-gtsm");
    const peers = (await fixtureModel("passwords-gtsm")).manifest.peers.filter((p) => p.ttlSecurity);
    expect(peers.length).toBeGreaterThan(0);
    expect(grep(gtsm.frr, /ttl-security/)).toEqual(peers.map((p) => ` neighbor ${p.address} ttl-security hops 1`));
    expect(grep(gtsm.bird, /ttl security/)).toEqual(peers.map(() => "  ttl security on;"));
    const mh = await texts("multihop");
    expect(grep(mh.frr, /ttl-security/)).toEqual([]);
    expect(grep(mh.bird, /ttl security|direct;/)).toEqual([]);
  });

  it("renders multihop sessions", async () => {
    const { frr, bird } = await texts("multihop");
    expect(grep(frr, /ebgp-multihop/)).toEqual([" neighbor 198.51.100.1 ebgp-multihop 3", " neighbor 198.51.100.2 ebgp-multihop 2", " neighbor 198.51.100.3 ebgp-multihop 4"]);
    expect(grep(bird, /^ +multihop/)).toEqual(["  multihop 3;", "  multihop 2;", "  multihop 4;"]);
    // a multihop peer's next hop resolves through the kernel's routes and the connected networks
    expect(birdBlock(bird, "protocol direct svcr_direct4")).toEqual(["protocol direct svcr_direct4 {", "  ipv4 { preference 1; };", "}"]);
    expect(grep(birdBlock(bird, "protocol kernel svcr_kernel4").join("\n"), /learn|import/)).toEqual(["  learn yes;", "    import all;"]);
    const direct = await texts("dual-stack-ecmp");
    expect(direct.bird).not.toContain("protocol direct");
  });

  it("renders BFD with its intervals", async () => {
    const { frr, bird } = await texts("bfd-timers");
    expect(grep(frr, /bfd/)).toEqual([
      "bfd",
      " neighbor 169.254.5.1 bfd",
      " neighbor 169.254.5.1 bfd profile SVCR-BFD-TOR1",
      " neighbor 169.254.6.1 bfd",
      " neighbor 169.254.6.1 bfd profile SVCR-BFD-TOR2",
    ]);
    expect(grep(frr, /profile SVCR|interval|multiplier/).filter((l) => !l.includes("neighbor"))).toEqual([" profile SVCR-BFD-TOR1", "  detect-multiplier 5", "  receive-interval 100", "  transmit-interval 100", " profile SVCR-BFD-TOR2", "  receive-interval 50", "  transmit-interval 50"]);
    expect(grep(bird, /bfd/)).toEqual([
      "protocol bfd svcr_bfd {",
      "  bfd { min rx interval 100 ms; min tx interval 100 ms; multiplier 5; };",
      "  bfd { min rx interval 50 ms; min tx interval 50 ms; multiplier 3; };",
    ]);
  });

  it("renders BGP timers (and no keepalive in BIRD when hold is 0)", async () => {
    const { frr, bird } = await texts("bfd-timers");
    expect(grep(frr, /timers/)).toEqual([
      " neighbor 169.254.5.1 timers 1 3",
      " neighbor 169.254.5.1 timers connect 2",
      " neighbor 169.254.6.1 timers 10 30",
      " neighbor 169.254.6.1 timers connect 5",
      " neighbor 169.254.7.1 timers 3 0",
      " neighbor 169.254.7.1 timers connect 60",
    ]);
    expect(birdBlock(bird, "protocol bgp peer_tor3").filter((l) => /time/.test(l))).toEqual([
      "  hold time 0;",
      "  connect delay time 1;",
      "  connect retry time 60;",
      "  error wait time 1, 60;",
    ]);
    expect(birdBlock(bird, "protocol bgp peer_tor1").filter((l) => /time/.test(l))).toEqual([
      "  hold time 3;",
      "  keepalive time 1;",
      "  connect delay time 1;",
      "  connect retry time 2;",
      "  error wait time 1, 2;",
    ]);
  });

  it("renders graceful restart off by default and on where a peer asks", async () => {
    const off = await texts("minimal");
    expect(grep(off.frr, /graceful-restart/)).toEqual([" bgp graceful-restart-disable"]);
    expect(grep(off.bird, /graceful restart/)).toEqual(["  graceful restart off;"]);
    const gr = await texts("graceful-restart");
    expect(grep(gr.frr, /graceful-restart/)).toEqual([" neighbor 169.254.8.1 graceful-restart", " neighbor 169.254.9.1 graceful-restart-disable"]);
    expect(grep(gr.bird, /graceful restart/)).toEqual(["  graceful restart on;", "  graceful restart off;"]);
  });

  it("renders BGP unnumbered peers for FRR (both families) and refuses them for BIRD", async () => {
    const { frr, model } = await texts("unnumbered");
    expect(grep(frr, /neighbor eth0/)).toEqual([
      " neighbor eth0 interface remote-as external",
      " neighbor eth0 description leaf1",
      " neighbor eth0 timers 3 9",
      " neighbor eth0 timers connect 5",
      " neighbor eth0 bfd",
      " neighbor eth0 bfd profile SVCR-BFD-LEAF1",
      "  neighbor eth0 activate",
      "  neighbor eth0 route-map SVCR-IN-V4 in",
      "  neighbor eth0 route-map SVCR-OUT-V4-LEAF1 out",
      "  neighbor eth0 maximum-prefix 4",
      "  neighbor eth0 activate",
      "  neighbor eth0 route-map SVCR-IN-V6 in",
      "  neighbor eth0 route-map SVCR-OUT-V6-LEAF1 out",
      "  neighbor eth0 maximum-prefix 4",
    ]);
    expect(() => render(model, "bird")).toThrow(expect.objectContaining({ code: "E_RENDER" }));
  });

  it("de-prefers with prepend, MED and communities; drain adds GRACEFUL_SHUTDOWN 65535:0", async () => {
    const dep = await texts("deprefer");
    // route-maps are named by what they set (SVCR-<STATE>-<10 hex>): label each name by state
    // and order of appearance, so sharing (same label) and not sharing (different) is checked
    const labelled = (ls: string[]) => {
      const seen = new Map<string, string>();
      return ls.map((l) =>
        l.replace(/SVCR-(NORMAL|DEPREFER|GSHUT)-[0-9A-F]{10}\b/g, (n, st: string) => {
          if (!seen.has(n)) seen.set(n, `${st}#${[...seen.keys()].filter((k) => k.startsWith(`SVCR-${st}-`)).length + 1}`);
          return seen.get(n)!;
        }),
      );
    };
    expect(labelled(grep(dep.frr, /^ {2}network /))).toEqual([
      "  network 192.0.2.20/32 route-map DEPREFER#1",
      "  network 192.0.2.40/32 route-map DEPREFER#2",
      "  network 192.0.2.80/32 route-map NORMAL#1",
      "  network 2001:db8:100::20/128 route-map DEPREFER#1",
      "  network 2001:db8:100::80/128 route-map NORMAL#1",
    ]);
    const drain = await texts("drain");
    const gshutName = /^ {2}network 192\.0\.2\.11\/32 route-map (SVCR-GSHUT-[0-9A-F]{10})$/m.exec(drain.frr)![1]!;
    const gshut = lines(drain.frr).slice(lines(drain.frr).indexOf(`route-map ${gshutName} permit 10`));
    expect(gshut.slice(0, 5)).toEqual([
      `route-map ${gshutName} permit 10`,
      " set as-path prepend 4200000108 4200000108",
      " set metric 300",
      " set community 65008:300 graceful-shutdown additive",
      "exit",
    ]);
    // grouped by service (api, dns, mail, web)
    expect(labelled(grep(drain.frr, /^ {2}network 192/))).toEqual([
      "  network 192.0.2.11/32 route-map GSHUT#1",
      "  network 192.0.2.53/32 route-map DEPREFER#1",
      "  network 192.0.2.25/32 route-map GSHUT#2",
      "  network 192.0.2.80/32",
    ]);
    expect(drain.bird).toContain("    bgp_community.add((65535,0));");
    const all = await texts("drain-all");
    // different attributes (prepend 3 and 1): different route-maps
    expect(labelled(grep(all.frr, /^ {2}network /))).toEqual(["  network 192.0.2.1/32 route-map GSHUT#1", "  network 192.0.2.2/32 route-map GSHUT#2"]);
    // equal attributes: one route-map, shared (cron and search drain alike)
    expect(grep(dep.frr, /^! services? .*: graceful-shutdown$/)).toContain("! services cron, search: graceful-shutdown");
  });

  it("leaves withdrawn services out of origination, but in the guardrail", async () => {
    const { frr, bird } = await texts("deprefer");
    expect(grep(frr, /192\.0\.2\.30/)).toEqual([]);
    expect(birdBlock(bird, "protocol static svc4_cron")).toEqual(["protocol static svc4_cron {", "  disabled yes;", "  ipv4;", "  route 192.0.2.30/32 blackhole;", "}"]);
    expect(birdBlock(bird, "protocol static svc4_db")[1]).toBe("  disabled no;");
    expect(birdBlock(bird, "function svcr_attrs4").join("\n")).not.toContain("192.0.2.30");
  });

  it("is deterministic: same input, byte-identical output", async () => {
    for (const name of ["deprefer", "dual-stack-ecmp", "passwords-gtsm"]) {
      const a = await fixtureModel(name);
      const b = await fixtureModel(name);
      for (const d of ["frr", "bird"] as const) expect(renderReal(b.model, d)).toBe(renderReal(a.model, d));
    }
    // the order of services (or list entries) in the file does not matter
    const text = `version: 1
daemon: bird
router: { asn: 4200000101, router_id: 192.0.2.1 }
peers: [{ name: tor1, address: 169.254.0.1, remote_asn: 65000 }]
policy: { allowed_prefixes: [192.0.2.0/24] }
services:
  - { name: b, prefixes: [192.0.2.2/32, 192.0.2.1/32], communities: ["65000:2", "65000:1"] }
  - { name: a, prefixes: [192.0.2.3/32] }
`;
    const swapped = text.replace(/ {2}- \{ name: b.*\n {2}- \{ name: a.*\n/, "  - { name: a, prefixes: [192.0.2.3/32] }\n  - { name: b, prefixes: [192.0.2.1/32, 192.0.2.2/32], communities: [\"65000:1\", \"65000:2\"] }\n");
    expect(swapped).not.toBe(text);
    const m1 = await quickModel(manifestFromText("/x.yaml", text));
    const m2 = await quickModel(manifestFromText("/y.yaml", swapped));
    for (const d of ["frr", "bird"] as const) expect(renderReal(m2, d)).toBe(renderReal(m1, d));
  });

  it("carries a checksum of its own body, so an edit is detectable", async () => {
    const { model } = await fixtureModel("minimal");
    for (const d of ["frr", "bird"] as const) {
      const text = renderReal(model, d);
      expect(checksumState(text)).toBe("intact");
      expect(checksumState(text.replace("192.0.2.53/32", "192.0.2.54/32"))).toBe("edited");
      expect(checksumState(`${text}\n${d === "frr" ? "!" : "#"} a comment\n`)).toBe("edited");
      expect(checksumState(text.replace(/^[#!] svcroute-checksum .*\n/m, ""))).toBe("foreign");
    }
  });

  it("names the manifest and health hashes in the header, which change iff their content does", async () => {
    const base = "version: 1\ndaemon: frr\nrouter: { asn: 4200000101, router_id: 192.0.2.1 }\npeers: [{ name: tor1, address: 169.254.0.1, remote_asn: 65000 }]\npolicy: { allowed_prefixes: [192.0.2.0/24] }\nservices: [{ name: dns, prefixes: [192.0.2.53/32] }]\n";
    const header = async (yaml: string, health = ALL_UP) => lines(renderReal(await quickModel(manifestFromText("/m.yaml", yaml), health), "frr"))[0]!;
    const h0 = await header(base);
    expect(h0).toMatch(/^! svcroute-managed manifest=[0-9a-f]{12} health=[0-9a-f]{12}$/);
    expect(await header(`# a comment\n${base.replace("{ asn", "{  asn")}`)).toBe(h0);
    expect(await header(base.replace("65000", "65001"))).not.toBe(h0);
    const h1 = await header(base, { services: { dns: "down" }, drained: [] });
    expect(h1.split(" health=")[0]).toBe(h0.split(" health=")[0]);
    expect(h1).not.toBe(h0);
    expect(await header(base, { services: { dns: "up" }, drained: [] })).toBe(h0);
    const { model } = await fixtureModel("minimal");
    const bird = render(buildModel(loadFixture("minimal").manifest), "bird").text;
    expect(bird.split("\n")[1]).toMatch(/^# svcroute-checksum sha256:[0-9a-f]{64}$/);
    expect(bird.split("\n")[2]).toMatch(/^# Written by svcroute \d+\.\d+\.\d+/);
    expect(renderReal(model, "bird")).not.toMatch(/\d{4}-\d\d-\d\d|\d\d:\d\d:\d\d/);
  });
});
