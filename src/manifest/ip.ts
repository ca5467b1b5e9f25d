// IPv4/IPv6 addresses and prefixes as bigints: strict parsing (no zone ids, no leading zeros in
// IPv4 octets, no IPv4-mapped forms) because every accepted string may reach a routing config.

export type Family = 4 | 6;

export interface Prefix {
  family: Family;
  /** network address as an unsigned integer */
  addr: bigint;
  len: number;
  /** canonical text, e.g. 192.0.2.53/32 or 2001:db8::53/128 */
  text: string;
}

const V4_OCTET = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;

function parseIPv4(s: string): bigint | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  let v = 0n;
  for (const p of parts) {
    if (!V4_OCTET.test(p)) return null;
    v = (v << 8n) | BigInt(Number(p));
  }
  return v;
}

export function parseIPv6(s: string): bigint | null {
  if (!/^[0-9a-fA-F:]{2,39}$/.test(s)) return null;
  const dbl = s.split("::");
  if (dbl.length > 2) return null;
  const head = dbl[0] === "" ? [] : dbl[0]!.split(":");
  const tail = dbl.length === 2 ? (dbl[1] === "" ? [] : dbl[1]!.split(":")) : [];
  const groups = head.length + tail.length;
  if (dbl.length === 1 && groups !== 8) return null;
  if (dbl.length === 2 && groups > 7) return null;
  const all = [...head, ...Array<string>(8 - groups).fill("0"), ...tail];
  let v = 0n;
  for (const g of all) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    v = (v << 16n) | BigInt(parseInt(g, 16));
  }
  return v;
}

export function parseIP(s: string): { family: Family; addr: bigint } | null {
  const v4 = parseIPv4(s);
  if (v4 !== null) return { family: 4, addr: v4 };
  const v6 = parseIPv6(s);
  if (v6 !== null) return { family: 6, addr: v6 };
  return null;
}

function formatIPv4(v: bigint): string {
  return [24n, 16n, 8n, 0n].map((sh) => Number((v >> sh) & 0xffn)).join(".");
}

/** RFC 5952 canonical IPv6 text. */
export function formatIPv6(v: bigint): string {
  const g: number[] = [];
  for (let i = 7; i >= 0; i--) g.push(Number((v >> BigInt(i * 16)) & 0xffffn));
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestStart < 0) return hex.join(":");
  const left = hex.slice(0, bestStart).join(":");
  const right = hex.slice(bestStart + bestLen).join(":");
  return `${left}::${right}`;
}

export function formatIP(family: Family, v: bigint): string {
  return family === 4 ? formatIPv4(v) : formatIPv6(v);
}

function bits(family: Family): number {
  return family === 4 ? 32 : 128;
}

function hostMask(family: Family, len: number): bigint {
  return (1n << BigInt(bits(family) - len)) - 1n;
}

export type PrefixParse =
  | { ok: true; prefix: Prefix }
  | { ok: false; reason: string; suggestion?: string };

/**
 * Results by text: a manifest's rules, normalisation and model read the same prefixes several
 * times, and 10,000 services are a supported size. Results are frozen (shared); the cache is
 * emptied when it grows past what any manifest holds.
 */
const parsed = new Map<string, PrefixParse>();
const CACHE_MAX = 200_000;

/** Parse `ADDR/LEN`; host bits set is an error with the corrected prefix as suggestion. */
export function parsePrefix(s: string): PrefixParse {
  let r = parsed.get(s);
  if (r === undefined) {
    if (parsed.size >= CACHE_MAX) parsed.clear();
    r = readPrefix(s);
    if (r.ok) Object.freeze(r.prefix);
    parsed.set(s, Object.freeze(r));
  }
  return r;
}

function readPrefix(s: string): PrefixParse {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
  if (!m) return { ok: false, reason: "not a prefix in ADDRESS/LENGTH form" };
  const ip = parseIP(m[1]!);
  if (!ip) return { ok: false, reason: `"${m[1]}" is not an IPv4 or IPv6 address` };
  const len = Number(m[2]);
  if (len > bits(ip.family) || (m[2]!.length > 1 && m[2]!.startsWith("0"))) {
    return { ok: false, reason: `prefix length /${m[2]} is out of range for IPv${ip.family}` };
  }
  const net = ip.addr & ~hostMask(ip.family, len);
  const text = `${formatIP(ip.family, net)}/${len}`;
  if (net !== ip.addr) {
    return { ok: false, reason: "host bits are set", suggestion: text };
  }
  return { ok: true, prefix: { family: ip.family, addr: net, len, text } };
}

export function mustParsePrefix(s: string): Prefix {
  const r = parsePrefix(s);
  if (!r.ok) throw new Error(`invalid prefix ${s}: ${r.reason}`);
  return r.prefix;
}

/** inner ⊆ outer */
export function prefixContains(outer: Prefix, inner: Prefix): boolean {
  if (outer.family !== inner.family || inner.len < outer.len) return false;
  return (inner.addr & ~hostMask(outer.family, outer.len)) === outer.addr;
}

export function comparePrefixes(a: Prefix, b: Prefix): number {
  if (a.family !== b.family) return a.family - b.family;
  if (a.addr !== b.addr) return a.addr < b.addr ? -1 : 1;
  return a.len - b.len;
}

const canonical = new Map<string, string | null>();

/** Canonical form of a single address (v6 compressed), or null. */
export function canonicalIP(s: string): string | null {
  let c = canonical.get(s);
  if (c === undefined) {
    if (canonical.size >= CACHE_MAX) canonical.clear();
    const ip = parseIP(s);
    c = ip ? formatIP(ip.family, ip.addr) : null;
    canonical.set(s, c);
  }
  return c;
}
