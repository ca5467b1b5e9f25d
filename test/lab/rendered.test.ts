// svcroute's rendered FRR and BIRD configs in real BGP sessions with FRR ToRs. Every host config
// here comes from the real pipeline (manifest file → loadManifest → buildModel → render), nothing
// is hand-written on the host side; the ToRs are the harness's, with matching session options.
import { isDeepStrictEqual } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HealthInput } from "../../src/core/desired.js";
import { waitEqual, waitEstablished } from "./harness/conditions.js";
import { createLab, type Lab } from "./harness/lab.js";
import { caseDaemons, casesOf } from "./harness/matrix.js";
import { hostAdvertised, hostLearned, hostSessionState, startRendered, tcpExtCounter, torPaths, writePasswordFile, type PathAttrs } from "./harness/rendered-config.js";
import type { Family, HostPlan, LinkPlan } from "./harness/topology.js";
import { waitFor } from "./harness/wait.js";

const FAMILIES: Family[] = ["ipv4", "ipv6"];
const fam = (p: string): Family => (p.includes(":") ? "ipv6" : "ipv4");
const sorted = (xs: string[]): string[] => [...xs].sort();

/** the ToR's address on a numbered link, per family */
const torAddr = (l: LinkPlan, f: Family): string => (f === "ipv4" ? l.tor4 : l.tor6);
/** the manifest's peer name for a ToR session, e.g. tor1-v6 */
const peerName = (l: LinkPlan, f: Family): string => (f === "ipv4" ? l.tor : `${l.tor}-v6`);

/**
 * BFD_NOTE: an FRR ToR (8.4) resets a peer's BFD session when BGP becomes Established while BFD
 * is already up (FRR's "reset bfd session when bgp comes up"); BIRD, which starts BFD with the
 * protocol, sees Up→Down and restarts BGP, so a BIRD host's session may be established twice at
 * start (FRR issue #17337). The state is settled once BGP is Established and the ToR's BFD for it
 * is Up: the reset happens only at establishment.
 */
async function waitBgpAndBfdUp(lab: Lab, hosts: string[]): Promise<void> {
  const want = lab.plan.links.filter((l) => hosts.includes(l.host) && l.bfd);
  await waitFor(
    async () => {
      const missing: string[] = [];
      for (const tor of new Set(want.map((l) => l.tor))) {
        const j = await lab.vtyshJson<Partial<Record<string, { bgpState?: string; peerBfdInfo?: { status?: string } }>>>(tor, "show bgp neighbors json");
        for (const l of want.filter((x) => x.tor === tor)) {
          for (const a of [l.host4, l.host6]) {
            if (j[a]?.bgpState !== "Established" || j[a].peerBfdInfo?.status !== "Up") missing.push(`${tor}<->${l.host} ${a}`);
          }
        }
      }
      return missing;
    },
    { what: "BGP Established with BFD Up on every session (listing those that are not)", timeout: 60_000, until: (m) => m.length === 0 },
  );
}

// ---------------------------------------------------------------------------------------------
// Fabric 1: two ToRs that leak everything they know to their hosts (their own extra prefixes,
// inside and outside the hosts' allowed ranges, and each host's prefixes to the other host) and
// keep what hosts send before policy; a dual-homed FRR host and a dual-homed BIRD host, each with
// a normal, a withdrawn, a de-preferred and a drained service, accept: default-only, BFD.
// ---------------------------------------------------------------------------------------------

interface ServicePlan {
  web: string[];
  db: string[];
  search: string[];
  api: string[];
}

/** host n's service prefixes: web is healthy, db down (withdraw), search down (deprefer), api drained */
const servicesOf = (n: number): ServicePlan => ({
  web: [`192.0.2.${n}1/32`, `2001:db8:${n}00::1/128`],
  db: [`192.0.2.${n}2/32`, `2001:db8:${n}00::2/128`],
  search: [`192.0.2.${n}3/32`, `2001:db8:${n}00::3/128`],
  api: [`192.0.2.${n}4/32`],
});

const HEALTH: HealthInput = { services: { db: "down", search: "down" }, drained: ["api"] };
const MAX_PREFIX = 2;

/** what host n announces under HEALTH, per family */
function healthy(n: number, f: Family): string[] {
  const s = servicesOf(n);
  return sorted([...s.web, ...s.search, ...s.api].filter((p) => fam(p) === f));
}

