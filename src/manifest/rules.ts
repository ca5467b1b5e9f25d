// Cross-field rules: small named functions over the merged raw manifest. They run even when the
// schema found problems (so every problem is reported at once), therefore they read the input
// defensively and skip what is not the right shape (the schema reports that part).
import { DEFAULTS as D } from "./defaults.js";
import { parseDuration } from "./duration.js";
import { derivedServiceTimeout } from "./timing.js";
import { suggestKey } from "./suggest.js";
import { formatIP, parseIP, parsePrefix, prefixContains, type Prefix } from "./ip.js";

export type Path = (string | number)[];

export interface RuleIssue {
  path: Path;
  message: string;
  hint?: string;
  /** warnings are printed but do not make the manifest invalid */
  severity?: "error" | "warning";
  /** another place this finding refers to (e.g. the first of two duplicates) */
  related?: Path;
}

type Obj = Record<string, unknown>;
const isObj = (x: unknown): x is Obj => typeof x === "object" && x !== null && !Array.isArray(x);
const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
const str = (x: unknown): string | undefined => (typeof x === "string" ? x : undefined);
const dur = (x: unknown): number | undefined => (typeof x === "string" ? (parseDuration(x) ?? undefined) : undefined);

function services(m: Obj): [Obj, number][] {
  return arr(m.services).flatMap((s, i) => (isObj(s) ? [[s, i] as [Obj, number]] : []));
}
function peers(m: Obj): [Obj, number][] {
  return arr(m.peers).flatMap((p, i) => (isObj(p) ? [[p, i] as [Obj, number]] : []));
}
function daemonType(m: Obj): string | undefined {
  return typeof m.daemon === "string" ? m.daemon : isObj(m.daemon) ? str(m.daemon.type) : undefined;
}

/** Reserved/special ASNs (RFC 7300, 6996, 5398, 4893): never valid for a host. */
function reservedAsnReason(asn: number): string | undefined {
  if (asn === 0) return "AS 0 is reserved (RFC 7607)";
  if (asn === 23456) return "AS 23456 is AS_TRANS (RFC 6793), not a real ASN";
  if (asn >= 64496 && asn <= 64511) return "64496-64511 are documentation ASNs (RFC 5398)";
  if (asn === 65535) return "AS 65535 is reserved (RFC 7300)";
  if (asn >= 65536 && asn <= 65551) return "65536-65551 are documentation ASNs (RFC 5398)";
  if (asn >= 65552 && asn <= 131071) return "65552-131071 are reserved by IANA";
  if (asn === 4294967295) return "AS 4294967295 is reserved (RFC 7300)";
  return undefined;
}

function asnNotReserved(m: Obj): RuleIssue[] {
  const out: RuleIssue[] = [];
  const check = (v: unknown, path: Path) => {
    if (typeof v !== "number" || !Number.isInteger(v)) return;
    const why = reservedAsnReason(v);
    if (why) out.push({ path, message: `ASN ${v} cannot be used: ${why}`, hint: "private ASNs are 64512-65534 and 4200000000-4294967294" });
  };
  if (isObj(m.router)) check(m.router.asn, ["router", "asn"]);
  for (const [p, i] of peers(m)) check(p.remote_asn, ["peers", i, "remote_asn"]);
  return out;
}

function checkPrefixText(t: unknown, path: Path, out: RuleIssue[]): Prefix | undefined {
  if (typeof t !== "string") return undefined;
  const r = parsePrefix(t);
  if (r.ok) return r.prefix;
  if (r.suggestion) out.push({ path, message: `${t}: ${r.reason}`, hint: `did you mean ${r.suggestion}?` });
  else out.push({ path, message: `${t}: ${r.reason}` });
  return undefined;
}

function prefixesWellFormed(m: Obj): RuleIssue[] {
  const out: RuleIssue[] = [];
  if (isObj(m.policy)) {
    arr(m.policy.allowed_prefixes).forEach((t, j) => {
      const p = checkPrefixText(t, ["policy", "allowed_prefixes", j], out);
      if (p && p.len === 0) {
        out.push({
          path: ["policy", "allowed_prefixes", j],
          message: `${p.text} allows everything, which is no guardrail`,
          hint: "list the address ranges your services really use",
        });
      }
    });
  }
  for (const [s, i] of services(m)) {
    arr(s.prefixes).forEach((t, j) => {
      const p = checkPrefixText(t, ["services", i, "prefixes", j], out);
      if (p && p.len === 0) {
        out.push({ path: ["services", i, "prefixes", j], message: "a service cannot announce a default route" });
      }
    });
  }
  return out;
}

