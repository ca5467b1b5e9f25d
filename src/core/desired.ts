// Manifest + health → what each service and prefix should announce, and with which attributes.
// Pure. The renderer and (later) the supervisor's fast path both read this one decision.
import { createHash } from "node:crypto";
import type { Family } from "../manifest/ip.js";
import type { Attributes, Manifest, Service } from "../manifest/types.js";
import { isAllowed } from "./policy.js";

/** "unknown": not decided yet (a service that just started): never announced; "degraded": up, with some checks failing (degraded: deprefer) */
export type HealthState = "up" | "degraded" | "down" | "unknown";

/** The health the renderer is asked to reflect. A service absent from `services` counts as up. */
export interface HealthInput {
  services: Record<string, HealthState>;
  drained: "all" | string[];
}

export const ALL_UP: HealthInput = Object.freeze({ services: Object.freeze({}) as Record<string, HealthState>, drained: [] });

export type Announce = "normal" | "deprefer" | "graceful-shutdown" | "withdrawn";

/** RFC 8326 GRACEFUL_SHUTDOWN well-known community. */
export const GRACEFUL_SHUTDOWN = "65535:0";

export interface RouteAttrs {
  /** extra copies of our ASN prepended to the AS path */
  prepend: number;
  med: number | null;
  /** LOCAL_PREF (iBGP peers only receive it) */
  localPref: number | null;
  /** standard communities "A:B", sorted, unique */
  communities: string[];
  /** large communities "G:L1:L2", sorted, unique */
  largeCommunities: string[];
}

export interface PrefixDesired {
  text: string;
  family: Family;
  /** false when the prefix lies outside policy.allowed_prefixes: never exported, whatever the health */
  allowed: boolean;
  announce: Announce;
}

export interface ServiceDesired {
  name: string;
  health: HealthState;
  drained: boolean;
  announce: Announce;
  /** attributes while announced; null when withdrawn */
  attrs: RouteAttrs | null;
  prefixes: PrefixDesired[];
}

export interface DesiredState {
  services: ServiceDesired[];
  /** sha256 of the effective announce state: equal effect → equal hash */
  healthHash: string;
}

export function announceFor(s: Service, health: HealthState, drained: boolean): Announce {
  if (health === "unknown") return "withdrawn";
  if (health === "down") return s.onFailure === "deprefer" && !drained ? "deprefer" : "withdrawn";
  if (drained) return "graceful-shutdown";
  return health === "degraded" && s.degraded === "deprefer" ? "deprefer" : "normal";
}

/** The states a service can ever be in; the FRR config pre-creates a route-map for each one. */
export function reachableStates(s: Service): Announce[] {
  return s.onFailure === "deprefer" || s.degraded === "deprefer" ? ["normal", "deprefer", "graceful-shutdown", "withdrawn"] : ["normal", "graceful-shutdown", "withdrawn"];
}

const isLarge = (c: string) => c.split(":").length === 3;
const uniqSorted = (xs: string[]) => [...new Set(xs)].sort(compareCommunities);

/** numeric order, so 65000:9 sorts before 65000:10 */
function compareCommunities(a: string, b: string): number {
  const pa = a.split(":").map(Number);
  const pb = b.split(":").map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? -1) - (pb[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

function splitCommunities(all: string[]): Pick<RouteAttrs, "communities" | "largeCommunities"> {
  return { communities: uniqSorted(all.filter((c) => !isLarge(c))), largeCommunities: uniqSorted(all.filter(isLarge)) };
}

const attrsMemo = new WeakMap<Service, Map<Announce, RouteAttrs | null>>();

/** Attributes of a service's prefixes in a given state (null: not announced). Shared and frozen. */
export function attrsFor(s: Service, announce: Announce): RouteAttrs | null {
  let byState = attrsMemo.get(s);
  if (!byState) attrsMemo.set(s, (byState = new Map<Announce, RouteAttrs | null>()));
  if (!byState.has(announce)) {
    const a = computeAttrs(s, announce);
    byState.set(announce, a && Object.freeze({ ...a, communities: Object.freeze(a.communities), largeCommunities: Object.freeze(a.largeCommunities) }) as RouteAttrs);
  }
  return byState.get(announce)!;
}

/** the manifest's attributes as announced */
function asAnnounced(a: Attributes, extraCommunities: string[] = []): RouteAttrs {
  return { prepend: a.asPathPrepend, med: a.med ?? null, localPref: a.localPref ?? null, ...splitCommunities([...a.communities, ...extraCommunities]) };
}

/** healthy attributes with the de-preference added: the longer prepend, deprefer's MED and LOCAL_PREF where set, both sets of communities */
function deprefered(healthy: Attributes, d: Attributes): Attributes {
  return {
    asPathPrepend: Math.max(healthy.asPathPrepend, d.asPathPrepend),
    med: d.med ?? healthy.med,
    localPref: d.localPref ?? healthy.localPref,
    communities: [...healthy.communities, ...d.communities],
  };
}

/** a healthy service's attributes: its own, and a standby's de-preferred */
const healthyAttributes = (s: Service): Attributes => (s.role === "standby" ? deprefered(s.healthy, s.deprefer) : s.healthy);

function computeAttrs(s: Service, announce: Announce): RouteAttrs | null {
  switch (announce) {
    case "withdrawn":
      return null;
    case "normal":
      return asAnnounced(healthyAttributes(s));
    case "deprefer":
      // DOWN (or DEGRADED): the "while healthy" attributes no longer apply.
      return asAnnounced(s.deprefer);
    case "graceful-shutdown":
      // Still healthy, so its own attributes stay; the de-preference and 65535:0 are added.
      return asAnnounced(deprefered(healthyAttributes(s), s.deprefer), [GRACEFUL_SHUTDOWN]);
  }
}

const keys = new WeakMap<RouteAttrs, string>();

/** one string per distinct set of attributes (kept with attrsFor's frozen sets: one per service and state) */
export function attrsKey(a: RouteAttrs): string {
  const known = keys.get(a);
  if (known !== undefined) return known;
  // LOCAL_PREF only where set, so the names derived from this key stay those of earlier versions
  const key = `${a.prepend}|${a.med}|${a.communities.join(" ")}|${a.largeCommunities.join(" ")}${a.localPref === null ? "" : `|lp ${a.localPref}`}`;
  if (Object.isFrozen(a)) keys.set(a, key);
  return key;
}

export function attrsEmpty(a: RouteAttrs): boolean {
  return a.prepend === 0 && a.med === null && a.localPref === null && a.communities.length === 0 && a.largeCommunities.length === 0;
}

export function isDrained(health: HealthInput, name: string): boolean {
  return health.drained === "all" || health.drained.includes(name);
}

export function desiredState(m: Manifest, health: HealthInput = ALL_UP): DesiredState {
  const services = m.services.map((s): ServiceDesired => {
    const h = health.services[s.name] ?? "up";
    const drained = isDrained(health, s.name);
    const announce = announceFor(s, h, drained);
    const prefixes = s.prefixes.map((p): PrefixDesired => {
      const allowed = isAllowed(m, p);
      return { text: p.text, family: p.family, allowed, announce: allowed ? announce : "withdrawn" };
    });
    return { name: s.name, health: h, drained, announce, attrs: attrsFor(s, announce), prefixes };
  });
  const effect = services.map((s) => [s.name, s.announce]);
  const healthHash = createHash("sha256").update(JSON.stringify(effect)).digest("hex");
  return { services, healthHash };
}
