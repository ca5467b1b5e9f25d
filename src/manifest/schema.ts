// The manifest schema: the single source of truth for what a manifest may say. Every field has a
// description (used by `svcroute schema` and the reference in docs/manifest.md) and a strict pattern.
// Default values come from defaults.ts; those that depend on other fields (peer families, the
// router ID) are derived in normalize.ts. The field types are in fields.ts, the checks and hooks
// in schema-checks.ts.
import * as z from "zod";
import "../zod.js";
import { DEFAULTS as D, showDuration as dur } from "./defaults.js";
import { AsnSchema, absPath, address, community, duration, name, prefix } from "./fields.js";
import * as P from "./patterns.js";
import { CheckSchema, HookSchema } from "./schema-checks.js";

// ---------------------------------------------------------------- daemon
const DaemonObjectSchema = z
  .strictObject({
    type: z.enum(["frr", "bird"]).describe("the routing daemon that speaks BGP on this host"),
    config_file: absPath(
      `the config file svcroute owns and writes (FRR: must be named frr.conf; default ${D.daemon.files.frr.configFile}, BIRD: ${D.daemon.files.bird.configFile})`,
    ).optional(),
    socket: absPath(
      `FRR: the vty socket directory (default ${D.daemon.files.frr.socket}); BIRD: the control socket (default ${D.daemon.files.bird.socket})`,
    ).optional(),
    vtysh: absPath(`FRR: the vtysh binary (default ${D.daemon.vtysh})`).optional(),
    frr_reload: absPath(`FRR: frr-reload.py (default ${D.daemon.frrReload}, or the same in /usr/libexec/frr where only that exists, as on RHEL)`).optional(),
    bgpd: absPath(`FRR: the bgpd binary, used for semantic config checks (default ${D.daemon.bgpd}, or the same in /usr/libexec/frr where only that exists, as on RHEL)`).optional(),
    bird: absPath(`BIRD: the bird binary, used for \`bird -p\` config checks (default ${D.daemon.bird})`).optional(),
    birdc: absPath(`BIRD: the birdc binary (default ${D.daemon.birdc})`).optional(),
    route_map_delay: duration(
      `FRR: \`bgp route-map delay-timer\`, how long FRR waits before applying a prefix-list/route-map change (default ${dur(D.daemon.routeMapDelayMs)}; 0s = never, not allowed)`,
    ).optional(),
    log_file: absPath("a log file for the daemon (default: the daemon's own default, syslog)").optional(),
  })
  .describe("the routing daemon and where its files live");

const DaemonSchema = z
  .union([z.enum(["frr", "bird"]), DaemonObjectSchema])
  .describe('the routing daemon: "frr" or "bird", or an object with `type` and path overrides');

// ---------------------------------------------------------------- router
const RouterSchema = z
  .strictObject({
    asn: AsnSchema.describe("this host's own ASN (a private 4-byte ASN per host, 4200000000-4294967294, is the common pattern)"),
    router_id: z
      .string()
      .regex(P.IPV4_TEXT, { error: "expected a router ID in IPv4 dotted-quad form" })
      .describe("BGP router ID (IPv4 form). Default: the first IPv4 `local_address` or IPv4 service address")
      .optional(),
  })
  .describe("this host's BGP identity");

// ---------------------------------------------------------------- peers
const BfdSchema = z
  .union([
    z.boolean(),
    z.strictObject({
      interval: duration(`BFD transmit and receive interval (default ${dur(D.peer.bfdIntervalMs)})`).optional(),
      multiplier: z.int().min(2).max(255).describe(`missed BFD packets before the session is down (default ${D.peer.bfdMultiplier})`).optional(),
    }),
  ])
  .describe("BFD for fast failure detection: true, false, or {interval, multiplier}");

const TimersSchema = z
  .strictObject({
    keepalive: duration(`BGP keepalive interval (default ${dur(D.peer.keepaliveMs)})`).optional(),
    hold: duration(`BGP hold time, 0s or ≥ 3s and ≥ 3 × keepalive (default ${dur(D.peer.holdMs)})`).optional(),
    connect_retry: duration(`delay between connection attempts (default ${dur(D.peer.connectRetryMs)})`).optional(),
  })
  .describe("BGP session timers");