function prefixesInsideAllowed(m: Obj): RuleIssue[] {
  if (!isObj(m.policy)) return [];
  const allowed = arr(m.policy.allowed_prefixes).flatMap((t) => {
    const r = typeof t === "string" ? parsePrefix(t) : null;
    // a /0 "guardrail" is refused by prefixesWellFormed; it must not make everything look allowed
    return r?.ok && r.prefix.len > 0 ? [r.prefix] : [];
  });
  if (allowed.length === 0) return [];
  const out: RuleIssue[] = [];
  for (const [s, i] of services(m)) {
    arr(s.prefixes).forEach((t, j) => {
      const r = typeof t === "string" ? parsePrefix(t) : null;
      if (!r?.ok || r.prefix.len === 0) return;
      if (!allowed.some((a) => prefixContains(a, r.prefix))) {
        out.push({
          path: ["services", i, "prefixes", j],
          message: `${String(t)} is outside policy.allowed_prefixes (${allowed.map((a) => a.text).join(", ")})`,
          hint: "fix the prefix, or widen allowed_prefixes if this host may really announce it",
        });
      }
    });
  }
  return out;
}

function duplicates<T>(items: [T, Path][], what: (v: T) => string, label: string): RuleIssue[] {
  const seen = new Map<string, Path>();
  const out: RuleIssue[] = [];
  for (const [v, path] of items) {
    const key = what(v);
    const first = seen.get(key);
    if (first) out.push({ path, message: `${label} ${key} is used twice`, related: first });
    else seen.set(key, path);
  }
  return out;
}

function uniqueNames(m: Obj): RuleIssue[] {
  const svc = services(m).flatMap(([s, i]) => (typeof s.name === "string" ? [[s.name, ["services", i, "name"]] as [string, Path]] : []));
  const peer = peers(m).flatMap(([p, i]) => (typeof p.name === "string" ? [[p.name, ["peers", i, "name"]] as [string, Path]] : []));
  return [...duplicates(svc, (x) => x, "service name"), ...duplicates(peer, (x) => x, "peer name")];
}

function uniquePrefixes(m: Obj): RuleIssue[] {
  const items: [string, Path][] = [];
  for (const [s, i] of services(m)) {
    arr(s.prefixes).forEach((t, j) => {
      const r = typeof t === "string" ? parsePrefix(t) : null;
      if (r?.ok) items.push([r.prefix.text, ["services", i, "prefixes", j]]);
    });
  }
  return duplicates(items, (x) => x, "prefix");
}

/** services[].peers names peers of this manifest, each once */
function servicePeersKnown(m: Obj): RuleIssue[] {
  const known = peers(m).flatMap(([p]) => (typeof p.name === "string" ? [p.name] : []));
  const out: RuleIssue[] = [];
  for (const [s, i] of services(m)) {
    const items: [string, Path][] = [];
    arr(s.peers).forEach((n, j) => {
      if (typeof n !== "string") return;
      items.push([n, ["services", i, "peers", j]]);
      if (!known.includes(n)) {
        const near = suggestKey(n, known);
        out.push({
          path: ["services", i, "peers", j],
          message: `no peer is named "${n}" (peers: ${known.join(", ")})`,
          hint: near ? `did you mean "${near}"?` : "name a peer from the manifest's `peers`, or add that peer",
        });
      }
    });
    out.push(...duplicates(items, (x) => x, "peer"));
  }
  return out;
}

