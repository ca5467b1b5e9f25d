// Raw (schema-valid, rule-checked) manifest → normalised Manifest with every default resolved.
// Pure. Assumes rules.ts passed, so parse failures here are bugs.
import { createHash } from "node:crypto";
import { DEFAULTS as D } from "./defaults.js";
import { mustParseDuration } from "./duration.js";
import { canonicalIP, comparePrefixes, formatIP, mustParsePrefix, parseIP, type Family } from "./ip.js";
import type { RawCheck, RawHook, RawManifest, RawPeer, RawService } from "./schema.js";
import { derivedServiceTimeout } from "./timing.js";
import type { Attributes, CheckSpec, Combine, DaemonConfig, Hook, Manifest, Peer, Service } from "./types.js";

const ms = (v: string | undefined, dflt: number) => (v === undefined ? dflt : mustParseDuration(v));

/** which files exist on this host (the loader passes the real check; pure callers none) */
export type Installed = (path: string) => boolean;

/** FRR's daemons: /usr/lib/frr on Debian and Ubuntu (the default), /usr/libexec/frr on RHEL */
export function frrTool(debian: string, installed: Installed): string {
  const rhel = debian.replace(/^\/usr\/lib\/frr\//, "/usr/libexec/frr/");
  return !installed(debian) && installed(rhel) ? rhel : debian;
}

export function normalizeDaemon(raw: RawManifest["daemon"], installed: Installed = () => false): DaemonConfig {
  const d = typeof raw === "string" ? { type: raw } : raw;
  const base = D.daemon.files[d.type];
  return {
    type: d.type,
    configFile: d.config_file ?? base.configFile,
    socket: d.socket ?? base.socket,
    vtysh: d.vtysh ?? D.daemon.vtysh,
    frrReload: d.frr_reload ?? frrTool(D.daemon.frrReload, installed),
    bgpd: d.bgpd ?? frrTool(D.daemon.bgpd, installed),
    bird: d.bird ?? D.daemon.bird,
    birdc: d.birdc ?? D.daemon.birdc,
    routeMapDelayMs: ms(d.route_map_delay, D.daemon.routeMapDelayMs),
    logFile: d.log_file,
  };
}

function peerFamilies(p: RawPeer): Family[] {
  if (p.families) return [...new Set(p.families)].sort().map((f) => (f === "ipv4" ? 4 : 6));
  if (p.interface !== undefined) return [4, 6];
  const ip = p.address === undefined ? null : parseIP(p.address);
  return [ip?.family ?? 4];
}

function normalizePeer(p: RawPeer): Peer {
  const bfd =
    p.bfd === undefined || p.bfd === false
      ? undefined
      : p.bfd === true
        ? { intervalMs: D.peer.bfdIntervalMs, multiplier: D.peer.bfdMultiplier }
        : { intervalMs: ms(p.bfd.interval, D.peer.bfdIntervalMs), multiplier: p.bfd.multiplier ?? D.peer.bfdMultiplier };
  return {
    name: p.name,
    address: p.address === undefined ? undefined : (canonicalIP(p.address) ?? p.address),
    interface: p.interface,
    remoteAsn: p.remote_asn,
    localAddress: p.local_address === undefined ? undefined : (canonicalIP(p.local_address) ?? p.local_address),
    passwordFile: p.password_file,
    bfd,
    keepaliveMs: ms(p.timers?.keepalive, D.peer.keepaliveMs),
    holdMs: ms(p.timers?.hold, D.peer.holdMs),
    connectRetryMs: ms(p.timers?.connect_retry, D.peer.connectRetryMs),
    // off by default: GTSM works only when the ToR enables it too, and a one-sided GTSM never connects
    ttlSecurity: p.ttl_security ?? D.peer.ttlSecurity,
    multihop: p.multihop,
    families: peerFamilies(p),
    gracefulRestart: p.graceful_restart ?? D.peer.gracefulRestart,
  };
}

/**
 * The addresses that must be on the host for the service to be announced: `address`, else the
 * address of every /32 or /128 prefix; none with `address: none` (a routed-only prefix).
 */
function requiredAddresses(s: RawService): string[] {
  if (s.address === "none") return [];
  if (s.address !== undefined) return [canonicalIP(s.address)!];
  const hosts = s.prefixes.map(mustParsePrefix).filter((p) => p.len === (p.family === 4 ? 32 : 128));
  return [...new Set(hosts.sort(comparePrefixes).map((p) => formatIP(p.family, p.addr)))];
}

/** the service's address: `address`, else its first /32 or /128 prefix's (rules.ts refuses a dns check without a server when there is none) */
function firstServiceAddress(s: RawService): string {
  if (s.address !== undefined && s.address !== "none") return requiredAddresses(s)[0]!;
  const host = s.prefixes.map(mustParsePrefix).find((p) => p.len === (p.family === 4 ? 32 : 128));
  return host ? formatIP(host.family, host.addr) : "";
}

function normalizeCheck(c: RawCheck, index: number, serviceTimeout: number, serviceAddress: string): CheckSpec {
  const common = { name: c.name ?? `${c.type}-${index}`, timeoutMs: ms(c.timeout, serviceTimeout) };
  switch (c.type) {
    case "exec":
      return { ...common, type: "exec", command: c.command, user: c.user ?? D.check.user, userFromManifest: c.user !== undefined, group: c.group, env: Object.fromEntries(Object.entries(c.env ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))), cwd: c.cwd ?? D.check.cwd };
    case "http":
      return {
        ...common,
        type: "http",
        url: c.url,
        method: c.method ?? D.check.method,
        expectStatus: c.expect_status ?? [...D.check.expectStatus],
        bodyRegex: c.body_regex,
        hostHeader: c.host_header,
        tlsVerify: c.tls_verify ?? D.check.tlsVerify,
      };
    case "tcp":
      return { ...common, type: "tcp", host: canonicalIP(c.host) ?? c.host, port: c.port, send: c.send, expect: c.expect };
    case "file":
      return { ...common, type: "file", path: c.path, healthyWhen: c.healthy_when ?? D.check.healthyWhen };
    case "dns":
      return {
        ...common,
        type: "dns",
        query: c.query,
        record: c.record ?? D.check.dnsRecord,
        server: c.server === undefined ? serviceAddress : (canonicalIP(c.server) ?? c.server),
        port: c.port ?? D.check.dnsPort,
        transport: c.transport ?? D.check.dnsTransport,
        expectRcodes: [...new Set(c.expect_rcode ?? D.check.dnsRcodes)],
        answerRegex: c.answer_regex,
        recursion: c.recursion ?? D.check.dnsRecursion,
      };
  }
}

