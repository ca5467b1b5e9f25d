// What to do to get from the applied state to the desired one. Pure.
//   none  — nothing differs
//   write — only the header (manifest/health hashes) differs: rewrite the file, touch nothing
//   fast  — only what the driver can switch at run time differs: toggle those prefixes (after a
//           manifest change the new file is written first)
//   full  — anything else: validate, write, reload, verify
import { announceFor, isDrained, type Announce, type HealthInput } from "../core/desired.js";
import { named, serviceNamed, type RoutingModel } from "../core/model.js";
import type { ToggleOp } from "../daemons/driver.js";
import type { Manifest, Peer } from "../manifest/types.js";

export interface Applied {
  text: string;
  fastKey: string;
  model: RoutingModel;
  manifest: Manifest;
}

export interface Next {
  text: string;
  fastKey: string;
  model: RoutingModel;
  manifest: Manifest;
}

export type Plan =
  | { kind: "none" }
  | { kind: "write" }
  | { kind: "fast"; ops: ToggleOp[]; manifestChanged: boolean }
  /**
   * `incremental`: the daemon runs the applied config, so a driver may send it only the change;
   * false for a first apply and a forced one (drift, a hand-edited file, a restarted daemon), which
   * load the whole file
   */
  | { kind: "full"; reasons: string[]; sessionResets: string[]; incremental: boolean };

interface Announced {
  service: string;
  family: 4 | 6;
  announce: Announce;
  /** FRR: the `network` statement that announces it so (its route-map carries the attributes) */
  statement: string | null | undefined;
}

function announceMap(m: RoutingModel): Map<string, Announced> {
  const out = new Map<string, Announced>();
  for (const s of m.services) for (const p of s.prefixes) if (p.allowed) out.set(p.prefix, { service: s.name, family: p.family, announce: p.announce, statement: p.frrNetworkByState[p.announce] });
  return out;
}

/** per-prefix changes between two models of the same structure */
function toggleOps(from: RoutingModel, to: RoutingModel): ToggleOp[] {
  const a = announceMap(from);
  const b = announceMap(to);
  const ops: ToggleOp[] = [];
  for (const [prefix, n] of b) {
    const o = a.get(prefix);
    const was = o?.announce ?? "withdrawn";
    // the same state with other attributes (a route-map another service already uses): its
    // statement changes and nothing else in the config does
    if (was !== n.announce || (o && n.announce !== "withdrawn" && o.statement !== n.statement)) ops.push({ service: n.service, prefix, family: n.family, from: was, to: n.announce });
  }
  // a prefix gone from the manifest (FRR's guardrail is the allowed aggregates, so removing a
  // service leaves the rest of the config as it was): withdrawn like an unhealthy one
  for (const [prefix, o] of a) if (!b.has(prefix) && o.announce !== "withdrawn") ops.push({ service: o.service, prefix, family: o.family, from: o.announce, to: "withdrawn" });
  return ops;
}

/**
 * The withdrawals a health change makes, read from the applied model without building the next
 * one: what a reconcile sends the daemon before it renders anything, so that a withdrawal costs
 * the same with ten thousand services as with ten. The same manifest is applied (else []); the
 * reconcile that follows still plans, applies and proves everything.
 */
export function healthWithdrawals(applied: Applied, manifest: Manifest, health: HealthInput): ToggleOp[] {
  if (applied.manifest.hash !== manifest.hash) return [];
  const byName = new Map(manifest.services.map((s) => [s.name, s]));
  const ops: ToggleOp[] = [];
  for (const svc of applied.model.services) {
    const s = byName.get(svc.name);
    if (!s || announceFor(s, health.services[s.name] ?? "up", isDrained(health, s.name)) !== "withdrawn") continue;
    for (const p of svc.prefixes) if (p.allowed && p.announce !== "withdrawn") ops.push({ service: svc.name, prefix: p.prefix, family: p.family, from: p.announce, to: "withdrawn" });
  }
  return ops;
}

/**
 * The withdrawals of services that have just gone DOWN and withdraw on failure (drained, stopping
 * or with an address missing, they are withdrawn just the same), read from the applied model: work
 * in proportion to those services, not to the manifest. `isDown` is asked now, so a service that
 * has come back meanwhile is left to the apply.
 */