function dualHomedManifest(h: HostPlan, n: number, daemon: "frr" | "bird"): string {
  const s = servicesOf(n);
  // GTSM and BFD together only on FRR: FRR 8.4 implements `ttl-security` as eBGP multihop 255,
  // which turns the peer's BFD session into a multihop one (RFC 5883). The FRR ToRs here do the
  // same, so the FRR host keeps GTSM; BIRD runs single-hop BFD on a direct session, which an FRR
  // ToR only speaks without ttl-security. GTSM with BIRD is proven in the second fabric.
  const gtsm = daemon === "frr";
  const peers = h.links.flatMap((l) =>
    FAMILIES.map((f) => `  - { name: ${peerName(l, f)}, address: "${torAddr(l, f)}", remote_asn: ${l.torAsn}, bfd: true, ttl_security: ${gtsm} }`),
  );
  return `version: 1
daemon: ${daemon}
router: { asn: ${h.asn}, router_id: ${h.routerId} }
peers:
${peers.join("\n")}
policy:
  allowed_prefixes: [192.0.2.0/24, "2001:db8:${n}00::/48"]
  accept: default-only
  max_prefix: ${MAX_PREFIX}
services:
  - name: web
    prefixes: [${s.web.map((p) => `"${p}"`).join(", ")}]
    communities: ["65000:80"]
  - name: db
    prefixes: [${s.db.map((p) => `"${p}"`).join(", ")}]
  - name: search
    prefixes: [${s.search.map((p) => `"${p}"`).join(", ")}]
    on_failure: deprefer
    deprefer: { as_path_prepend: 2, med: 700, communities: ["65000:911", "${h.asn}:1:911"] }
    communities: ["65000:443"]
  - name: api
    prefixes: [${s.api.map((p) => `"${p}"`).join(", ")}]
    communities: ["65000:8443"]
`;
}

/** prefixes a leaking ToR originates itself: exact copies of the hosts' withdrawn prefixes, others in and outside their ranges */
const TOR_EXTRA_V4 = ["192.0.2.12/32", "192.0.2.22/32", "192.0.2.200/32", "198.51.100.0/24", "203.0.113.7/32"];
const TOR_EXTRA_V6 = ["2001:db8:100::2/128", "2001:db8:200::2/128", "2001:db8:100::99/128", "2001:db8:ff::/48"];

function leakingTor(asn: number): string {
  return [
    // in front of the harness's `route-map TO-HOST deny 10`: hosts get everything the ToR has
    "route-map TO-HOST permit 5",
    "exit",
    `router bgp ${asn}`,
    " no bgp network import-check",
    " address-family ipv4 unicast",
    ...TOR_EXTRA_V4.map((p) => `  network ${p}`),
    " exit-address-family",
    " address-family ipv6 unicast",
    ...TOR_EXTRA_V6.map((p) => `  network ${p}`),
    " exit-address-family",
    "exit",
  ].join("\n");
}