/**
 * interval / 4, but never below the longest check timeout: runs of one check never overlap, so a
 * hung check holds its round for the whole timeout and a shorter fast interval would be fiction.
 */
function defaultFastInterval(intervalMs: number, longestTimeoutMs: number): number {
  return Math.min(intervalMs, Math.max(100, Math.floor(intervalMs / 4), longestTimeoutMs));
}

function normalizeCombine(c: RawService["combine"] = D.service.combine): Combine {
  if (c === "all" || c === "any") return { kind: c };
  return { kind: "quorum", n: c.quorum };
}

function normalizeHook(h: RawHook | undefined): Hook | undefined {
  if (!h) return undefined;
  return {
    command: h.command,
    user: h.user ?? D.check.user,
    userFromManifest: h.user !== undefined,
    group: h.group,
    env: h.env ?? {},
    timeoutMs: ms(h.timeout, D.hook.timeoutMs),
    when: [...new Set(h.when ?? D.hook.when)],
  };
}

function attributes(a: { as_path_prepend?: number; med?: number; local_preference?: number; communities?: string[] }, prependDefault: number): Attributes {
  return { asPathPrepend: a.as_path_prepend ?? prependDefault, med: a.med, localPref: a.local_preference, communities: [...new Set(a.communities ?? [])].sort() };
}

