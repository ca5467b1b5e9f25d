// fast-check generators of valid raw manifests (plain data, as a YAML file would hold) and of
// health inputs for them.
import fc from "fast-check";
import type { HealthInput } from "../../../src/core/desired.js";

const slug = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}[a-z0-9]$/).filter((s) => !s.includes("--"));
const privateAsn = fc.oneof(fc.integer({ min: 64512, max: 65534 }), fc.integer({ min: 4200000000, max: 4294967294 }));
const secs = (min: number, max: number) => fc.integer({ min, max }).map((n) => `${n}s`);
const stdCommunity = fc.tuple(fc.integer({ min: 0, max: 65535 }), fc.integer({ min: 0, max: 65535 })).map(([a, b]) => `${a}:${b}`);
const largeCommunity = fc.tuple(fc.integer({ min: 0, max: 4294967295 }), fc.nat(), fc.nat()).map(([a, b, c]) => `${a}:${b}:${c}`);
const community = fc.oneof(stdCommunity, largeCommunity);
const PASSWORD_FILES = ["/etc/svcroute/secrets/tor1.key", "/etc/svcroute/secrets/shared.key"];

const V4_POOL = [...Array(200).keys()].map((i) => `192.0.2.${i + 1}/32`).concat(["198.51.100.0/25", "198.51.100.128/26", "198.51.100.200/32"]);
const V6_POOL = [...Array(200).keys()].map((i) => `2001:db8:100::${(i + 1).toString(16)}/128`).concat(["2001:db8:100:1::/64"]);

interface PeerSpec {
  kind: "v4" | "v6" | "if";
  remote: number | "external" | "internal";
  local: boolean;
  password: number | null;
  bfd: boolean | { interval?: string; multiplier?: number };
  timers: { keepalive: number; hold: number; connect: number } | null;
  multihop: number | null;
  ttl: boolean | null;
  families: ("ipv4" | "ipv6")[] | null;
  gr: boolean | null;
  /** write `bfd: false` out rather than leaving the key away */
  bfdExplicit: boolean;
}

const peerSpec = (allowInterface: boolean): fc.Arbitrary<PeerSpec> =>
  fc.record({
    kind: allowInterface ? fc.constantFrom<"v4" | "v6" | "if">("v4", "v6", "if") : fc.constantFrom<"v4" | "v6" | "if">("v4", "v6"),
    remote: fc.oneof(privateAsn, fc.constantFrom<"external" | "internal">("external", "internal")),
    local: fc.boolean(),
    password: fc.option(fc.integer({ min: 0, max: 1 })),
    bfd: fc.oneof(
      fc.boolean(),
      fc.record({ interval: fc.integer({ min: 10, max: 2000 }).map((n) => `${n}ms`), multiplier: fc.integer({ min: 2, max: 255 }) }, { requiredKeys: [] }),
    ),
    timers: fc.option(
      fc.integer({ min: 1, max: 60 }).chain((keepalive) =>
        fc.record({
          keepalive: fc.constant(keepalive),
          hold: fc.oneof(fc.constant(0), fc.integer({ min: Math.max(3, keepalive * 3), max: Math.max(3, keepalive * 3) + 300 })),
          connect: fc.integer({ min: 1, max: 300 }),
        }),
      ),
    ),
    multihop: fc.option(fc.integer({ min: 2, max: 255 })),
    ttl: fc.option(fc.boolean()),
    families: fc.option(fc.constantFrom<("ipv4" | "ipv6")[]>(["ipv4"], ["ipv6"], ["ipv4", "ipv6"])),
    gr: fc.option(fc.boolean()),
    bfdExplicit: fc.boolean(),
  });

function peerData(p: PeerSpec, i: number, name: string): Record<string, unknown> {
  const out: Record<string, unknown> = { name, remote_asn: p.remote };
  if (p.kind === "if") out.interface = `eth${i}`;
  else out.address = p.kind === "v4" ? `169.254.${i}.1` : `fd00:${i + 1}::1`;
  const multihop = p.kind === "if" ? null : p.multihop;
  // BIRD needs a fixed local address for BFD on multihop sessions (a manifest rule)
  if (p.kind !== "if" && (p.local || (multihop !== null && p.bfd !== false))) out.local_address = p.kind === "v4" ? `169.254.${i}.2` : `fd00:${i + 1}::2`;
  if (p.password !== null) out.password_file = PASSWORD_FILES[p.password];
  if (p.bfd !== false || p.bfdExplicit) out.bfd = p.bfd;
  if (p.timers) out.timers = { keepalive: `${p.timers.keepalive}s`, hold: `${p.timers.hold}s`, connect_retry: `${p.timers.connect}s` };
  if (multihop !== null) out.multihop = multihop;
  if (p.ttl !== null && !(p.ttl && multihop !== null)) out.ttl_security = p.ttl;
  if (p.families) out.families = p.families;
  if (p.gr !== null) out.graceful_restart = p.gr;
  return out;
}