describe("rendered configs on dual-homed hosts between two FRR ToRs", () => {
  let lab: Lab;
  const HOSTS = [
    { name: "hfrr", daemon: "frr" as const, n: 1 },
    { name: "hbird", daemon: "bird" as const, n: 2 },
  ];
  const other = (name: string) => HOSTS.find((h) => h.name !== name)!;

  beforeAll(async () => {
    lab = await createLab(
      {
        tors: [
          { name: "tor1", asn: 65001, bfd: true, extraConfig: leakingTor(65001) },
          { name: "tor2", asn: 65002, bfd: true, extraConfig: leakingTor(65002) },
        ],
        hosts: HOSTS.map((h) => ({
          name: h.name,
          daemon: h.daemon,
          links: ["tor1", "tor2"],
          // the withdrawn service's addresses are configured: being on an interface must not announce them
          addresses: [...servicesOf(h.n).web, ...servicesOf(h.n).db],
          torSession: { ttlSecurity: h.daemon === "frr", keepReceived: true, allFamilies: true },
        })),
      },
      { startHosts: false },
    );
    await Promise.all(HOSTS.map((h) => startRendered(lab, h.name, dualHomedManifest(lab.host(h.name), h.n, h.daemon), HEALTH)));
    await waitEstablished(lab, { timeout: 60_000 });
    await waitBgpAndBfdUp(lab, HOSTS.map((h) => h.name));
  });

  afterAll(async () => {
    await (lab as Lab | undefined)?.down();
  });

  describe.each(casesOf("rendered", HOSTS))("$daemon host", ({ name, n }) => {
    it.each(["tor1", "tor2"])("%s receives exactly the healthy service prefixes, IPv4 and IPv6, before its import policy", async (tor) => {
      for (const f of FAMILIES) {
        const { value } = await waitFor(() => lab.observe.receivedRaw(tor, name, f), {
          what: `${tor}'s Adj-RIB-In from ${name} (${f}) equal to the healthy prefixes`,
          timeout: 20_000,
          until: (got) => JSON.stringify(got) === JSON.stringify(healthy(n, f)),
        });
        // no link /30 or /64, no loopback, no withdrawn db address although it sits on lo
        expect(value).toEqual(healthy(n, f));
        expect(await lab.observe.received(tor, name, f)).toEqual(healthy(n, f));
      }
    });

    it.each(["tor1", "tor2"])("%s hears no prefix over the session of the other family", async (tor) => {
      // the ToR offers both families on both sessions; the host must not take up the other one
      const l = lab.link(name, tor);
      for (const [routes, session] of [["ipv6", "ipv4"], ["ipv4", "ipv6"]] as const) {
        expect(await lab.observe.receivedRaw(tor, name, routes, session)).toEqual([]);
        const peer = session === "ipv4" ? l.host4 : l.host6;
        const j = await lab.vtyshJson<Record<string, { neighborCapabilities?: { multiprotocolExtensions?: Record<string, Record<string, boolean>> } }>>(
          tor,
          `show bgp neighbors ${peer} json`,
        );
        const mp = j[peer]?.neighborCapabilities?.multiprotocolExtensions ?? {};
        expect(mp[`${session}Unicast`], `${tor} ${peer} ${session}`).toEqual({ advertisedAndReceived: true });
        expect(mp[`${routes}Unicast`], `${tor} ${peer} ${routes}`).toEqual({ advertised: true });
      }
    });

    it("a withdrawn service is absent, a de-preferred one carries prepend, MED and communities, a drained one GRACEFUL_SHUTDOWN", async () => {
      const h = lab.host(name);
      const s = servicesOf(n);
      const asn = String(h.asn);
      for (const tor of ["tor1", "tor2"]) {
        const l = lab.link(name, tor);
        const from = async (prefix: string): Promise<PathAttrs | undefined> => {
          const f = fam(prefix);
          const peer = f === "ipv4" ? l.host4 : l.host6;
          return (await torPaths(lab, tor, prefix, f)).find((p) => p.peer === peer);
        };
        /** the ToR's path from this host once it carries `want` (the ToR learns on its own schedule) */
        const settled = async (prefix: string, want: Partial<PathAttrs>, what: string): Promise<PathAttrs | undefined> => {
          const like = (a: PathAttrs | undefined) => a !== undefined && Object.entries(want).every(([k, v]) => isDeepStrictEqual(a[k as keyof PathAttrs], v));
          return (await waitFor(() => from(prefix), { what: `${prefix} (${what}) at ${tor} with ${JSON.stringify(want)}`, timeout: 20_000, until: like })).value;
        };
        for (const p of s.web) {
          const a = await settled(p, { asPath: asn, communities: ["65000:80"], largeCommunities: [] }, "healthy");
          expect(a?.med ?? 0).toBe(0);
        }
        // de-preferred: own ASN + 2 prepends, MED 700, only the deprefer communities
        for (const p of s.search) await settled(p, { asPath: [asn, asn, asn].join(" "), med: 700, communities: ["65000:911"], largeCommunities: [`${asn}:1:911`] }, "deprefer");
        for (const p of s.api) {
          // drained while healthy: its own communities stay, 65535:0 and the default prepend (3) are added
          const a = await settled(p, { asPath: [asn, asn, asn, asn].join(" "), communities: ["65000:8443", "graceful-shutdown"] }, "drained");
          // the ToR recognises the well-known community and lowers the route's preference (RFC 8326)
          expect(a?.localPref).toBe(0);
        }
        // the announced ones arrived with their attributes, so the host's update has been taken in:
        // the withdrawn service (its addresses are on lo) is not in it
        for (const p of s.db) expect(await from(p), `${p} (withdrawn) at ${tor}`).toBeUndefined();
      }
    });

    it("is never transit: what the ToRs send it goes nowhere", async () => {
      const o = other(name);
      for (const f of FAMILIES) {
        const extra = f === "ipv4" ? TOR_EXTRA_V4 : TOR_EXTRA_V6;
        const dflt = f === "ipv4" ? "0.0.0.0/0" : "::/0";
        for (const tor of ["tor1", "tor2"]) {
          // the ToR really offers the host its own prefixes, the other host's and a default
          const { value: offered } = await waitFor(() => lab.observe.advertised(tor, name, f), {
            what: `${tor} offering ${name} its extras and ${o.name}'s prefixes (${f})`,
            timeout: 20_000,
            until: (r) => [...extra, ...healthy(o.n, f), dflt].every((p) => r.includes(p)),
          });
          expect(offered.length).toBeGreaterThan(MAX_PREFIX);
        }
        // the host keeps only the defaults …
        expect(await waitEqual(() => hostLearned(lab, name, f), [dflt], `what ${name} learned (${f})`)).toEqual([dflt]);
        for (const tor of ["tor1", "tor2"]) {
          const l = lab.link(name, tor);
          // … and tells each ToR only about its own healthy prefixes (the daemon's own view) …
          const adv = await waitEqual(() => hostAdvertised(lab, name, { name: peerName(l, f), key: torAddr(l, f) }, f), healthy(n, f), `what ${name} advertises to ${tor} (${f})`);
          expect(adv).toEqual(healthy(n, f));
          // … which is all the ToR receives from it, before policy (nothing learned from the other ToR)
          expect(await waitEqual(() => lab.observe.receivedRaw(tor, name, f), healthy(n, f), `${tor}'s Adj-RIB-In from ${name} (${f})`)).toEqual(healthy(n, f));
        }
      }
    });

    it("installs the default route in the kernel as ECMP via both ToRs, IPv4 and IPv6", async () => {
      for (const f of FAMILIES) {
        const { value } = await waitFor(() => lab.observe.defaultRoute(name, f), {
          what: `${name} ${f} default route with 2 nexthops`,
          timeout: 20_000,
          until: (r) => r?.nexthops.length === 2,
        });
        expect(value!.nexthops.map((x) => x.dev).sort()).toEqual(["eth0", "eth1"]);
        const r = await lab.exec(name, "ip", ["-j", f === "ipv4" ? "-4" : "-6", "route", "show", "default"]);
        const routes = JSON.parse(r.stdout) as { protocol?: string; nexthops?: unknown[] }[];
        expect(routes.filter((x) => x.protocol === "bgp" || x.protocol === "bird").map((x) => x.nexthops?.length)).toEqual([2]);
      }
    });

    it("max_prefix is configured on import and counts accepted routes: a ToR sending more keeps the session", async () => {
      // With accept: default-only the import filter lets exactly one route per session through, so
      // the limit (which both daemons apply after the import filter: FRR maximum-prefix counts
      // accepted prefixes, BIRD `import limit` imported routes) cannot be exceeded through a real
      // session. What can be observed: the limit is in force in the running daemon, the ToR sends
      // more than the limit, and the session stays up with only the default accepted.
      const h = lab.host(name);
      for (const l of h.links) {
        for (const f of FAMILIES) {
          // the ToR sends its extras on its own schedule: wait until it has sent more than the limit
          const { value: s } = await waitFor(() => lab.observe.session(l.tor, name, f), {
            what: `${l.tor} sending ${name} more than ${MAX_PREFIX} prefixes (${f})`,
            timeout: 20_000,
            until: (x) => x?.state === "Established" && x.pfxSnt > MAX_PREFIX,
          });
          expect(s?.state).toBe("Established");
          expect(s?.pfxSnt).toBeGreaterThan(MAX_PREFIX);
          // no session of this fabric was ever shut for too many prefixes (a BIRD session may have
          // been reset once at start: see BFD_NOTE)
          const nb = await lab.vtyshJson<Record<string, unknown>>(l.tor, `show bgp neighbors ${f === "ipv4" ? l.host4 : l.host6} json`);
          expect(JSON.stringify(nb)).not.toMatch(/Maximum Number of Prefixes|PfxCt|prefix.*limit/i);
          if (h.daemon === "frr") {
            const peer = torAddr(l, f);
            type Nb = Record<string, { addressFamilyInfo?: Record<string, { prefixAllowedMax?: number; acceptedPrefixCounter?: number }> }>;
            const { value: j } = await waitFor(() => lab.vtyshJson<Nb>(name, `show bgp neighbors ${peer} json`), {
              what: `${name} accepting the default from ${peer}`,
              timeout: 20_000,
              until: (x) => x[peer]?.addressFamilyInfo?.[`${f}Unicast`]?.acceptedPrefixCounter === 1,
            });
            expect(j[peer]?.addressFamilyInfo?.[`${f}Unicast`]).toMatchObject({ prefixAllowedMax: MAX_PREFIX, acceptedPrefixCounter: 1 });
          } else {
            const counters = (out: string) => (/Import updates:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/.exec(out)?.slice(1) ?? []).map(Number);
            // BIRD counts what arrived as it is processed: wait until more than the limit has
            const { value: out } = await waitFor(() => lab.birdc(name, `show protocols all peer_${peerName(l, f).replace(/-/g, "_")}`), {
              what: `${name} having received and filtered more than ${MAX_PREFIX} routes from ${l.tor} (${f})`,
              timeout: 20_000,
              until: (o) => /Routes:\s+1 imported/.test(o) && (counters(o)[0] ?? 0) > MAX_PREFIX && (counters(o)[2] ?? 0) > MAX_PREFIX,
            });
            expect(out).toMatch(new RegExp(`Import limit:\\s+${MAX_PREFIX}\\n\\s+Action:\\s+disable`));
            expect(out).toMatch(/Routes:\s+1 imported/);
            const [received, , filtered] = counters(out);
            // more routes than the limit arrived and were dropped by the import filter, unharmed
            expect(received).toBeGreaterThan(MAX_PREFIX);
            expect(filtered).toBeGreaterThan(MAX_PREFIX);
          }
        }
      }
    });

    it("BFD is up on every session, as the ToR sees it", async () => {
      const h = lab.host(name);
      for (const l of h.links) {
        const peers = await waitFor(() => lab.vtyshJson<{ peer: string; status: string; multihop?: boolean }[]>(l.tor, "show bfd peers json"), {
          what: `${l.tor} BFD up toward ${name}`,
          timeout: 20_000,
          until: (ps) => [l.host4, l.host6].every((a) => ps.some((p) => p.peer === a && p.status === "up")),
        });
        for (const a of [l.host4, l.host6]) {
          const p = peers.value.find((x) => x.peer === a)!;
          // with GTSM FRR runs the session multihop (both ends alike); without, single-hop
          expect(p.multihop === true, `${l.tor} ${a}`).toBe(h.daemon === "frr");
          // and the ToR's BGP session is tied to it (bgpd hears from bfdd on its own schedule)
          const { value: j } = await waitFor(() => lab.vtyshJson<Record<string, { peerBfdInfo?: { status?: string } }>>(l.tor, `show bgp neighbors ${a} json`), {
            what: `${l.tor}'s BGP session with ${a} tied to an Up BFD session`,
            timeout: 20_000,
            until: (x) => x[a]?.peerBfdInfo?.status === "Up",
          });
          expect(j[a]?.peerBfdInfo?.status).toBe("Up");
        }
      }
      if (h.daemon === "bird") {
        // BIRD's own view: one session per ToR address, all Up (one end may get there a packet later)
        const up = h.links.flatMap((l) => [l.tor4, l.tor6]).map((a) => new RegExp(`^${a.replace(/\./g, "\\.")}\\s+eth\\d\\s+Up\\s`, "m"));
        const { value: out } = await waitFor(() => lab.birdc(name, "show bfd sessions"), { what: `${name}'s BFD sessions Up toward every ToR address`, timeout: 20_000, until: (o) => up.every((re) => re.test(o)) });
        for (const re of up) expect(out).toMatch(re);
      }
    });
  });
});

