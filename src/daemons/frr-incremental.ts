// FRR: the commands that turn one svcroute-rendered config into another when only policy objects
// (route-maps, prefix-lists, as-path and community lists) and `network` lines differ — a
// service's attributes, a service added with new attributes, a peer's export exceptions. Sent in
// one vty session they take milliseconds where frr-reload.py (a Python diff of the whole running
// config) takes half a second or more. Any other difference (router, neighbours, globals) is
// frr-reload.py's: null here. Pure; both texts are svcroute's own renders, so their shape is known.

/** top-level lines that are entries of a list: a list is added or removed whole, never edited */
const LIST_ENTRY = /^(ip prefix-list|ipv6 prefix-list|bgp as-path access-list|bgp community-list|bgp large-community-list) /;
const ROUTE_MAP = /^route-map (\S+) (permit|deny) (\d+)$/;
const OPTIMIZATION = /^no route-map (\S+) optimization$/;
const NETWORK = /^network (\S+)( route-map (\S+))?$/;

/** the list a list entry belongs to: "ip prefix-list NAME", "bgp community-list standard NAME" */
function listOf(line: string): string {
  const t = line.split(" ");
  // `bgp as-path access-list NAME`, `bgp community-list standard NAME`; else the third word names it
  const long = t[1] === "as-path" || t[2] === "standard" || t[2] === "expanded";
  return t.slice(0, long ? 4 : 3).join(" ");
}

interface Entry {
  header: string;
  body: string[];
}

interface Parsed {
  /** lines that must be equal for an incremental change (globals, the router and its neighbours) */
  fixed: string[];
  /** list → its entries */
  lists: Map<string, Set<string>>;
  /** route-map name → sequence → entry */
  routeMaps: Map<string, Map<string, Entry>>;
  optimizations: Set<string>;
  routerHeader: string | null;
  /** address-family header → prefix → network line */
  networks: Map<string, Map<string, string>>;
}

function parse(text: string): Parsed {
  const p: Parsed = { fixed: [], lists: new Map(), routeMaps: new Map(), optimizations: new Set(), routerHeader: null, networks: new Map() };
  let rm: string[] | null = null;
  let inRouter = false;
  let af: Map<string, string> | null = null;
  for (const raw of text.split("\n")) {
    const line = raw.trimEnd();
    const t = line.trim();
    if (t === "" || t.startsWith("!")) continue;
    if (rm) {
      if (t === "exit") rm = null;
      else rm.push(t);
      continue;
    }
    if (inRouter) {
      if (af) {
        if (t === "exit-address-family") af = null;
        else if (NETWORK.test(t)) af.set(NETWORK.exec(t)![1]!, t);
        else p.fixed.push(`  ${t}`);
        continue;
      }
      if (t === "exit") {
        inRouter = false;
        continue;
      }
      if (t.startsWith("address-family ")) {
        af = p.networks.get(t) ?? new Map();
        p.networks.set(t, af);
      }
      p.fixed.push(` ${t}`);
      continue;
    }
    const m = ROUTE_MAP.exec(t);
    if (m) {
      rm = [];
      const entries = p.routeMaps.get(m[1]!) ?? new Map<string, Entry>();
      p.routeMaps.set(m[1]!, entries);
      entries.set(m[3]!, { header: t, body: rm });
    } else if (OPTIMIZATION.test(t)) p.optimizations.add(t);
    else if (LIST_ENTRY.test(t)) {
      const list = p.lists.get(listOf(t)) ?? new Set<string>();
      p.lists.set(listOf(t), list);
      list.add(t);
    } else if (t.startsWith("router bgp ")) {
      inRouter = true;
      p.routerHeader = t;
      p.fixed.push(t);
    } else p.fixed.push(t);
  }
  return p;
}

const sameSet = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((x) => b.has(x));

