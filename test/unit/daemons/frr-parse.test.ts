// FRR parsers on vtysh JSON captured from every FRR version of the matrix (test/fixtures/captured/frr/,
// host outputs per version; the ToRs run FRR 8.4).
import { describe, expect, it } from "vitest";
import { frrFastKey, vtyshErrors } from "../../../src/daemons/frr.js";
import { diffIsEmpty, parseAdvertised, parseBfdPeers, parseNeighbors, parseReloadDiff, splitJsonDocuments, withoutPamComplaint } from "../../../src/daemons/frr-parse.js";
import { FRR_VERSIONS, TOR_VERSION, captured } from "../../helpers/captures.js";

const tor = (f: string) => JSON.parse(captured("frr", TOR_VERSION, f)) as unknown;

describe("the ToR's view (FRR 8.4)", () => {
  it("a ToR's neighbours, Established and not, each with its state; one neighbour alone reads the same", () => {
    const ns = parseNeighbors(tor("tor1.show-bgp-neighbors.json"));
    const states = Object.fromEntries(ns.map((n) => [n.key, n.state]));
    // host1 and host2 (both families) are up; silent, badasn and badbird never get there (which
    // of Active/Idle a failing one shows depends on where its retry cycle was)
    expect(Object.keys(states).sort()).toEqual(["169.254.1.1", "169.254.3.1", "169.254.5.1", "169.254.6.1", "169.254.7.1", "fd00:1::1", "fd00:3::1"]);
    for (const k of ["169.254.1.1", "169.254.3.1", "fd00:1::1", "fd00:3::1"]) expect(states[k], k).toBe("Established");
    expect(states["169.254.5.1"]).toBe("Active");
    for (const k of ["169.254.6.1", "169.254.7.1"]) expect(["Active", "Idle", "Connect"], k).toContain(states[k]);
    const [one] = parseNeighbors(tor("tor1.show-bgp-neighbor-established.json"));
    expect(one).toMatchObject({ key: "169.254.1.1", state: "Established" });
    expect(one!.uptimeMs).toBeGreaterThan(0);
  });

  it("a peer refusing our OPEN (wrong ASN) and one nobody answers", () => {
    const [bad] = parseNeighbors(tor("tor1.show-bgp-neighbor-wrong-asn.json"));
    expect(bad).toMatchObject({ state: "Idle", uptimeMs: null, establishedTotal: 0 });
    expect(bad!.lastError).toContain("Bad Peer AS");
    const [silent] = parseNeighbors(tor("tor1.show-bgp-neighbor-nobody-listening.json"));
    expect(silent).toMatchObject({ state: "Active", uptimeMs: null });
    expect(silent!.lastError).toContain("Waiting for peer OPEN");
  });

  it("a default-originate is not an advertised route (FRR names it apart)", () => {
    const doc = tor("tor1.show-bgp-ipv4-unicast-neighbor-advertised-routes.json");
    expect(parseAdvertised(doc)).toEqual([]);
    expect(doc).toMatchObject({ bgpOriginatingDefaultNetwork: "0.0.0.0/0" });
  });
});

describe("frr-reload --test under the packaged service (FRR 8.4 on Debian 12, systemd)", () => {
  it("frr-reload --test run by the packaged service (unprivileged, NoNewPrivileges): vtysh's PAM complaint is not a difference", () => {
    const out = captured("frr", "frr-8.4", "frr-reload-test-unchanged-nonewprivileges.txt");
    expect(out).toMatch(/vtysh_pam: Failed in account validation/);
    expect(parseReloadDiff(out)).toEqual({ toDelete: [], toAdd: [] });
    expect(withoutPamComplaint(out)).not.toMatch(/vtysh_pam/);
  });
});