export const PeerSchema = z
  .strictObject({
    name: name("a name for this peer, e.g. the ToR switch's name"),
    address: address.describe("the peer's IP address (IPv4 or IPv6); exactly one of address or interface").optional(),
    interface: z
      .string()
      .regex(P.IFNAME, { error: "expected a Linux interface name (1-15 of A-Z a-z 0-9 . _ -)" })
      .describe("BGP unnumbered: peer over this interface's IPv6 link-local address (FRR only)")
      .optional(),
    remote_asn: z
      .union([AsnSchema, z.enum(["external", "internal"])])
      .describe('the peer\'s ASN, or "external" (any ASN but ours) / "internal" (same ASN)'),
    local_address: address.describe("source address for the session (default: chosen by the kernel)").optional(),
    password_file: absPath(
      "a file holding the TCP-MD5 password (mode 0600/0640, one line); the password is never logged or printed",
    ).optional(),
    bfd: BfdSchema.optional(),
    timers: TimersSchema.optional(),
    ttl_security: z
      .boolean()
      .describe(`GTSM (RFC 5082): accept only packets from a directly connected peer; the ToR must enable it too (default ${D.peer.ttlSecurity})`)
      .optional(),
    multihop: z
      .int()
      .min(2)
      .max(255)
      .describe("eBGP multihop TTL for a peer that is not directly connected (excludes ttl_security)")
      .optional(),
    families: z
      .array(z.enum(["ipv4", "ipv6"]))
      .min(1)
      .max(2)
      .describe("address families on this session (default: the family of `address`; both for `interface` peers)")
      .optional(),
    graceful_restart: z
      .boolean()
      .describe("BGP graceful restart; off by default because it keeps a dead host's routes alive for the restart time")
      .optional(),
  })
  .describe("a BGP neighbour (usually a top-of-rack switch)");

// ---------------------------------------------------------------- policy
const PolicySchema = z
  .strictObject({
    allowed_prefixes: z
      .array(prefix)
      .min(1)
      .describe("guardrail: the only space this host may ever announce; every service prefix must lie inside one of these"),
    accept: z
      .enum(["none", "default-only"])
      .describe('what the host accepts from peers: "none", or "default-only" (a default route, installed as ECMP across peers)')
      .optional(),
    max_prefix: z
      .int()
      .min(1)
      .max(1000)
      .describe(`per peer and family, the most prefixes accepted before the session is shut (default ${D.policy.maxPrefix})`)
      .optional(),
  })
  .describe("guardrails that hold whatever the services say");

/** route attributes: those of a healthy service (its own fields) and of a de-preferred one (`deprefer`) */
const attributeFields = (prependDefault: number, what: string) => ({
  as_path_prepend: z.int().min(0).max(10).describe(`how many times to prepend our ASN ${what} (default ${prependDefault})`).optional(),
  med: z.int().min(0).max(4294967295).describe(`MED ${what} (default: none)`).optional(),
  local_preference: z.int().min(0).max(4294967295).describe(`LOCAL_PREF ${what}; only iBGP peers receive it (default: none)`).optional(),
  communities: z.array(community).max(16).describe(`communities, standard or large, added ${what} (default: none)`).optional(),
});

const DepreferSchema = z
  .strictObject(attributeFields(D.service.asPathPrepend, "while de-preferred"))
  .describe(
    "how a de-preferred prefix is announced (on_failure: deprefer, degraded: deprefer, and role: standby while healthy, beside the service's own attributes); drain also adds GRACEFUL_SHUTDOWN 65535:0",
  );

const FlapSchema = z
  .strictObject({
    max_transitions: z.int().min(2).max(1000).describe(`more than this many transitions within \`window\` ... (default ${D.service.flap.maxTransitions})`).optional(),
    window: duration(`... within this window ... (default ${dur(D.service.flap.windowMs)})`).optional(),
    hold: duration(`... keeps the service DOWN for this long (default ${dur(D.service.flap.holdMs)})`).optional(),
  })
  .describe("flap hold-down: a service that changes state too often is held DOWN");