function peerEndpoints(m: Obj): RuleIssue[] {
  const out: RuleIssue[] = [];
  const items: [string, Path][] = [];
  const dtype = daemonType(m);
  for (const [p, i] of peers(m)) {
    const hasA = p.address !== undefined;
    const hasI = p.interface !== undefined;
    if (hasA === hasI) {
      out.push({
        path: ["peers", i],
        message: hasA ? "give either `address` or `interface`, not both" : "a peer needs `address` (its IP) or `interface` (BGP unnumbered)",
      });
    }
    const ip = typeof p.address === "string" ? parseIP(p.address) : null;
    if (typeof p.address === "string" && !ip) out.push({ path: ["peers", i, "address"], message: `"${p.address}" is not an IPv4 or IPv6 address` });
    if (ip) items.push([`address ${formatIP(ip.family, ip.addr)}`, ["peers", i, "address"]]);
    if (typeof p.interface === "string") {
      items.push([`interface ${p.interface}`, ["peers", i, "interface"]]);
      if (dtype === "bird") {
        out.push({
          path: ["peers", i, "interface"],
          message: "BGP unnumbered (`interface`) peers need FRR; BIRD 2.0 cannot discover the peer on an interface",
          hint: "use daemon: frr, or give the peer's address with `address`",
        });
      }
    }
    if (typeof p.local_address === "string") {
      const la = parseIP(p.local_address);
      if (!la) out.push({ path: ["peers", i, "local_address"], message: `"${p.local_address}" is not an IPv4 or IPv6 address` });
      else if (ip && la.family !== ip.family) {
        out.push({ path: ["peers", i, "local_address"], message: `local_address is IPv${la.family} but the peer address is IPv${ip.family}` });
      }
    }
    if (p.ttl_security === true && p.multihop !== undefined) {
      out.push({
        path: ["peers", i, "ttl_security"],
        message: "ttl_security (GTSM) is for directly connected peers and cannot be combined with multihop",
      });
    }
    if (typeof p.interface === "string" && p.multihop !== undefined) {
      out.push({ path: ["peers", i, "multihop"], message: "an unnumbered peer is directly connected by definition: remove multihop" });
    }
  }
  return [...out, ...duplicates(items, (x) => x, "peer")];
}

function routerIdDerivable(m: Obj): RuleIssue[] {
  if (!isObj(m.router)) return [];
  const out: RuleIssue[] = [];
  const rid = m.router.router_id;
  if (typeof rid === "string") {
    const ip = parseIP(rid);
    if (!ip || ip.family !== 4) out.push({ path: ["router", "router_id"], message: `"${rid}" is not an IPv4 address` });
    else if (ip.addr === 0n) out.push({ path: ["router", "router_id"], message: "router_id 0.0.0.0 is not allowed" });
    return out;
  }
  const hasLocal4 = peers(m).some(([p]) => typeof p.local_address === "string" && parseIP(p.local_address)?.family === 4);
  if (hasLocal4) return out;
  const firstV4 = services(m)
    .flatMap(([s]) => arr(s.prefixes))
    .find((t): t is string => typeof t === "string" && parsePrefix(t).ok && parseIP(t.split("/")[0]!)?.family === 4);
  if (firstV4 === undefined) {
    out.push({
      path: ["router"],
      message: "router_id is missing and cannot be derived (no IPv4 local_address or IPv4 service prefix)",
      hint: "set router.router_id to an IPv4 address unique among your BGP speakers",
    });
  } else {
    out.push({
      path: ["router"],
      severity: "warning",
      message: `router_id not set: using ${firstV4.split("/")[0]!} (the first IPv4 service address)`,
      hint: "set router.router_id explicitly when that address is anycast (shared by several hosts)",
    });
  }
  return out;
}

const wholeSeconds = (v: number | undefined) => v === undefined || v % 1000 === 0;

