// Parsers for FRR's vtysh JSON. Pure; unit-tested on outputs captured from a real FRR 8.4 in the
// lab (test/fixtures/captured/frr/).
import type { BfdPeer, ConfigDiff, ObservedPeer } from "./driver.js";

/** vtysh with several `-c` prints one JSON document per command, back to back: split them (bgpd's vty socket gives each on its own). */
export function splitJsonDocuments(text: string): unknown[] {
  const docs: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inStr = false;
  let esc = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inStr) {
      if (esc) esc = false;
      else if (c === "\\") esc = true;
      else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') inStr = true;
    else if (c === "{" || c === "[") {
      if (depth === 0) start = i;
      depth++;
    } else if (c === "}" || c === "]") {
      depth--;
      if (depth === 0 && start >= 0) {
        docs.push(JSON.parse(text.slice(start, i + 1)));
        start = -1;
      }
    }
  }
  return docs;
}

/** one command's output as JSON; undefined when it is not (an error message instead) */
export function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** a neighbour as FRR reports it: the observed peer's session fields, keyed by its address or interface */
export type FrrNeighborInfo = Omit<ObservedPeer, "name" | "advertised"> & { key: string };

type J = Record<string, unknown>;
const num = (v: unknown) => (typeof v === "number" ? v : null);

/** `show bgp neighbors json` */
export function parseNeighbors(doc: unknown): FrrNeighborInfo[] {
  if (!doc || typeof doc !== "object") return [];
  return Object.entries(doc as J).flatMap(([key, v]) => {
    if (!v || typeof v !== "object") return [];
    const n = v as J;
    if (typeof n.bgpState !== "string") return [];
    const afi = (n.addressFamilyInfo ?? {}) as Record<string, J>;
    let sent: number | null = null;
    let received: number | null = null;
    for (const af of Object.values(afi)) {
      const s = num(af.sentPrefixCounter);
      const r = num(af.acceptedPrefixCounter);
      if (s !== null) sent = (sent ?? 0) + s;
      if (r !== null) received = (received ?? 0) + r;
    }
    const reset = typeof n.lastResetDueTo === "string" ? n.lastResetDueTo : null;
    const notify = typeof n.lastNotificationReason === "string" ? n.lastNotificationReason : null;
    const conn = typeof n.lastErrorCodeSubcode === "string" ? null : null;
    return [
      {
        key,
        state: n.bgpState,
        uptimeMs: n.bgpState === "Established" ? num(n.bgpTimerUpMsec) : null,
        establishedTotal: num(n.connectionsEstablished),
        droppedTotal: num(n.connectionsDropped),
        sent,
        received,
        lastError: [reset, notify, conn].filter(Boolean).join("; ") || null,
      },
    ];
  });
}

/** `show bgp ipv4|ipv6 unicast neighbors X advertised-routes json` → prefixes */
export function parseAdvertised(doc: unknown): string[] {
  if (!doc || typeof doc !== "object") return [];
  const adv = (doc as J).advertisedRoutes;
  return adv && typeof adv === "object" ? Object.keys(adv).sort() : [];
}

/** `show bgp ipv4|ipv6 unicast P json` → the neighbours (address or interface) whose outgoing routes hold P; none when P is in no table (`{}`) */
export function parseAdvertisedTo(doc: unknown): string[] {
  if (!doc || typeof doc !== "object") return [];
  const to = (doc as J).advertisedTo;
  return to && typeof to === "object" ? Object.keys(to).sort() : [];
}

/**
 * lines frr-reload always reports on these hosts (a hostname the file does not set, ...), and the
 * `exit` lines FRR 10 closes each context of the diff with (FRR 8.4 prints none)
 */
const NOISE = [/^(no )?hostname /, /^(no )?frr (version|defaults)/, /^end$/, /^!/, /^exit(-address-family|-vrf)?$/];

/**
 * vtysh run by an unprivileged user under NoNewPrivileges (the packaged service) cannot finish
 * PAM's account check and says so on stderr, without a newline, then works as usual: the
 * complaint is removed wherever vtysh's output is read, also through frr-reload.py.
 */
export function withoutPamComplaint(text: string): string {
  return text.replace(/vtysh_pam: [^(\n]*\(\d+\)\n?/g, "");
}

/** The "Lines To Delete" / "Lines To Add" sections of `frr-reload.py --test`, noise removed. */
export function parseReloadDiff(output: string): ConfigDiff {
  const out: ConfigDiff = { toDelete: [], toAdd: [] };
  let section: keyof ConfigDiff | undefined;
  for (const raw of withoutPamComplaint(output).split("\n")) {
    const line = raw.replace(/\s+$/, "");
    if (line === "Lines To Delete") section = "toDelete";
    else if (line === "Lines To Add") section = "toAdd";
    else if (/^=+$/.test(line) || line === "" || /^\d{4}-\d\d-\d\d /.test(line)) continue;
    else if (section && !NOISE.some((re) => re.test(line.trim()))) out[section].push(line);
  }
  return out;
}

export function diffIsEmpty(d: ConfigDiff): boolean {
  return d.toDelete.length === 0 && d.toAdd.length === 0;
}

/** `show bfd peers json`: each session's peer address and status (up, down, init, …) */
export function parseBfdPeers(doc: unknown): BfdPeer[] {
  return Array.isArray(doc) ? (doc as { peer?: unknown; status?: unknown }[]).flatMap((p) => (typeof p.peer === "string" && typeof p.status === "string" ? [{ address: p.peer, state: p.status }] : [])) : [];
}