function normalizeService(s: RawService, source: string, supervisorHook: Hook | undefined, peerNames: string[]): Service {
  const intervalMs = ms(s.interval, D.service.intervalMs);
  const derived = derivedServiceTimeout(intervalMs, (s.checks ?? []).map((c) => (c.timeout === undefined ? undefined : mustParseDuration(c.timeout))));
  const timeoutMs = s.timeout === undefined ? derived.ms : mustParseDuration(s.timeout);
  const checks = (s.checks ?? []).map((c, i) => normalizeCheck(c, i, timeoutMs, firstServiceAddress(s)));
  const longest = Math.max(timeoutMs, ...checks.map((c) => c.timeoutMs));
  return {
    name: s.name,
    prefixes: s.prefixes.map(mustParsePrefix).sort(comparePrefixes),
    peers: s.peers === undefined ? peerNames : peerNames.filter((p) => s.peers!.includes(p)),
    checks,
    combine: normalizeCombine(s.combine),
    intervalMs,
    fastIntervalMs: ms(s.fast_interval, defaultFastInterval(intervalMs, longest)),
    timeoutMs,
    timeoutSource: s.timeout === undefined ? derived.source : "manifest",
    rise: s.rise ?? D.service.rise,
    fall: s.fall ?? D.service.fall,
    initial: s.initial ?? D.service.initial,
    flap: {
      maxTransitions: s.flap?.max_transitions ?? D.service.flap.maxTransitions,
      windowMs: ms(s.flap?.window, D.service.flap.windowMs),
      holdMs: ms(s.flap?.hold, D.service.flap.holdMs),
    },
    onFailure: s.on_failure ?? D.service.onFailure,
    degraded: s.degraded ?? D.service.degraded,
    deprefer: attributes(s.deprefer ?? {}, D.service.asPathPrepend),
    healthy: attributes(s, 0),
    role: s.role ?? D.service.role,
    onChange: normalizeHook(s.on_change) ?? supervisorHook,
    addresses: requiredAddresses(s),
    source,
  };
}

/** The router ID the config will use: explicit, else the first IPv4 local address, else the first IPv4 service address. */
function deriveRouterId(raw: RawManifest): string | undefined {
  if (raw.router.router_id) return raw.router.router_id;
  for (const p of raw.peers) {
    if (p.local_address && parseIP(p.local_address)?.family === 4) return p.local_address;
  }
  for (const s of raw.services ?? []) {
    for (const t of s.prefixes) {
      const pr = mustParsePrefix(t);
      if (pr.family === 4) return t.split("/")[0];
    }
  }
  return undefined;
}

/** `serviceSources[i]` is the file that services[i] came from. */
export function normalize(raw: RawManifest, files: string[], serviceSources: string[], installed?: Installed): Manifest {
  const supervisorHook = normalizeHook(raw.supervisor?.on_change);
  const peerNames = raw.peers.map((p) => p.name);
  const services = (raw.services ?? []).map((s, i) => normalizeService(s, serviceSources[i] ?? files[0] ?? "", supervisorHook, peerNames));
  services.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const m: Omit<Manifest, "hash"> = {
    version: 1,
    daemon: normalizeDaemon(raw.daemon, installed),
    router: { asn: raw.router.asn, routerId: deriveRouterId(raw) },
    peers: raw.peers.map(normalizePeer),
    policy: {
      allowed: raw.policy.allowed_prefixes.map(mustParsePrefix).sort(comparePrefixes),
      accept: raw.policy.accept ?? D.policy.accept,
      maxPrefix: raw.policy.max_prefix ?? D.policy.maxPrefix,
    },
    services,
    addresses: { interface: raw.addresses?.interface ?? D.addresses.interface, manage: raw.addresses?.manage ?? D.addresses.manage },
    maintenance: {
      drainFile: raw.maintenance?.drain_file ?? D.maintenance.drainFile,
      drainWaitMs: ms(raw.maintenance?.drain_wait, D.maintenance.drainWaitMs),
    },
    supervisor: {
      statusSocket: raw.supervisor?.status_socket ?? D.supervisor.statusSocket,
      metricsListen: raw.supervisor?.metrics_listen,
      stateDir: raw.supervisor?.state_dir ?? D.supervisor.stateDir,
      onStop: raw.supervisor?.on_stop ?? D.supervisor.onStop,
      stopGraceMs: ms(raw.supervisor?.stop_grace, D.supervisor.stopGraceMs),
      guardGraceMs: ms(raw.supervisor?.guard_grace, D.supervisor.guardGraceMs),
      reverifyIntervalMs: ms(raw.supervisor?.reverify_interval, D.supervisor.reverifyIntervalMs),
    },
    files,
  };
  // The hash ignores where things came from, so moving a service between files changes nothing.
  // Every object above is built here, its keys in the order written (a map the manifest supplies
  // is sorted), so plain JSON is canonical: a key-sorting serialiser took 4x as long for 10,000
  // services.
  const { files: _f, ...content } = m;
  const forHash = { ...content, services: content.services.map(({ source: _s, ...rest }) => rest) };
  const hash = createHash("sha256")
    .update(JSON.stringify(forHash, (_k, x: unknown) => (typeof x === "bigint" ? x.toString() : x)))
    .digest("hex");
  return { ...m, hash };
}