function timersSane(m: Obj): RuleIssue[] {
  const out: RuleIssue[] = [];
  if (isObj(m.daemon)) {
    const d = dur(m.daemon.route_map_delay);
    if (d !== undefined && (d < 1000 || d > 600_000 || !wholeSeconds(d))) {
      out.push({
        path: ["daemon", "route_map_delay"],
        message: "route_map_delay must be whole seconds between 1s and 600s (0 would stop FRR applying policy changes)",
      });
    }
  }
  for (const [p, i] of peers(m)) {
    const t = isObj(p.timers) ? p.timers : {};
    const ka = dur(t.keepalive);
    const hold = dur(t.hold);
    const cr = dur(t.connect_retry);
    const inRange = { keepalive: ka === undefined || (ka >= 1000 && ka <= 65_535_000), connect_retry: cr === undefined || (cr >= 1000 && cr <= 65_535_000), hold: hold === undefined || hold === 0 || (hold >= 3000 && hold <= 65_535_000) };
    if (!inRange.keepalive) out.push({ path: ["peers", i, "timers", "keepalive"], message: "keepalive must be 1s..65535s" });
    if (!inRange.connect_retry) out.push({ path: ["peers", i, "timers", "connect_retry"], message: "connect_retry must be 1s..65535s" });
    if (!inRange.hold) out.push({ path: ["peers", i, "timers", "hold"], message: "hold must be 0s (no keepalives) or 3s..65535s" });
    for (const [k, v] of [["keepalive", ka], ["hold", hold], ["connect_retry", cr]] as const) {
      if (inRange[k] && !wholeSeconds(v)) out.push({ path: ["peers", i, "timers", k], message: `BGP timers are whole seconds; ${String(t[k])} is not` });
    }
    const effKa = ka ?? 3000;
    const effHold = hold ?? 9000;
    if (effHold !== 0 && effKa * 3 > effHold) {
      out.push({
        path: ["peers", i, "timers", hold !== undefined ? "hold" : "keepalive"],
        message: `hold (${effHold / 1000}s) must be at least 3 × keepalive (${effKa / 1000}s)`,
      });
    }
    if (isObj(p.bfd)) {
      const iv = dur(p.bfd.interval);
      if (iv !== undefined && (iv < 10 || iv > 60_000)) out.push({ path: ["peers", i, "bfd", "interval"], message: "BFD interval must be 10ms..60s" });
    }
  }
  for (const [s, i] of services(m)) {
    const interval = dur(s.interval) ?? D.service.intervalMs;
    const checkTimeouts = arr(s.checks).map((c) => (isObj(c) ? dur(c.timeout) : undefined));
    const timeout = dur(s.timeout) ?? derivedServiceTimeout(interval, checkTimeouts).ms;
    const fast = dur(s.fast_interval);
    if (s.interval !== undefined && interval < 10) out.push({ path: ["services", i, "interval"], message: "interval must be at least 10ms" });
    if (fast !== undefined && (fast < 10 || fast > interval)) {
      out.push({ path: ["services", i, "fast_interval"], message: `fast_interval must be between 10ms and interval (${str(s.interval) ?? "2s"})` });
    }
    // an unset timeout is derived below the interval (timing.ts): only a written one can be too long
    if (s.timeout !== undefined && timeout >= interval) {
      out.push({
        path: ["services", i, "timeout"],
        message: `timeout (${str(s.timeout) ?? "?"}) must be shorter than interval (${str(s.interval) ?? "2s"}) so runs never overlap`,
        hint: "leave timeout out and svcroute derives one below the interval",
      });
    }
    if (timeout < 1) out.push({ path: ["services", i, "timeout"], message: "timeout must be above 0" });
    const longest = Math.max(s.timeout !== undefined || !arr(s.checks).length ? timeout : 0, ...checkTimeouts.map((t) => t ?? timeout));
    if (fast !== undefined && fast >= 10 && fast <= interval && fast < longest) {
      out.push({
        path: ["services", i, "fast_interval"],
        message: `fast_interval (${String(s.fast_interval)}) must be at least the longest check timeout (${longest} ms): a hung check holds its round that long`,
        hint: "raise fast_interval or lower the timeout",
      });
    }
    arr(s.checks).forEach((c, j) => {
      if (!isObj(c)) return;
      const ct = dur(c.timeout);
      if (ct !== undefined && (ct >= interval || ct < 1)) {
        out.push({ path: ["services", i, "checks", j, "timeout"], message: `a check's timeout must be above 0 and below the service's interval (${str(s.interval) ?? "2s"})` });
      }
    });
    if (isObj(s.flap)) {
      const w = dur(s.flap.window);
      const h = dur(s.flap.hold);
      if (w !== undefined && w < interval) out.push({ path: ["services", i, "flap", "window"], message: "the flap window must be at least one interval" });
      if (h !== undefined && h < 1000) out.push({ path: ["services", i, "flap", "hold"], message: "the flap hold must be at least 1s" });
    }
  }
  if (isObj(m.supervisor)) {
    const rv = dur(m.supervisor.reverify_interval);
    if (rv !== undefined && rv < 1000) out.push({ path: ["supervisor", "reverify_interval"], message: "reverify_interval must be at least 1s" });
    const gg = dur(m.supervisor.guard_grace);
    if (gg !== undefined && gg < 1000) out.push({ path: ["supervisor", "guard_grace"], message: "guard_grace must be at least 1s so a quick restart does not flap routes" });
  }
  return out;
}

function validRegex(v: unknown, path: Path): RuleIssue[] {
  if (typeof v !== "string") return [];
  try {
    new RegExp(v);
    return [];
  } catch (e) {
    return [{ path, message: `not a valid regular expression: ${(e as Error).message}` }];
  }
}