/**
 * The vty commands (from `configure terminal` to `end`) that make the running `from` config equal
 * `to`: none when they are equal but for comments; null when the change is not one of policy
 * objects and networks that commands can make safely.
 * FRR keys a list entry and a route-map entry by its sequence number alone (`no ... seq 10 ...`
 * deletes entry 10 whatever it says, and FRR 8 ignores an entry equal to another at a different
 * sequence), and svcroute numbers entries by position: so a list that changes is frr-reload.py's,
 * as is a route-map entry whose action changes; lists and route-maps are added and removed whole.
 * Order: new lists and route-map entries first, so that nothing refers to what is not there yet;
 * then the networks; what is gone last, when nothing refers to it any more.
 */
export function incrementalCommands(from: string, to: string): string[] | null {
  const a = parse(from);
  const b = parse(to);
  if (a.routerHeader === null || a.routerHeader !== b.routerHeader || a.fixed.join("\n") !== b.fixed.join("\n")) return null;
  for (const [list, entries] of b.lists) {
    const was = a.lists.get(list);
    if (was && !sameSet(was, entries)) return null;
  }
  for (const afHeader of a.networks.keys()) if (!b.networks.has(afHeader)) return null;
  const cmds: string[] = [];
  for (const [list, entries] of b.lists) if (!a.lists.has(list)) cmds.push(...entries);
  // route-map entries changed in place: the networks using them are issued again, so the new
  // attributes go out now rather than after bgpd's route-map delay timer
  const changedMaps = new Set<string>();
  for (const [name, entries] of b.routeMaps) {
    const old = a.routeMaps.get(name);
    for (const [seq, e] of entries) {
      const was = old?.get(seq);
      if (was && was.header !== e.header) return null;
      if (was && was.body.join("\n") === e.body.join("\n")) continue;
      cmds.push(e.header);
      if (was) {
        const keep = new Set(e.body);
        cmds.push(...was.body.filter((l) => !keep.has(l)).map((l) => `no ${l}`));
        const had = new Set(was.body);
        cmds.push(...e.body.filter((l) => !had.has(l)));
        changedMaps.add(name);
      } else cmds.push(...e.body);
      cmds.push("exit");
    }
  }
  cmds.push(...[...b.optimizations].filter((o) => !a.optimizations.has(o)));
  const net: string[] = [];
  for (const [afHeader, nets] of b.networks) {
    const old = a.networks.get(afHeader) ?? new Map<string, string>();
    const lines: string[] = [];
    for (const prefix of old.keys()) if (!nets.has(prefix)) lines.push(`no network ${prefix}`);
    for (const [prefix, line] of nets) {
      const was = old.get(prefix);
      const map = NETWORK.exec(line)![3];
      if (was === line && !(map && changedMaps.has(map))) continue;
      // one session: the ToR sees one UPDATE with the new attributes, no withdrawal (as toggle())
      if (was !== undefined) lines.push(`no network ${prefix}`);
      lines.push(line);
    }
    if (lines.length) net.push(afHeader, ...lines, "exit-address-family");
  }
  if (net.length) cmds.push(b.routerHeader, ...net, "exit");
  // a route-map gone whole goes with its optimization line; one that stays loses entries only
  for (const [name, entries] of a.routeMaps) {
    const still = b.routeMaps.get(name);
    if (!still) cmds.push(`no route-map ${name}`);
    else for (const [seq, e] of entries) if (!still.has(seq)) cmds.push(`no ${e.header}`);
  }
  for (const o of a.optimizations) {
    if (b.optimizations.has(o)) continue;
    // an optimization line dropped while its route-map stays is not ours to guess
    if (b.routeMaps.has(OPTIMIZATION.exec(o)![1]!)) return null;
  }
  for (const [list, entries] of a.lists) if (!b.lists.has(list)) cmds.push(...[...entries].map((l) => `no ${l}`));
  return cmds.length ? ["configure terminal", ...cmds, "end"] : [];
}