// ---------------------------------------------------------------------------------------------
// Fabric 2: one ToR; hosts whose sessions use TCP-MD5 and GTSM (with a ToR that matches, or with
// a wrong password, or without GTSM on the ToR) and accept: none, an FRR host peering unnumbered,
// and an FRR and a BIRD host peering multihop with an address on the ToR's loopback.
// ---------------------------------------------------------------------------------------------

const MD5_KEY = "lab-md5-key.1";

interface SecHost {
  name: string;
  daemon: "frr" | "bird";
  families: Family[];
  /** the password the host's password_file holds (none: no password) */
  password?: string;
  /** what the ToR does toward this host */
  tor: { ttlSecurity: boolean; password?: string };
  prefixes: string[];
}

const SEC_HOSTS: SecHost[] = [
  { name: "fsec", daemon: "frr", families: FAMILIES, password: MD5_KEY, tor: { ttlSecurity: true, password: MD5_KEY }, prefixes: ["198.51.100.31/32", "2001:db8:300::1/128"] },
  { name: "bsec", daemon: "bird", families: FAMILIES, password: MD5_KEY, tor: { ttlSecurity: true, password: MD5_KEY }, prefixes: ["198.51.100.41/32", "2001:db8:400::1/128"] },
  { name: "fbadpw", daemon: "frr", families: ["ipv4"], password: "not-the-key", tor: { ttlSecurity: true, password: MD5_KEY }, prefixes: ["198.51.100.51/32"] },
  { name: "bbadpw", daemon: "bird", families: ["ipv4"], password: "not-the-key", tor: { ttlSecurity: true, password: MD5_KEY }, prefixes: ["198.51.100.61/32"] },
  { name: "fgtsm", daemon: "frr", families: ["ipv4"], tor: { ttlSecurity: false }, prefixes: ["198.51.100.71/32"] },
  { name: "bgtsm", daemon: "bird", families: ["ipv4"], tor: { ttlSecurity: false }, prefixes: ["198.51.100.81/32"] },
];

