// FRR: the commands that turn one svcroute-rendered config into another when only policy objects
// (route-maps, prefix-lists, as-path and community lists) and `network` lines differ — a
// service's attributes, a service added with new attributes, a peer's export exceptions. Sent in
// one vty session they take milliseconds where frr-reload.py (a Python diff of the whole running
// config) takes half a second or more. Any other difference (router, neighbours, globals) is
// frr-reload.py's: null here. Pure; both texts are svcroute's own renders, so their shape is known.

/** top-level lines that are entries of a list: added or removed one by one */
const LIST_ENTRY = /^(ip prefix-list|ipv6 prefix-list|bgp as-path access-list|bgp community-list|bgp large-community-list) /;
const ROUTE_MAP = /^route-map (\S+) (permit|deny) \d+$/;
const OPTIMIZATION = /^no route-map (\S+) optimization$/;
const NETWORK = /^network (\S+)( route-map (\S+))?$/;

interface Parsed {
  /** lines that must be equal for an incremental change (globals, the router and its neighbours) */
  fixed: string[];
  lists: Set<string>;
  /** route-map entry header → body lines */
  routeMaps: Map<string, string[]>;
  optimizations: Set<string>;
  routerHeader: string | null;
  /** address-family header → prefix → network line */
  networks: Map<string, Map<string, string>>;
}

function parse(text: string): Parsed {
  const p: Parsed = { fixed: [], lists: new Set(), routeMaps: new Map(), optimizations: new Set(), routerHeader: null, networks: new Map() };
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
    if (ROUTE_MAP.test(t)) {
      rm = [];
      p.routeMaps.set(t, rm);
    } else if (OPTIMIZATION.test(t)) p.optimizations.add(t);
    else if (LIST_ENTRY.test(t)) p.lists.add(t);
    else if (t.startsWith("router bgp ")) {
      inRouter = true;
      p.routerHeader = t;
      p.fixed.push(t);
    } else p.fixed.push(t);
  }
  return p;
}

const minus = <T>(a: Iterable<T>, b: { has(x: T): boolean }) => [...a].filter((x) => !b.has(x));

/**
 * The vty commands (from `configure terminal` to `end`) that make the running `from` config equal
 * `to`: none when they are equal but for comments; null when the change is not one of policy
 * objects and networks.
 * Order: new lists and route-map entries first, so that nothing refers to what is not there yet;
 * then the networks; what is gone last, when nothing refers to it any more.
 */
export function incrementalCommands(from: string, to: string): string[] | null {
  const a = parse(from);
  const b = parse(to);
  if (a.routerHeader === null || a.routerHeader !== b.routerHeader || a.fixed.join("\n") !== b.fixed.join("\n")) return null;
  const cmds: string[] = [];
  cmds.push(...minus(b.lists, a.lists));
  // route-maps whose entries changed in place: the networks using them are issued again, so the
  // new attributes go out now rather than after bgpd's route-map delay timer
  const changedMaps = new Set<string>();
  for (const [header, body] of b.routeMaps) {
    const old = a.routeMaps.get(header);
    if (old && old.join("\n") === body.join("\n")) continue;
    cmds.push(header);
    if (old) {
      const keep = new Set(body);
      cmds.push(...old.filter((l) => !keep.has(l)).map((l) => `no ${l}`));
      const had = new Set(old);
      cmds.push(...body.filter((l) => !had.has(l)));
      changedMaps.add(ROUTE_MAP.exec(header)![1]!);
    } else cmds.push(...body);
    cmds.push("exit");
  }
  cmds.push(...minus(b.optimizations, a.optimizations));
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
  for (const afHeader of a.networks.keys()) if (!b.networks.has(afHeader)) return null;
  if (net.length) cmds.push(b.routerHeader, ...net, "exit");
  const goneMaps = minus(a.routeMaps.keys(), b.routeMaps);
  cmds.push(...goneMaps.map((h) => `no ${h}`));
  // an optimization line goes with its route-map; one left while the route-map stays is not ours to guess
  for (const o of minus(a.optimizations, b.optimizations)) {
    const name = OPTIMIZATION.exec(o)![1]!;
    if ([...b.routeMaps.keys()].some((h) => ROUTE_MAP.exec(h)![1] === name)) return null;
  }
  cmds.push(...minus(a.lists, b.lists).map((l) => `no ${l}`));
  return cmds.length ? ["configure terminal", ...cmds, "end"] : [];
}
