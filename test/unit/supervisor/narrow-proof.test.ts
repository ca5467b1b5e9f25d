// The narrow proof of a toggle (narrow-proof.ts): which prefixes are read, when that pays, how the
// answer is judged per peer, and how it is laid over the last full observation for status.
import { describe, expect, it } from "vitest";
import { buildModel } from "../../../src/core/build-model.js";
import type { HealthInput } from "../../../src/core/desired.js";
import type { Observed, ObservedPeer, PrefixesObserved, ToggleOp } from "../../../src/daemons/driver.js";
import { buildFromSources } from "../../../src/manifest/load.js";
import { parseManifestText } from "../../../src/manifest/parse.js";
import { askedOf, laidOver, narrowPays, verifyPrefixes, type Asked } from "../../../src/supervisor/narrow-proof.js";

// tor1 carries IPv4 only, tor2 both families; web is announced to tor2 only
const TEXT = `version: 1
daemon: {type: frr, config_file: /fake/frr.conf, socket: /fake/run}
router: {asn: 4200000101, router_id: 192.0.2.1}
peers:
  - {name: tor1, address: 169.254.0.1, remote_asn: 65000, families: [ipv4]}
  - {name: tor2, address: "fd00::1", remote_asn: 65000, families: [ipv4, ipv6]}
policy: {allowed_prefixes: [192.0.2.0/24, "2001:db8::/32"]}
services:
  - {name: dns, prefixes: [192.0.2.53/32, "2001:db8::53/128"]}
  - {name: web, prefixes: [192.0.2.80/32], peers: [tor2]}
  - {name: ntp, prefixes: [192.0.2.123/32]}
`;

const p = parseManifestText("/etc/svcroute/svcroute.yaml", TEXT);
if (!p.ok) throw new Error("parse");
const m = buildFromSources(p.source, []).manifest!;
const model = (h: HealthInput["services"] = {}) => buildModel(m, { services: h, drained: [] });

const peer = (name: string, advertised: ObservedPeer["advertised"], o: Partial<ObservedPeer> = {}): ObservedPeer => ({
  name,
  state: "Established",
  uptimeMs: 1000,
  establishedTotal: 1,
  droppedTotal: 0,
  sent: null,
  received: null,
  lastError: null,
  advertised,
  ...o,
});

/** everything up, as a full read shows it */
const BASE: Observed = {
  instance: "42",
  durationMs: 5,
  via: "socket",
  peers: [peer("tor1", { "4": ["192.0.2.123/32", "192.0.2.53/32"], "6": [] }), peer("tor2", { "4": ["192.0.2.123/32", "192.0.2.53/32", "192.0.2.80/32"], "6": ["2001:db8::53/128"] })],
};

const read = (sentTo: Record<string, readonly string[]>, peers: ObservedPeer[] = BASE.peers.map((x) => ({ ...x, advertised: null }))): PrefixesObserved => ({
  instance: "42",
  durationMs: 1,
  via: "socket",
  peers,
  sentTo: new Map(Object.entries(sentTo).map(([k, v]) => [k, new Set(v)])),
});

const DNS: Asked = [
  { prefix: "192.0.2.53/32", family: 4 },
  { prefix: "2001:db8::53/128", family: 6 },
];