function secManifest(h: HostPlan, s: SecHost, passwordFile: string | undefined): string {
  const l = h.links[0]!;
  const pw = passwordFile ? `, password_file: "${passwordFile}"` : "";
  const peers = s.families.map((f) => `  - { name: ${peerName(l, f)}, address: "${torAddr(l, f)}", remote_asn: ${l.torAsn}, ttl_security: true${pw} }`);
  return `version: 1
daemon: ${s.daemon}
router: { asn: ${h.asn}, router_id: ${h.routerId} }
peers:
${peers.join("\n")}
policy:
  allowed_prefixes: [198.51.100.0/24, "2001:db8::/32"]
  accept: none
services:
  - name: svc
    prefixes: [${s.prefixes.map((p) => `"${p}"`).join(", ")}]
`;
}

const UNNUM_PREFIXES = ["203.0.113.91/32", "2001:db8:900::1/128"];

function unnumberedManifest(h: HostPlan): string {
  return `version: 1
daemon: frr
router: { asn: ${h.asn}, router_id: ${h.routerId} }
peers:
  - { name: tor1, interface: ${h.links[0]!.hostIf}, remote_asn: external, ttl_security: true }
policy:
  allowed_prefixes: [203.0.113.0/24, "2001:db8:900::/48"]
  accept: default-only
services:
  - name: svc
    prefixes: [${UNNUM_PREFIXES.map((p) => `"${p}"`).join(", ")}]
`;
}