function checksCoherent(m: Obj): RuleIssue[] {
  const out: RuleIssue[] = [];
  for (const [s, i] of services(m)) {
    const checks = arr(s.checks);
    if (s.degraded === "deprefer" && !(isObj(s.combine) || s.combine === "any")) {
      out.push({
        path: ["services", i, "degraded"],
        message: 'degraded: deprefer needs `combine: any` or `{quorum: N}`: with "all", a round with a failed check fails',
      });
    }
    if (isObj(s.combine) && typeof s.combine.quorum === "number" && s.combine.quorum > checks.length) {
      out.push({
        path: ["services", i, "combine", "quorum"],
        message: `quorum ${s.combine.quorum} is more than the ${checks.length} check(s) this service has`,
      });
    }
    if (typeof s.address === "string" && s.address !== "none" && !parseIP(s.address)) out.push({ path: ["services", i, "address"], message: `"${s.address}" is not an IPv4 or IPv6 address` });
    checks.forEach((c, j) => {
      if (!isObj(c)) return;
      if (c.type === "exec") out.push(...absoluteArgv0(c.command, ["services", i, "checks", j, "command"], "checks"));
      if (c.type === "http" && typeof c.url === "string") {
        try {
          const u = new URL(c.url);
          if (u.username || u.password) out.push({ path: ["services", i, "checks", j, "url"], message: "credentials in the URL would leak into logs and status" });
        } catch {
          out.push({ path: ["services", i, "checks", j, "url"], message: `"${c.url}" is not a valid URL` });
        }
        out.push(...validRegex(c.body_regex, ["services", i, "checks", j, "body_regex"]));
      }
      if (c.type === "dns") {
        if (typeof c.server === "string" && !parseIP(c.server)) out.push({ path: ["services", i, "checks", j, "server"], message: `"${c.server}" is not an IP address` });
        const hostPrefix = arr(s.prefixes).some((t) => {
          const r = typeof t === "string" ? parsePrefix(t) : null;
          return r?.ok === true && r.prefix.len === (r.prefix.family === 4 ? 32 : 128);
        });
        if (c.server === undefined && !hostPrefix && !(typeof s.address === "string" && s.address !== "none")) {
          out.push({
            path: ["services", i, "checks", j],
            message: "a dns check without `server` asks the service's address, but this service has no /32 or /128 prefix",
            hint: "set server to the address the DNS service answers on",
          });
        }
        out.push(...validRegex(c.answer_regex, ["services", i, "checks", j, "answer_regex"]));
      }
      if (c.type === "tcp" && typeof c.host === "string" && !parseIP(c.host)) {
        out.push({ path: ["services", i, "checks", j, "host"], message: `"${c.host}" is not an IP address` });
      }
    });
  }
  return out;
}

/** argv[0] of a program (exec check, hook) is an absolute path: svcroute never searches PATH */
function absoluteArgv0(command: unknown, path: Path, what: "checks" | "hooks"): RuleIssue[] {
  const argv0 = arr(command)[0];
  if (typeof argv0 !== "string" || argv0.startsWith("/")) return [];
  return [
    {
      path: [...path, 0],
      message: `"${argv0}" is not an absolute path (${what} never search PATH)`,
      hint: `use the full path, e.g. the output of: command -v ${argv0.replace(/[^A-Za-z0-9._-]/g, "")}`,
    },
  ];
}

function hooksCoherent(m: Obj): RuleIssue[] {
  const out: RuleIssue[] = [];
  const check = (h: unknown, path: Path) => {
    if (!isObj(h)) return;
    out.push(...absoluteArgv0(h.command, [...path, "command"], "hooks"));
    const t = dur(h.timeout);
    if (t !== undefined && (t < 10 || t > 3_600_000)) out.push({ path: [...path, "timeout"], message: "a hook's timeout must be 10ms..1h" });
  };
  if (isObj(m.supervisor)) check(m.supervisor.on_change, ["supervisor", "on_change"]);
  for (const [s, i] of services(m)) check(s.on_change, ["services", i, "on_change"]);
  return out;
}

function communitiesInRange(m: Obj): RuleIssue[] {
  const out: RuleIssue[] = [];
  const check = (t: unknown, path: Path) => {
    if (typeof t !== "string") return;
    const parts = t.split(":").map(Number);
    const max = parts.length === 2 ? 65535 : 4294967295;
    if (parts.some((x) => !Number.isSafeInteger(x) || x > max)) {
      out.push({
        path,
        message: parts.length === 2 ? `${t}: standard community parts are 0..65535` : `${t}: large community parts are 0..4294967295`,
        hint: parts.length === 2 ? "for a 4-byte ASN use a large community GLOBAL:LOCAL1:LOCAL2" : undefined,
      });
    }
  };
  for (const [s, i] of services(m)) {
    arr(s.communities).forEach((c, j) => check(c, ["services", i, "communities", j]));
    if (isObj(s.deprefer)) arr(s.deprefer.communities).forEach((c, j) => check(c, ["services", i, "deprefer", "communities", j]));
  }
  return out;
}

