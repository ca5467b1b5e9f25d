// Small policy facts both daemons' models share. Pure; computed once per manifest object (the
// normalised manifest is never mutated) because 10,000-service manifests are a supported size.
import { comparePrefixes, type Family, type Prefix } from "../manifest/ip.js";
import type { Manifest, Peer } from "../manifest/types.js";

interface PolicyFacts {
  families: Family[];
  allowed: Set<Prefix>;
  exported: Map<Family, Prefix[]>;
  /** peers some service leaves out (services[].peers), and the export set of each of them */
  exportedTo: Map<string, Map<Family, Prefix[]>>;
}

const memo = new WeakMap<Manifest, PolicyFacts>();

/** inner ⊆ outer, with the mask computed once per allowed prefix */
function containsTest(outer: Prefix): (p: Prefix) => boolean {
  const bits = outer.family === 4 ? 32n : 128n;
  const mask = ((1n << bits) - 1n) ^ ((1n << (bits - BigInt(outer.len))) - 1n);
  return (p) => p.family === outer.family && p.len >= outer.len && (p.addr & mask) === outer.addr;
}

function facts(m: Manifest): PolicyFacts {
  let f = memo.get(m);
  if (f) return f;
  const tests = m.policy.allowed.map(containsTest);
  const allowed = new Set<Prefix>();
  const exported = new Map<Family, Prefix[]>([
    [4, []],
    [6, []],
  ]);
  const fams = new Set<Family>(m.peers.flatMap((p) => p.families));
  for (const s of m.services) {
    for (const p of s.prefixes) {
      fams.add(p.family);
      if (tests.some((t) => t(p))) {
        allowed.add(p);
        exported.get(p.family)!.push(p);
      }
    }
  }
  for (const list of exported.values()) list.sort(comparePrefixes);
  const exportedTo = new Map<string, Map<Family, Prefix[]>>();
  const all = m.peers.length;
  for (const s of m.services) {
    if (s.peers.length === all) continue;
    for (const peer of m.peers) if (!exportedTo.has(peer.name) && !s.peers.includes(peer.name)) exportedTo.set(peer.name, new Map());
  }
  for (const [peer, byFamily] of exportedTo) {
    for (const fam of [4, 6] as const) {
      byFamily.set(
        fam,
        m.services.filter((s) => s.peers.includes(peer)).flatMap((s) => s.prefixes.filter((p) => p.family === fam && allowed.has(p))).sort(comparePrefixes),
      );
    }
  }
  f = { families: [...fams].sort(), allowed, exported, exportedTo };
  memo.set(m, f);
  return f;
}

/** families that appear in the config: those of the peers and of the services' prefixes */
export function configFamiliesOf(m: Manifest): Family[] {
  return facts(m).families;
}

/** is this service prefix inside policy.allowed_prefixes? */
export function isAllowed(m: Manifest, p: Prefix): boolean {
  return facts(m).allowed.has(p);
}

/**
 * The export guardrail per family: every service prefix that lies inside allowed_prefixes,
 * whatever its health (health only decides origination), sorted.
 */
export function exportPrefixes(m: Manifest): Map<Family, Prefix[]> {
  return facts(m).exported;
}

/**
 * The export guardrail of one peer: the prefixes of the services announced to it, or null when
 * that is every service's (the shared export set).
 */
export function exportPrefixesTo(m: Manifest, peer: string): Map<Family, Prefix[]> | null {
  return facts(m).exportedTo.get(peer) ?? null;
}

export function isInternal(m: Manifest, p: Peer): boolean {
  return p.remoteAsn === "internal" || p.remoteAsn === m.router.asn;
}