export const ServiceSchema = z
  .strictObject({
    name: name("the service's name (unique across all manifest files)"),
    prefixes: z
      .array(prefix)
      .min(1)
      .max(4096)
      .describe("the prefixes announced while the service is healthy (usually /32 and /128)"),
    peers: z
      .array(name("the name of a peer under `peers`"))
      .min(1)
      .max(64)
      .describe("announce this service only to these peers (by name); every other peer never receives its prefixes, whatever the health, drain or reload (default: every peer)")
      .optional(),
    checks: z.array(CheckSchema).max(32).describe("health checks; none means always healthy").optional(),
    combine: z
      .union([z.enum(["all", "any"]), z.strictObject({ quorum: z.int().min(1).max(32).describe("how many checks must pass") })])
      .describe('how check results combine: "all" (default), "any", or {quorum: N}')
      .optional(),
    interval: duration(`time between checks while steady (default ${dur(D.service.intervalMs)})`).optional(),
    fast_interval: duration("time between checks while RISING or FALLING; at least the longest check timeout (default: interval / 4, raised to that timeout)").optional(),
    timeout: duration(
      `default time limit of one check run; must be below interval (default: the longest check timeout when every check sets one, else ${dur(D.service.timeoutMs)} or half the interval when that is shorter)`,
    ).optional(),
    rise: z.int().min(1).max(100).describe(`consecutive successes before UP (default ${D.service.rise})`).optional(),
    fall: z.int().min(1).max(100).describe(`consecutive failures before DOWN (default ${D.service.fall})`).optional(),
    initial: z
      .enum(["down", "up"])
      .describe('state at start: "down" (default: announce only after `rise` successes) or "up"')
      .optional(),
    flap: FlapSchema.optional(),
    on_failure: z
      .enum(["withdraw", "deprefer"])
      .describe('when DOWN: "withdraw" the prefixes (default) or keep them, "deprefer"red')
      .optional(),
    deprefer: DepreferSchema.optional(),
    degraded: z
      .enum(["announce", "deprefer"])
      .describe(
        'when a round passes by `combine` (any, or a quorum) with some checks failing: "announce" as usual (default) or "deprefer" — announced with the `deprefer` attributes and shown as DEGRADED',
      )
      .optional(),
    ...attributeFields(0, "while healthy"),
    role: z
      .enum(["primary", "standby"])
      .describe(
        `"primary" (default): announced with its own attributes while healthy; "standby": announced while healthy with its \`deprefer\` attributes added (default ${D.service.asPathPrepend} prepends), so traffic moves to it only when every primary withdraws`,
      )
      .optional(),
    on_change: HookSchema.describe("run a program when this service's health state changes (instead of supervisor.on_change)").optional(),
    address: z
      .union([address, z.literal("none")])
      .describe(
        'the address that must be configured on this host (any interface) for the service to be announced; default: the address of each /32 or /128 prefix. "none": announce without one (a prefix routed to something behind this host)',
      )
      .optional(),
  })
  .describe("a service: prefixes announced while its checks pass");

// ---------------------------------------------------------------- host-level blocks
const AddressesSchema = z
  .strictObject({
    interface: z
      .string()
      .regex(P.IFNAME, { error: "expected a Linux interface name" })
      .describe(`the interface service addresses live on (default "${D.addresses.interface}")`)
      .optional(),
    manage: z
      .boolean()
      .describe(`put each service address on the interface at start (and remove it only after its withdrawal); default ${D.addresses.manage}`)
      .optional(),
  })
  .describe("where the service addresses live");

const MaintenanceSchema = z
  .strictObject({
    drain_file: absPath(`while this file exists every service is drained (default ${D.maintenance.drainFile})`).optional(),
    drain_wait: duration(`how long a drained prefix stays de-preferred before it is withdrawn (default ${dur(D.maintenance.drainWaitMs)})`).optional(),
  })
  .describe("maintenance: drain the host gracefully");

const SupervisorSchema = z
  .strictObject({
    status_socket: absPath(`unix socket for /status and /metrics (default ${D.supervisor.statusSocket})`).optional(),
    metrics_listen: z
      .string()
      .regex(P.LISTEN, { error: 'expected "ADDRESS:PORT", e.g. "127.0.0.1:9473"' })
      .describe("optional TCP address for Prometheus (loopback unless you mean otherwise)")
      .optional(),
    state_dir: absPath(`where state that survives restarts lives (default ${D.supervisor.stateDir})`).optional(),
    on_stop: z
      .enum(["withdraw", "keep"])
      .describe('on a clean stop: "withdraw" every prefix gracefully (default) or "keep" them')
      .optional(),
    stop_grace: duration(`graceful-shutdown community is announced this long before withdrawal on stop (default ${dur(D.supervisor.stopGraceMs)})`).optional(),
    guard_grace: duration(`after the supervisor dies, its routes are withdrawn unless a new one starts within this (default ${dur(D.supervisor.guardGraceMs)})`).optional(),
    reverify_interval: duration(`how often the running state is checked against the desired one (default ${dur(D.supervisor.reverifyIntervalMs)})`).optional(),
    on_change: HookSchema.describe("run a program when any service's health state changes (a service's own on_change replaces it)").optional(),
  })
  .describe("the supervisor (`svcroute run`)");

export const ManifestSchema = z
  .strictObject({
    version: z.literal(1).describe("manifest format version; always 1"),
    daemon: DaemonSchema,
    router: RouterSchema,
    peers: z.array(PeerSchema).min(1).max(64).describe("BGP neighbours"),
    policy: PolicySchema,
    services: z.array(ServiceSchema).max(100_000).describe("services and their prefixes").optional(),
    addresses: AddressesSchema.optional(),
    maintenance: MaintenanceSchema.optional(),
    supervisor: SupervisorSchema.optional(),
  })
  .describe("svcroute manifest: what this host announces over BGP, to whom, and when");

export type RawManifest = z.infer<typeof ManifestSchema>;
export type RawService = z.infer<typeof ServiceSchema>;
export type RawPeer = z.infer<typeof PeerSchema>;
export type RawCheck = z.infer<typeof CheckSchema>;
export type RawHook = z.infer<typeof HookSchema>;