function daemonPaths(m: Obj): RuleIssue[] {
  if (!isObj(m.daemon) || m.daemon.type !== "frr") return [];
  const cf = m.daemon.config_file;
  if (typeof cf === "string" && !cf.endsWith("/frr.conf")) {
    return [
      {
        path: ["daemon", "config_file"],
        message: "for FRR the config file must be named frr.conf (frr-reload.py writes <dir>/frr.conf after every reload)",
        hint: `use ${cf.replace(/\/[^/]*$/, "")}/frr.conf`,
      },
    ];
  }
  return [];
}

function listenAddress(m: Obj): RuleIssue[] {
  if (!isObj(m.supervisor) || typeof m.supervisor.metrics_listen !== "string") return [];
  const t = m.supervisor.metrics_listen;
  const mm = /^\[?([^\]]+)\]?:(\d+)$/.exec(t);
  if (!mm || !parseIP(mm[1]!) || Number(mm[2]) < 1 || Number(mm[2]) > 65535) {
    return [{ path: ["supervisor", "metrics_listen"], message: `"${t}" is not ADDRESS:PORT with a valid address and port` }];
  }
  return [];
}

function peerFamilies(p: Obj): number[] {
  const f = arr(p.families);
  if (f.length) return f.map((x) => (x === "ipv6" ? 6 : 4));
  if (typeof p.interface === "string") return [4, 6];
  if (typeof p.address === "string") return [parseIP(p.address)?.family ?? 4];
  return [];
}

function familiesCovered(m: Obj): RuleIssue[] {
  const famsOf = new Map(peers(m).map(([p]) => [p.name, peerFamilies(p)] as const));
  if (![...famsOf.values()].some((f) => f.length)) return [];
  const out: RuleIssue[] = [];
  for (const [s, i] of services(m)) {
    const chosen = Array.isArray(s.peers) ? s.peers : [...famsOf.keys()];
    const fams = new Set(chosen.flatMap((n) => famsOf.get(n) ?? []));
    const whose = Array.isArray(s.peers) ? "of its peers" : "peer";
    arr(s.prefixes).forEach((t, j) => {
      const r = typeof t === "string" ? parsePrefix(t) : null;
      if (r?.ok && !fams.has(r.prefix.family)) {
        out.push({
          path: ["services", i, "prefixes", j],
          severity: "warning",
          message: `${String(t)} is IPv${r.prefix.family} but no ${whose} carries IPv${r.prefix.family}: it will never be announced`,
          hint: `add "ipv${r.prefix.family}" to a peer's families`,
        });
      }
    });
  }
  return out;
}

/** BIRD refuses BFD on a multihop session without a fixed local address ("Multihop BGP with BFD requires specified local address"). */
function birdMultihopBfd(m: Obj): RuleIssue[] {
  if (daemonType(m) !== "bird") return [];
  return peers(m).flatMap(([p, i]) =>
    p.multihop !== undefined && p.bfd !== undefined && p.bfd !== false && p.local_address === undefined
      ? [{ path: ["peers", i, "local_address"] as Path, message: "BIRD needs local_address for BFD on a multihop session", hint: "set local_address, or turn bfd off for this peer" }]
      : [],
  );
}

const RULES = [
  asnNotReserved,
  prefixesWellFormed,
  prefixesInsideAllowed,
  uniqueNames,
  uniquePrefixes,
  servicePeersKnown,
  peerEndpoints,
  routerIdDerivable,
  timersSane,
  checksCoherent,
  communitiesInRange,
  hooksCoherent,
  daemonPaths,
  listenAddress,
  familiesCovered,
  birdMultihopBfd,
];

export function runRules(m: unknown): RuleIssue[] {
  if (!isObj(m)) return [];
  const out: RuleIssue[] = [];
  for (const rule of RULES) {
    try {
      out.push(...rule(m));
    } catch {
      // A rule tripping over malformed input adds nothing: the schema reports that input.
    }
  }
  return out;
}
