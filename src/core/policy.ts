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
  /** allowed_prefixes per family, sorted, without repeats */
  aggregates: Map<Family, Prefix[]>;
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
  const aggregates = new Map<Family, Prefix[]>([
    [4, []],
    [6, []],
  ]);
  for (const a of [...m.policy.allowed].sort(comparePrefixes)) {
    const list = aggregates.get(a.family)!;
    const last = list[list.length - 1];
    if (!last || comparePrefixes(last, a) !== 0) list.push(a);
  }
  f = { families: [...fams].sort(), allowed, exported, exportedTo, aggregates };
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

/** policy.allowed_prefixes of one family, sorted, without repeats */
export function allowedAggregates(m: Manifest, f: Family): Prefix[] {
  return facts(m).aggregates.get(f)!;
}

/**
 * The allowed service prefixes no service announced to `peer` carries (services[].peers), sorted:
 * empty when every service is announced to it.
 */
export function withheldFrom(m: Manifest, peer: string, f: Family): Prefix[] {
  const own = facts(m).exportedTo.get(peer);
  if (!own) return [];
  const sent = new Set(own.get(f)!.map((p) => p.text));
  const out: Prefix[] = [];
  // sorted, so a prefix two services share comes twice in a row
  for (const p of facts(m).exported.get(f)!) if (!sent.has(p.text) && out[out.length - 1]?.text !== p.text) out.push(p);
  return out;
}

export function isInternal(m: Manifest, p: Peer): boolean {
  return p.remoteAsn === "internal" || p.remoteAsn === m.router.asn;
}