describe.each(FRR_VERSIONS)("%s on a host", (version) => {
  const cap = (f: string) => captured("frr", version, f);
  const json = (f: string) => JSON.parse(cap(f)) as unknown;

  it("show bgp neighbors json: Established IPv4 and IPv6 sessions with counters", () => {
    const ns = parseNeighbors(json("host1.show-bgp-neighbors.json"));
    expect(ns.map((n) => n.key).sort()).toEqual(["169.254.1.2", "169.254.2.2", "fd00:1::2", "fd00:2::2"]);
    for (const n of ns) {
      expect(n.state).toBe("Established");
      expect(n.uptimeMs).toBeGreaterThan(0);
      expect(n.establishedTotal).toBeGreaterThanOrEqual(1);
      expect(n.sent).toBe(2);
      expect(n.received).toBe(1);
    }
  });

  it("show bgp neighbors json: a session refused for a wrong remote ASN is not Established", () => {
    const ns = parseNeighbors(json("badasn.show-bgp-neighbors.json"));
    expect(ns).toHaveLength(1);
    expect(ns[0]!.state).not.toBe("Established");
    expect(ns[0]!.establishedTotal).toBe(0);
    expect(ns[0]!.lastError).toMatch(/Bad Peer AS/i);
  });

  it("advertised routes: lists the prefixes sent to a neighbour", () => {
    expect(parseAdvertised(json("host1.show-bgp-ipv4-unicast-neighbor-advertised-routes.json"))).toEqual(["192.0.2.100/32", "192.0.2.11/32"]);
    expect(parseAdvertised(json("host1.show-bgp-ipv6-unicast-neighbor-advertised-routes.json"))).toEqual(["2001:db8::100/128", "2001:db8::11/128"]);
  });

  it("several vtysh -c outputs back to back split into documents", () => {
    const text = [cap("host1.show-bgp-neighbors.json"), cap("host1.show-bgp-ipv4-unicast-neighbor-advertised-routes.json"), cap("host1.show-bgp-summary.json")].join("");
    const docs = splitJsonDocuments(text);
    expect(docs).toHaveLength(3);
    expect(parseAdvertised(docs[1])).toContain("192.0.2.11/32");
  });

  it("a bracket or an escaped quote inside a string does not end a document", () => {
    const a = { description: 'ToR "east" } {[', path: "C:\\x\\" };
    const b = [{ x: "]" }, "\\\""];
    expect(splitJsonDocuments(`${JSON.stringify(a)}\n${JSON.stringify(b)}{}`)).toEqual([a, b, {}]);
  });

  it("running config: the fast key ignores exactly the network statements and comments", () => {
    const running = cap("host1.show-running-config.txt");
    expect(running).toMatch(/^\s+network \S+/m);
    const key = frrFastKey(running);
    expect(key).not.toMatch(/^\s+network /m);
    expect(key).not.toMatch(/^\s*!/m);
    expect(key).toMatch(/^router bgp /m);
    expect(key.split("\n").length).toBeLessThan(running.split("\n").length);
  });
  it("vtysh error lines", () => {
    expect(vtyshErrors(cap("vtysh-C-bad-grammar.txt")).length).toBeGreaterThan(0);
    expect(vtyshErrors(cap("vtysh-C-good.txt"))).toEqual([]);
  });

  it("frr-reload --test: an unchanged config shows only noise", () => {
    expect(diffIsEmpty(parseReloadDiff(cap("frr-reload-test-unchanged.txt")))).toBe(true);
  });
  it("frr-reload --test: a changed one shows its lines", () => {
    const d = parseReloadDiff(cap("frr-reload-test-changed.txt"));
    expect(d.toDelete).toEqual([]);
    expect(d.toAdd).toEqual(["router bgp 65101", " address-family ipv4 unicast", "  network 192.0.2.55/32"]);
  });
});

describe("show bfd peers json", () => {
  it("a ToR's sessions, up and not (FRR 8.4)", () => {
    const peers = parseBfdPeers(tor("tor1.show-bfd-peers.json"));
    expect(peers).toHaveLength(7);
    // up toward host1 and host2; not up toward silent, badasn and badbird (down, or init while one side tries)
    const by = Object.fromEntries(peers.map((p) => [p.address, p.state]));
    for (const up of ["169.254.1.1", "169.254.3.1", "fd00:1::1", "fd00:3::1"]) expect(by[up], up).toBe("up");
    for (const down of ["169.254.5.1", "169.254.6.1", "169.254.7.1"]) expect(by[down], down).toMatch(/^(down|init)$/);
  });
  it.each(FRR_VERSIONS)("%s on a host: every session up", (version) => {
    expect(parseBfdPeers(JSON.parse(captured("frr", version, "host1.show-bfd-peers.json")) as unknown).map((p) => p.state)).toEqual(["up", "up", "up", "up"]);
  });
  it("anything but a list is no sessions", () => {
    expect(parseBfdPeers({ error: "x" })).toEqual([]);
  });
});