export function downWithdrawals(applied: Applied, manifest: Manifest, names: Iterable<string>, isDown: (name: string) => boolean): ToggleOp[] {
  if (applied.manifest.hash !== manifest.hash) return [];
  const ops: ToggleOp[] = [];
  for (const name of names) {
    const svc = serviceNamed(applied.model, name);
    if (!svc || !isDown(name) || named(manifest.services, name)?.onFailure !== "withdraw") continue;
    for (const p of svc.prefixes) if (p.allowed && p.announce !== "withdrawn") ops.push({ service: name, prefix: p.prefix, family: p.family, from: p.announce, to: "withdrawn" });
  }
  return ops;
}

/**
 * The plan, plus what an early withdrawal took that the next config announces again (the service
 * came back between its withdrawal and the reading of every service's health): the applied model
 * still says announced, so the plan alone has nothing to put it back with.
 */
export function withEarly(p: Plan, sent: readonly ToggleOp[], next: Next): Plan {
  if (sent.length === 0 || p.kind === "full") return p;
  const planned = new Set(p.kind === "fast" ? p.ops.map((o) => o.prefix) : []);
  const back: ToggleOp[] = [];
  for (const op of sent) {
    const now = serviceNamed(next.model, op.service)?.prefixes.find((x) => x.prefix === op.prefix);
    if (now && now.allowed && now.announce !== "withdrawn" && !planned.has(op.prefix)) back.push({ service: op.service, prefix: op.prefix, family: op.family, from: "withdrawn", to: now.announce });
  }
  if (back.length === 0) return p;
  return p.kind === "fast" ? { ...p, ops: [...p.ops, ...back] } : { kind: "fast", ops: back, manifestChanged: false };
}

const sessionFields = (p: Peer) => {
  const { name: _n, ...rest } = p;
  return JSON.stringify(rest);
};

/** Peers whose session the daemon will restart for this change (logged before applying). */
function sessionResets(prev: Manifest, next: Manifest): string[] {
  const out: string[] = [];
  if (prev.router.asn !== next.router.asn) out.push(`router ASN ${prev.router.asn} → ${next.router.asn}: every session restarts`);
  if (prev.router.routerId !== next.router.routerId) out.push(`router ID ${prev.router.routerId ?? "(daemon's)"} → ${next.router.routerId ?? "(daemon's)"}: every session restarts`);
  for (const p of next.peers) {
    const q = prev.peers.find((x) => x.name === p.name);
    if (!q) continue;
    if (sessionFields(p) !== sessionFields(q)) {
      const changed = (Object.keys(p) as (keyof Peer)[]).filter((k) => JSON.stringify(p[k]) !== JSON.stringify(q[k]));
      out.push(`peer ${p.name}: ${changed.join(", ")} changed: its session restarts`);
    }
  }
  for (const q of prev.peers) if (!next.peers.some((p) => p.name === q.name)) out.push(`peer ${q.name} removed: its session closes`);
  for (const p of next.peers) if (!prev.peers.some((q) => q.name === p.name)) out.push(`peer ${p.name} added: a new session opens`);
  return out;
}

export function plan(applied: Applied | undefined, next: Next, force?: string): Plan {
  if (!applied) return { kind: "full", reasons: [force ?? "first apply"], sessionResets: [], incremental: false };
  if (force) return { kind: "full", reasons: [force], sessionResets: sessionResets(applied.manifest, next.manifest), incremental: false };
  if (applied.text === next.text) return { kind: "none" };
  if (applied.fastKey !== next.fastKey) {
    return { kind: "full", reasons: ["the config changed beyond what can be toggled"], sessionResets: sessionResets(applied.manifest, next.manifest), incremental: true };
  }
  const ops = toggleOps(applied.model, next.model);
  // a new manifest's file is written before the daemon is touched; a health change reaches the
  // daemon first and the file follows, even when it cannot be written
  return ops.length ? { kind: "fast", ops, manifestChanged: applied.manifest.hash !== next.manifest.hash } : { kind: "write" };
}
