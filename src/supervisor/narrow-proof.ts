// A toggle proven at the cost of the toggle: the daemon is asked only which peers each toggled
// prefix is sent to, and the answer is laid over the last full observation, which was proven, for
// status. Pure; the engine decides when it applies (a health change on a proven state).
import type { RoutingModel } from "../core/model.js";
import type { Observed, ObservedPeer, PrefixesObserved, ToggleOp } from "../daemons/driver.js";
import type { Family } from "../manifest/ip.js";
import type { Manifest } from "../manifest/types.js";
import type { PeerMismatch, Verification } from "./verify.js";

export type Asked = { prefix: string; family: Family }[];

/** the prefixes the ops change, each once */
export function askedOf(ops: readonly ToggleOp[]): Asked {
  const seen = new Map<string, Family>();
  for (const o of ops) seen.set(o.prefix, o.family);
  return [...seen].map(([prefix, family]) => ({ prefix, family }));
}

/** whether asking for these prefixes reads fewer routes than reading every route each peer is sent */
export function narrowPays(base: Observed, asked: Asked): boolean {
  const routes = base.peers.reduce((n, p) => n + (p.advertised ? p.advertised["4"].length + p.advertised["6"].length : 0), 0);
  return asked.length > 0 && asked.length < routes;
}

/** per asked prefix, the peers that should be sent it: those its announcing services name, in its family */
function wanted(manifest: Manifest, model: RoutingModel, asked: Asked): Map<string, Set<string>> {
  const out = new Map(asked.map((a) => [a.prefix, new Set<string>()]));
  for (const s of model.services) {
    for (const p of s.prefixes) {
      const to = out.get(p.prefix);
      if (!to || !p.allowed || p.announce === "withdrawn") continue;
      for (const peer of manifest.peers) if (s.peers.includes(peer.name) && peer.families.includes(p.family)) to.add(peer.name);
    }
  }
  return out;
}

const count = (adv: ObservedPeer["advertised"]) => (adv ? adv["4"].length + adv["6"].length : 0);

/**
 * verify() for the asked prefixes only: per Established peer, is each sent exactly when it should
 * be, and does the daemon count as many routes sent as `over` (the last full observation with the
 * asked prefixes laid over it) shows? A prefix no path names any more may still sit in a peer's
 * outgoing routes, where only that count sees it (FRR names the peers a prefix is sent to only
 * while it has a path).
 */
export function verifyPrefixes(manifest: Manifest, model: RoutingModel, obs: PrefixesObserved, asked: Asked, over: Observed): Verification {
  const want = wanted(manifest, model, asked);
  const mismatches: PeerMismatch[] = [];
  const down: string[] = [];
  for (const peer of manifest.peers) {
    const o = obs.peers.find((x) => x.name === peer.name);
    if (!o || o.state !== "Established") {
      down.push(peer.name);
      continue;
    }
    const missing: string[] = [];
    const extra: string[] = [];
    for (const a of asked) {
      if (!peer.families.includes(a.family)) continue;
      const should = want.get(a.prefix)!.has(peer.name);
      const is = obs.sentTo.get(a.prefix)?.has(peer.name) ?? false;
      if (should && !is) missing.push(a.prefix);
      if (is && !should) extra.push(a.prefix);
    }
    const expected = count(over.peers.find((x) => x.name === peer.name)?.advertised ?? null);
    const counted = o.sent !== null && o.sent !== expected ? { sent: o.sent, expected } : undefined;
    if (missing.length || extra.length || counted) mismatches.push({ peer: peer.name, missing: missing.sort(), extra: extra.sort(), ...(counted ? { counted } : {}) });
  }
  return { ok: mismatches.length === 0, mismatches, down };
}

/** the same session, not restarted since: its other routes are still as last read */
const sameSession = (a: ObservedPeer, b: ObservedPeer) => a.state === b.state && a.establishedTotal === b.establishedTotal;

/**
 * The last full observation with the asked prefixes as read now. undefined when it cannot stand
 * for the daemon now: another instance, or a session that changed state or restarted (what such
 * a peer is sent has to be read in full).
 */
export function laidOver(base: Observed, obs: PrefixesObserved, asked: Asked): Observed | undefined {
  if (base.instance !== obs.instance || base.peers.length !== obs.peers.length) return undefined;
  const askedSet = new Set(asked.map((a) => a.prefix));
  const peers: ObservedPeer[] = [];
  for (const o of obs.peers) {
    const before = base.peers.find((x) => x.name === o.name);
    if (!before || !sameSession(before, o)) return undefined;
    if (o.state !== "Established" || !before.advertised) {
      if (o.state === "Established") return undefined;
      peers.push({ ...o, advertised: before.advertised });
      continue;
    }
    const adv = { "4": before.advertised["4"].filter((p) => !askedSet.has(p)), "6": before.advertised["6"].filter((p) => !askedSet.has(p)) };
    for (const a of asked) if (obs.sentTo.get(a.prefix)?.has(o.name)) adv[a.family === 4 ? "4" : "6"].push(a.prefix);
    peers.push({ ...o, advertised: { "4": adv["4"].sort(), "6": adv["6"].sort() } });
  }
  return { instance: obs.instance, peers, durationMs: obs.durationMs, via: obs.via };
}