const serviceSpec = fc.record({
  v4: fc.integer({ min: 0, max: 3 }),
  v6: fc.integer({ min: 0, max: 2 }),
  onFailure: fc.option(fc.constantFrom("withdraw", "deprefer")),
  deprefer: fc.option(
    fc.record({ as_path_prepend: fc.integer({ min: 0, max: 10 }), med: fc.nat(), communities: fc.uniqueArray(community, { maxLength: 4 }) }, { requiredKeys: [] }),
  ),
  communities: fc.option(fc.uniqueArray(community, { maxLength: 4 })),
});

export interface Generated {
  data: Record<string, unknown>;
  health: HealthInput;
}

/** A raw manifest that passes the schema and every rule, plus a health input for it. */
export function validManifest(opts: { daemon?: "frr" | "bird" } = {}): fc.Arbitrary<Generated> {
  const daemonArb = opts.daemon ? fc.constant(opts.daemon) : fc.constantFrom<"frr" | "bird">("frr", "bird");
  return daemonArb.chain((daemon) =>
    fc
      .record({
        asn: privateAsn,
        peers: fc.array(peerSpec(daemon === "frr"), { minLength: 1, maxLength: 4 }),
        peerNames: fc.uniqueArray(slug, { minLength: 4, maxLength: 4 }),
        services: fc.array(serviceSpec, { maxLength: 8 }),
        serviceNames: fc.uniqueArray(slug, { minLength: 8, maxLength: 8 }),
        v4: fc.shuffledSubarray(V4_POOL, { minLength: 24, maxLength: 24 }),
        v6: fc.shuffledSubarray(V6_POOL, { minLength: 16, maxLength: 16 }),
        accept: fc.option(fc.constantFrom("none", "default-only")),
        maxPrefix: fc.option(fc.integer({ min: 1, max: 1000 })),
        delay: fc.option(secs(1, 600)),
        logFile: fc.option(fc.constantFrom("/var/log/svcroute/daemon.log", "/tmp/x.log")),
        health: fc.array(fc.constantFrom<"up" | "down" | "drain" | "absent">("up", "down", "drain", "absent"), { minLength: 8, maxLength: 8 }),
        drainAll: fc.boolean(),
      })
      .map((g): Generated => {
        let v4 = 0;
        let v6 = 0;
        const services = g.services
          .map((s, i) => {
            const prefixes = [...g.v4.slice(v4, (v4 += s.v4)), ...g.v6.slice(v6, (v6 += s.v6))];
            const out: Record<string, unknown> = { name: g.serviceNames[i], prefixes };
            if (s.onFailure) out.on_failure = s.onFailure;
            if (s.deprefer) out.deprefer = s.deprefer;
            if (s.communities) out.communities = s.communities;
            return out;
          })
          .filter((s) => (s.prefixes as string[]).length > 0);
        const data: Record<string, unknown> = {
          version: 1,
          daemon: g.delay || g.logFile ? { type: daemon, ...(g.delay ? { route_map_delay: g.delay } : {}), ...(g.logFile ? { log_file: g.logFile } : {}) } : daemon,
          router: { asn: g.asn, router_id: "192.0.2.254" },
          peers: g.peers.map((p, i) => peerData(p, i, g.peerNames[i]!)),
          policy: {
            allowed_prefixes: ["192.0.2.0/24", "198.51.100.0/24", "2001:db8:100::/48"],
            ...(g.accept ? { accept: g.accept } : {}),
            ...(g.maxPrefix ? { max_prefix: g.maxPrefix } : {}),
          },
          services,
        };
        const health: HealthInput = { services: {}, drained: g.drainAll ? "all" : [] };
        services.forEach((s, i) => {
          const h = g.health[i]!;
          if (h === "up" || h === "down") health.services[s.name as string] = h;
          if (h === "drain" && health.drained !== "all") health.drained.push(s.name as string);
        });
        return { data, health };
      }),
  );
}

/** strings that try to end a statement, open or close a block, start a comment or quote */
export const hostileString: fc.Arbitrary<string> = fc
  .tuple(
    fc.string({ maxLength: 12 }),
    fc.constantFrom("\n", "\r\n", ";", "}", "{", '"', "'", "!", "#", "\u2028", "\u2029", "\u0000", "\\", " ", "\t", "\nexit\n", "\n protocol bgp x {", "; }\n", "\n!\nrouter bgp 1\n"),
    fc.string({ maxLength: 12 }),
    fc.boolean(),
  )
  .map(([a, bad, b, long]) => (long ? `${a}${bad}${b}${"x".repeat(5000)}` : `${a}${bad}${b}`));
