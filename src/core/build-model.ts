// Manifest + health (+ secrets) → RoutingModel. Pure: every name and derived string is decided
// here, once, so the FRR and BIRD templates only lay it out.
import type { Family } from "../manifest/ip.js";
import type { Manifest, Service } from "../manifest/types.js";
import { BASELINE, type DaemonCapabilities } from "./capabilities.js";
import { VERSION } from "../version.js";
import { buildBird, type BirdBuild } from "./build-bird.js";
import { buildFrr } from "./build-frr.js";
import { ALL_UP, attrsEmpty, attrsFor, attrsKey, desiredState, reachableStates, type Announce, type HealthInput, type ServiceDesired } from "./desired.js";
import type { BirdModel, FrrModel, HeaderModel, PrefixToggle, RoutingModel, ServiceModel } from "./model.js";
import { attrsId, birdNames, frrNames } from "./names.js";
import { NO_SECRETS, type SecretStore } from "./secrets.js";

export interface BuildOptions {
  /** version named in the header (default: this svcroute's) */
  version?: string;
  /**
   * what the daemon's version needs (versions.ts); default: the oldest supported behaviour, which
   * every version accepts
   */
  capabilities?: DaemonCapabilities;
}

function headerFor(manifestHash: string, healthHash: string, version: string): HeaderModel {
  return {
    product: "svcroute",
    version,
    manifestHash,
    healthHash,
    marker: `svcroute-managed manifest=${manifestHash.slice(0, 12)} health=${healthHash.slice(0, 12)}`,
  };
}

/** FRR route-map of each announced state (null: a plain `network` statement) */
function frrRouteMapsOf(s: Service): ServiceModel["frrRouteMapByState"] {
  const out: ServiceModel["frrRouteMapByState"] = {};
  for (const st of reachableStates(s)) {
    const attrs = attrsFor(s, st);
    if (attrs === null || st === "withdrawn") continue;
    const id = attrsId(attrsKey(attrs));
    out[st] = st === "normal" ? (attrsEmpty(attrs) ? null : frrNames.normal(id)) : st === "deprefer" ? frrNames.deprefer(id) : frrNames.gracefulShutdown(id);
  }
  return out;
}

/** The FRR `network` statement that announces `prefix` of `service` in `state`; null: none (withdrawn). */
export function frrNetworkFor(service: Pick<ServiceModel, "frrRouteMapByState">, prefix: Pick<PrefixToggle, "prefix" | "allowed">, state: Announce): string | null {
  if (state === "withdrawn" || !prefix.allowed) return null;
  const rm = service.frrRouteMapByState[state];
  return rm === undefined ? null : rm === null ? `network ${prefix.prefix}` : `network ${prefix.prefix} route-map ${rm}`;
}

/**
 * Each service's model is a function of the manifest, the service and its announced state: kept
 * per manifest and reused, so a health change rebuilds what changed, not ten thousand services.
 * Shared between models, so frozen.
 */
const serviceModels = new WeakMap<Manifest, WeakMap<Service, Map<Announce, ServiceModel>>>();

function servicesModel(m: Manifest, health: HealthInput): { services: ServiceModel[]; healthHash: string } {
  const desired = desiredState(m, health);
  let known = serviceModels.get(m);
  if (!known) serviceModels.set(m, (known = new WeakMap()));
  const services = desired.services.map((d, i): ServiceModel => {
    const svc = m.services[i]!;
    let byState = known.get(svc);
    if (!byState) known.set(svc, (byState = new Map<Announce, ServiceModel>()));
    let sm = byState.get(d.announce);
    if (!sm) byState.set(d.announce, (sm = frozen(serviceModel(svc, d))));
    return sm;
  });
  return { services, healthHash: desired.healthHash };
}

/** the model's own objects frozen (not the manifest's, which it points to) */
function frozen(sm: ServiceModel): ServiceModel {
  for (const p of sm.prefixes) {
    Object.freeze(p.frrNetworkByState);
    Object.freeze(p);
  }
  Object.freeze(sm.frrRouteMapByState);
  for (const b of sm.birdProtocols) Object.freeze(b);
  Object.freeze(sm.prefixes);
  Object.freeze(sm.birdProtocols);
  return Object.freeze(sm);
}

function serviceModel(svc: Service, d: ServiceDesired): ServiceModel {
  const frrRouteMapByState = frrRouteMapsOf(svc);
  const states = reachableStates(svc);
  const staticName: Record<Family, string> = { 4: birdNames.static(4, d.name), 6: birdNames.static(6, d.name) };
  const prefixes = d.prefixes.map((p): PrefixToggle => {
    const key = { prefix: p.text, allowed: p.allowed };
    const byState: Partial<Record<Announce, string | null>> = {};
    for (const st of states) byState[st] = frrNetworkFor({ frrRouteMapByState }, key, st);
    return {
      prefix: p.text,
      family: p.family,
      allowed: p.allowed,
      announce: p.announce,
      frrAddressFamily: frrNames.addressFamily(p.family),
      frrNetwork: byState[p.announce] ?? null,
      frrNetworkByState: byState,
      birdProtocol: staticName[p.family],
    };
  });
  const families: Family[] = [];
  for (const f of [4, 6] as const) if (d.prefixes.some((p) => p.allowed && p.family === f)) families.push(f);
  return {
    name: d.name,
    peers: svc.peers,
    announce: d.announce,
    attrs: d.attrs,
    prefixes,
    frrRouteMapByState,
    birdProtocols: families.map((f) => ({ name: staticName[f], family: f, disabled: d.announce === "withdrawn" })),
  };
}

export function buildModel(m: Manifest, health: HealthInput = ALL_UP, secrets: SecretStore = NO_SECRETS, opts: BuildOptions = {}): RoutingModel {
  const { services, healthHash } = servicesModel(m, health);
  const header = headerFor(m.hash, healthHash, opts.version ?? VERSION);
  // Each daemon's view is built on first use: a render needs one of them, not both.
  let frr: FrrModel | undefined;
  let bird: BirdBuild | undefined;
  const caps = opts.capabilities ?? BASELINE;
  const birdView = () => (bird ??= buildBird(m, services, header, secrets, caps));
  const model = { header, asn: m.router.asn, services, daemon: m.daemon.type } as Omit<RoutingModel, "frr" | "bird" | "birdUnsupported">;
  return Object.defineProperties(model, {
    frr: { enumerable: true, get: () => (frr ??= buildFrr(m, services, header, secrets, caps)) },
    bird: { enumerable: true, get: () => (birdView().ok ? (birdView() as { model: BirdModel }).model : null) },
    birdUnsupported: { enumerable: true, get: () => (birdView().ok ? null : (birdView() as { reason: string }).reason) },
  }) as RoutingModel;
}