/** an address on the ToR's loopback: a peer two hops away for multihop sessions */
const TOR_LOOPBACK = "198.51.100.1";
const MULTIHOP_HOSTS = [
  { name: "fmhop", daemon: "frr" as const, prefix: "198.51.100.111/32" },
  { name: "bmhop", daemon: "bird" as const, prefix: "198.51.100.121/32" },
];

function multihopManifest(h: HostPlan, daemon: "frr" | "bird", prefix: string): string {
  return `version: 1
daemon: ${daemon}
router: { asn: ${h.asn}, router_id: ${h.routerId} }
peers:
  - { name: rs1, address: ${TOR_LOOPBACK}, remote_asn: ${h.links[0]!.torAsn}, multihop: 2 }
policy:
  allowed_prefixes: [198.51.100.0/24]
  accept: default-only
services:
  - name: svc
    prefixes: ["${prefix}"]
`;
}

describe("session options: TCP-MD5, GTSM, accept: none, BGP unnumbered, multihop", () => {
  let lab: Lab;
  const UP = ["fsec", "bsec", "funnum", ...MULTIHOP_HOSTS.map((m) => m.name)];

  beforeAll(async () => {
    lab = await createLab(
      {
        tors: [{ name: "tor1", asn: 65001 }],
        hosts: [
          ...SEC_HOSTS.map((s) => ({ name: s.name, daemon: s.daemon, links: ["tor1"], families: s.families, torSession: s.tor })),
          { name: "funnum", daemon: "frr" as const, links: ["tor1"], peering: "unnumbered" as const, torSession: { ttlSecurity: true } },
          // the service address sits on lo, so BIRD's connected routes include it too
          ...MULTIHOP_HOSTS.map((m) => ({ name: m.name, daemon: m.daemon, links: ["tor1"], families: ["ipv4" as const], addresses: [m.prefix], torSession: { keepReceived: true } })),
        ],
      },
      { startHosts: false },
    );
    // multihop: the ToR speaks from an address on its loopback, which the hosts reach by a static
    // route an administrator would have set (the kernel's, not the routing daemon's)
    await lab.exec("tor1", "ip", ["addr", "add", `${TOR_LOOPBACK}/32`, "dev", "lo"]);
    const mh = MULTIHOP_HOSTS.map((m) => lab.link(m.name, "tor1"));
    await lab.vtysh("tor1", "configure terminal", "router bgp 65001", ...mh.flatMap((l) => [`neighbor ${l.host4} ebgp-multihop 2`, `neighbor ${l.host4} update-source ${TOR_LOOPBACK}`]));
    for (const l of mh) await lab.exec(l.host, "ip", ["route", "add", `${TOR_LOOPBACK}/32`, "via", l.tor4]);
    await Promise.all([
      ...SEC_HOSTS.map((s) => {
        const h = lab.host(s.name);
        const file = s.password === undefined ? undefined : writePasswordFile(h, "tor.key", s.password);
        return startRendered(lab, s.name, secManifest(h, s, file));
      }),
      startRendered(lab, "funnum", unnumberedManifest(lab.host("funnum"))),
      ...MULTIHOP_HOSTS.map((m) => startRendered(lab, m.name, multihopManifest(lab.host(m.name), m.daemon, m.prefix))),
    ]);
    await waitEstablished(lab, { hosts: UP, timeout: 60_000 });
  });

  afterAll(async () => {
    await (lab as Lab | undefined)?.down();
  });

  // the hosts whose cases this run generates (harness/matrix.ts); the fabric has them all
  const cases = casesOf("rendered", SEC_HOSTS);
  const matching = cases.filter((s) => s.name.endsWith("sec"));

  /** the host's session is not up and the ToR never got a route from it */
  async function expectNeverUp(s: SecHost): Promise<void> {
    const l = lab.link(s.name, "tor1");
    expect(await hostSessionState(lab, s.name, { name: peerName(l, "ipv4"), key: l.tor4 })).not.toBe("Established");
    if (s.daemon === "frr") {
      const j = await lab.vtyshJson<Record<string, { connectionsEstablished?: number }>>(s.name, `show bgp neighbors ${l.tor4} json`);
      expect(j[l.tor4]?.connectionsEstablished ?? 0).toBe(0);
    }
    expect(await lab.observe.received("tor1", s.name, "ipv4")).toEqual([]);
    expect(await lab.observe.hasRoute("tor1", s.prefixes[0]!)).toBe(false);
  }

  it.each(matching)("$daemon host: a TCP-MD5 session with GTSM comes up against a ToR configured to match, IPv4 and IPv6", async (s) => {
    const l = lab.link(s.name, "tor1");
    for (const f of s.families) {
      const want = s.prefixes.filter((p) => fam(p) === f);
      await waitFor(() => lab.observe.received("tor1", s.name, f), { what: `tor1 receiving ${want.join(",")} from ${s.name}`, timeout: 20_000, until: (r) => JSON.stringify(r) === JSON.stringify(want) });
      const peer = f === "ipv4" ? l.host4 : l.host6;
      // the ToR's side really signs and checks TTLs: it has the key and GTSM for this neighbour
      const cfg = await lab.vtysh("tor1", "show running-config");
      expect(cfg).toContain(` neighbor ${peer} password ${MD5_KEY}`);
      expect(cfg).toContain(` neighbor ${peer} ttl-security hops 1`);
    }
    // (the kernel counters are no proof either way here: segments of a collided or closing
    // connection may be dropped at start; the mismatch tests below show both checks enforced)
    for (const f of s.families) expect(await lab.observe.sessionState("tor1", s.name, f)).toBe("Established");
  });

  it.each(cases.filter((s) => s.name.endsWith("badpw")))("$daemon host: a mismatched TCP-MD5 password keeps the session down", async (s) => {
    // the ToR keeps trying; the host's kernel drops each attempt for its bad signature
    await waitFor(() => tcpExtCounter(lab, s.name, "TCPMD5Failure"), { what: `${s.name} rejecting 3 badly signed segments`, timeout: 20_000, until: (n) => n >= 3 });
    await expectNeverUp(s);
  });

  it.each(cases.filter((s) => s.name.endsWith("gtsm")))("$daemon host: GTSM on the host and not on the ToR keeps the session down", async (s) => {
    // the ToR sends with TTL 1; the host accepts only 255 (RFC 5082)
    await waitFor(() => tcpExtCounter(lab, s.name, "TCPMinTTLDrop"), { what: `${s.name} dropping 3 segments below the minimum TTL`, timeout: 20_000, until: (n) => n >= 3 });
    // Only the host's side is judged: both daemons set the minimum TTL on a connection after
    // accepting it, so the ToR's OPEN can slip in first and the ToR alone may briefly reach
    // Established before its own keepalives are dropped and its hold timer fires. The host never
    // gets there, and no route is exchanged.
    await expectNeverUp(s);
  });

  it.each(matching)("$daemon host with accept: none takes no route: no default in the kernel, nothing in BGP", async (s) => {
    const l = lab.link(s.name, "tor1");
    const torConfig = await lab.vtysh("tor1", "show running-config");
    type Stats = Record<string, { messageStats?: { updatesSent?: number; updatesRecv?: number }; addressFamilyInfo?: Record<string, { sentPrefixCounter?: number }> }>;
    const neighbor = async (node: string, address: string) => (await lab.vtyshJson<Stats>(node, `show bgp neighbors ${address} json`))[address];
    const updates = async (node: string, address: string, dir: "updatesSent" | "updatesRecv") => (await neighbor(node, address))?.messageStats?.[dir] ?? -1;
    for (const f of s.families) {
      const peer = torAddr(l, f);
      const hostIp = f === "ipv4" ? l.host4 : l.host6;
      // the ToR does send a default: it originates one toward the host and sends it nothing else
      // (TO-HOST denies every route), so the one prefix it counts as sent is that default. Its
      // advertised-routes is no witness: FRR 8.4 stops naming the default it originated once it has
      // answered a ROUTE-REFRESH (without withdrawing it), and an FRR host sends one as its policy
      // settles right after the session comes up; under load that comes after the default.
      expect(torConfig).toContain(` neighbor ${hostIp} default-originate`);
      const sentPrefixes = async () => (await neighbor("tor1", hostIp))?.addressFamilyInfo?.[`${f}Unicast`]?.sentPrefixCounter ?? -1;
      await waitFor(sentPrefixes, { what: `tor1 sending ${s.name} its default (${f})`, timeout: 20_000, until: (n) => n === 1 });
      // … the host's daemon gets it and turns it away …
      if (s.daemon === "frr") {
        // the evidence that the default reached the host: it has received every UPDATE the ToR sent it
        const both = async () => ({ recv: await updates(s.name, peer, "updatesRecv"), sent: await updates("tor1", hostIp, "updatesSent") });
        await waitFor(both, { what: `${s.name} receiving every UPDATE tor1 sent it (${f})`, timeout: 20_000, until: (x) => x.sent >= 1 && x.recv === x.sent });
        const j = await lab.vtyshJson<Record<string, { peers?: Record<string, { pfxRcd?: number; state?: string }> }>>(s.name, "show bgp summary json");
        expect(j[`${f}Unicast`]?.peers?.[peer]).toMatchObject({ state: "Established", pfxRcd: 0 });
      } else {
        const counters = (o: string) => (/Import updates:\s+(\d+)\s+(\d+)\s+(\d+)/.exec(o)?.slice(1) ?? []).map(Number);
        const { value: out } = await waitFor(() => lab.birdc(s.name, `show protocols all peer_${peerName(l, f).replace(/-/g, "_")}`), {
          what: `${s.name}'s BIRD receiving the default from tor1 and filtering it (${f})`,
          timeout: 20_000,
          until: (o) => (counters(o)[0] ?? 0) >= 1 && (counters(o)[2] ?? 0) >= 1,
        });
        expect(out).toMatch(/Routes:\s+0 imported/);
      }
      // … and neither keeps nor installs it
      expect(await hostLearned(lab, s.name, f)).toEqual([]);
      expect(await lab.observe.defaultRoute(s.name, f)).toBeUndefined();
    }
    const r = await lab.exec(s.name, "ip", ["-j", "route", "show", "default"]);
    expect(JSON.parse(r.stdout || "[]")).toEqual([]);
  });

  if (caseDaemons("rendered").includes("frr")) it("FRR host with BGP unnumbered: the ToR gets both prefixes over the one link-local session, IPv4 with an IPv6 next hop", async () => {
    const l = lab.link("funnum", "tor1");
    for (const f of FAMILIES) {
      const want = UNNUM_PREFIXES.filter((p) => fam(p) === f);
      await waitFor(() => lab.observe.received("tor1", "funnum", f), { what: `tor1 receiving ${want.join(",")} from funnum`, timeout: 20_000, until: (r) => JSON.stringify(r) === JSON.stringify(want) });
      expect((await lab.observe.session("tor1", "funnum", f))?.peer).toBe(l.torIf);
    }
    // (the ToR received it: its path is there now, settled)
    const v4 = await torPaths(lab, "tor1", UNNUM_PREFIXES[0]!, "ipv4");
    expect(v4).toHaveLength(1);
    const route = await waitFor(() => lab.observe.route("tor1", UNNUM_PREFIXES[0]!), { what: `tor1's next hop for ${UNNUM_PREFIXES[0]} via funnum's link-local`, timeout: 20_000, until: (r) => r?.paths[0]?.nexthops.includes(l.hostLL) === true });
    expect(route.value?.paths[0]?.nexthops).toContain(l.hostLL);
    // the host learns both defaults; IPv4 goes to the kernel through the ToR's link-local address
    expect(await waitEqual(() => hostLearned(lab, "funnum", "ipv4"), ["0.0.0.0/0"], "funnum's IPv4 routes from BGP")).toEqual(["0.0.0.0/0"]);
    expect(await waitEqual(() => hostLearned(lab, "funnum", "ipv6"), ["::/0"], "funnum's IPv6 routes from BGP")).toEqual(["::/0"]);
    const { value } = await waitFor(() => lab.observe.defaultRoute("funnum", "ipv4"), { what: "funnum IPv4 default from BGP", timeout: 20_000, until: (x) => x !== undefined });
    expect(value!.nexthops).toEqual([{ gateway: l.torLL, dev: l.hostIf }]);
    // IPv6: unnumbered peering needs router advertisements, and the kernel installs the ToR's RA
    // default (proto ra) by itself; zebra then prefers that kernel route (distance 0) to BGP's, so
    // the host's IPv6 default is the RA one, through the same ToR, whatever BGP says.
    const v6 = await waitFor(() => lab.observe.kernelRoute("funnum", "default", "ipv6"), { what: "funnum IPv6 default", timeout: 20_000, until: (x) => x !== undefined });
    expect(v6.value!.nexthops.map((x) => x.gateway)).toEqual([l.torLL]);
  });

  it.each(casesOf("rendered", MULTIHOP_HOSTS))("$daemon host with a multihop peer installs the received default through the real gateway", async (m) => {
    const l = lab.link(m.name, "tor1");
    // exactly the service prefix, before the ToR's policy: neither the kernel route to the ToR's
    // loopback (inside allowed_prefixes) nor a connected network is announced
    await waitFor(() => lab.observe.receivedRaw("tor1", m.name, "ipv4"), { what: `tor1 receiving just ${m.prefix} from ${m.name}`, timeout: 20_000, until: (r) => JSON.stringify(r) === JSON.stringify([m.prefix]) });
    expect(await waitEqual(() => hostLearned(lab, m.name, "ipv4"), ["0.0.0.0/0"], `${m.name}'s routes from BGP`)).toEqual(["0.0.0.0/0"]);
    // the BGP next hop (the ToR's loopback) is resolved through the kernel's route to it; an
    // unresolved one must never reach the kernel as an unreachable default
    const { value } = await waitFor(() => lab.observe.defaultRoute(m.name, "ipv4"), { what: `${m.name} default from its daemon`, timeout: 20_000, until: (x) => x !== undefined });
    expect(value!.nexthops).toEqual([{ gateway: l.tor4, dev: l.hostIf }]);
    const r = await lab.exec(m.name, "ip", ["-j", "-4", "route", "show", "default"]);
    expect((JSON.parse(r.stdout || "[]") as { type?: string }[]).filter((x) => x.type !== undefined && x.type !== "unicast")).toEqual([]);
  });
});