describe("the narrow proof of a toggle", () => {
  it("asks each toggled prefix once", () => {
    const op = (prefix: string, to: ToggleOp["to"]): ToggleOp => ({ service: "dns", prefix, family: prefix.includes(":") ? 6 : 4, from: "normal", to });
    expect(askedOf([op("192.0.2.53/32", "withdrawn"), op("2001:db8::53/128", "withdrawn"), op("192.0.2.53/32", "deprefer")])).toEqual(DNS);
  });

  it.each([
    ["two prefixes of the six routes the peers are sent", 2, true],
    ["six of six: the full read is no dearer", 6, false],
    ["nothing asked", 0, false],
  ])("pays when it reads fewer routes than the full read: %s", (_what, n, pays) => {
    const asked = Array.from({ length: n }, (_, i) => ({ prefix: `192.0.2.${i}/32`, family: 4 as const }));
    expect(narrowPays(BASE, asked)).toBe(pays);
  });

  it.each([
    ["sent where it should be (dns up: tor1 IPv4, tor2 both)", {}, { "192.0.2.53/32": ["tor1", "tor2"], "2001:db8::53/128": ["tor2"] }, []],
    ["withdrawn and gone everywhere", { dns: "down" }, { "192.0.2.53/32": [], "2001:db8::53/128": [] }, []],
    [
      "withdrawn, but tor2 still sent the IPv4 one",
      { dns: "down" },
      { "192.0.2.53/32": ["tor2"], "2001:db8::53/128": [] },
      [{ peer: "tor2", missing: [], extra: ["192.0.2.53/32"] }],
    ],
    [
      "announced, tor1 not sent it yet",
      {},
      { "192.0.2.53/32": ["tor2"], "2001:db8::53/128": ["tor2"] },
      [{ peer: "tor1", missing: ["192.0.2.53/32"], extra: [] }],
    ],
  ] as const)("judges each Established peer on the asked prefixes of its families: %s", (_what, health, sentTo, mismatches) => {
    const v = verifyPrefixes(m, model(health), read(sentTo), DNS, laidOver(BASE, read(sentTo), DNS)!);
    expect(v).toEqual({ ok: mismatches.length === 0, mismatches, down: [] });
  });

  it("a service announced to some peers only: sent elsewhere is extra", () => {
    const web: Asked = [{ prefix: "192.0.2.80/32", family: 4 }];
    const judge = (r: PrefixesObserved) => verifyPrefixes(m, model(), r, web, laidOver(BASE, r, web)!);
    expect(judge(read({ "192.0.2.80/32": ["tor2"] })).ok).toBe(true);
    expect(judge(read({ "192.0.2.80/32": ["tor1", "tor2"] })).mismatches).toEqual([{ peer: "tor1", missing: [], extra: ["192.0.2.80/32"] }]);
  });

  it("a peer not Established is down, not a mismatch", () => {
    const peers = [peer("tor1", null, { state: "Active" }), peer("tor2", null)];
    const r = read({ "192.0.2.53/32": ["tor2"], "2001:db8::53/128": ["tor2"] }, peers);
    const v = verifyPrefixes(m, model(), r, DNS, BASE);
    expect(v).toEqual({ ok: true, mismatches: [], down: ["tor1"] });
  });

  it("a peer whose daemon counts more routes sent than were read (a withdrawn prefix left in its outgoing routes, which no path names): a mismatch, counted", () => {
    const r = read({ "192.0.2.53/32": [], "2001:db8::53/128": [] }, [peer("tor1", null, { sent: 2 }), peer("tor2", null, { sent: 2 })]);
    const over = laidOver(BASE, r, DNS)!;
    expect(verifyPrefixes(m, model({ dns: "down" }), r, DNS, over)).toEqual({ ok: false, mismatches: [{ peer: "tor1", missing: [], extra: [], counted: { sent: 2, expected: 1 } }], down: [] });
    // as many as read: no mismatch; a daemon that does not count (null): none either
    const fine = read({ "192.0.2.53/32": [], "2001:db8::53/128": [] }, [peer("tor1", null, { sent: 1 }), peer("tor2", null, { sent: null })]);
    expect(verifyPrefixes(m, model({ dns: "down" }), fine, DNS, laidOver(BASE, fine, DNS)!).ok).toBe(true);
  });

  it("laid over the last full read: the asked prefixes as read now, the rest as before, each family sorted", () => {
    const over = laidOver(BASE, read({ "192.0.2.53/32": [], "2001:db8::53/128": [] }), DNS);
    expect(over?.peers.map((x) => [x.name, x.advertised])).toEqual([
      ["tor1", { "4": ["192.0.2.123/32"], "6": [] }],
      ["tor2", { "4": ["192.0.2.123/32", "192.0.2.80/32"], "6": [] }],
    ]);
    const back = laidOver(over!, read({ "192.0.2.53/32": ["tor1", "tor2"], "2001:db8::53/128": ["tor2"] }), DNS);
    expect(back?.peers).toEqual(BASE.peers);
  });

  it.each([
    ["another daemon instance", read({}), (r: PrefixesObserved) => ({ ...r, instance: "43" })],
    ["a session that went down", read({}), (r: PrefixesObserved) => ({ ...r, peers: [peer("tor1", null, { state: "Idle" }), r.peers[1]!] })],
    ["a session re-established since (another establishedTotal)", read({}), (r: PrefixesObserved) => ({ ...r, peers: [peer("tor1", null, { establishedTotal: 2 }), r.peers[1]!] })],
    ["a peer the full read did not have", read({}), (r: PrefixesObserved) => ({ ...r, peers: [...r.peers, peer("tor3", null)] })],
  ])("cannot stand for the daemon now, and a full read is needed: %s", (_what, r, change) => {
    expect(laidOver(BASE, change(r), DNS)).toBeUndefined();
  });

  it("a peer Established now whose full read was not (no routes read for it): a full read is needed", () => {
    const base: Observed = { ...BASE, peers: [peer("tor1", null, { state: "Active", establishedTotal: 1 }), BASE.peers[1]!] };
    expect(laidOver(base, read({}, [peer("tor1", null, { state: "Active" }), peer("tor2", null)]), DNS)?.peers[0]).toMatchObject({ state: "Active", advertised: null });
    expect(laidOver(base, read({}), DNS)).toBeUndefined();
  });
});
