// The /status document, assembled from the engine's state, the health monitor and the loop. Pure.
import type { ServiceSnapshot } from "../health/types.js";
import { serviceNamed } from "../core/model.js";
import { VERSION } from "../version.js";
import type { EngineState } from "./engine-types.js";
import type { AnnounceState, HookRunStatus, SupervisorStatus } from "./status-types.js";

const BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, Infinity];

export function buildStatus(
  s: EngineState,
  health: ServiceSnapshot[],
  meta: { pid: number; startedAt: number; hook?: (service: string) => HookRunStatus | undefined },
): SupervisorStatus {
  const m = s.manifest;
  const snap = new Map(health.map((h) => [h.name, h]));
  const model = s.desired ?? s.applied?.model;
  const observed = s.observed;
  const peersOf = (name: string) => observed?.peers.find((p) => p.name === name);
  // what each peer is sent, as sets: thousands of prefixes are looked up in them
  const sent = new Map((observed?.peers ?? []).map((p) => [p.name, { "4": new Set(p.advertised?.["4"]), "6": new Set(p.advertised?.["6"]) }]));
  const services = (m?.services ?? []).map((svc) => {
    const h = snap.get(svc.name);
    const sm = model && serviceNamed(model, svc.name);
    return {
      name: svc.name,
      state: h?.state ?? "INIT",
      since: h?.since ?? 0,
      reason: h?.reason ?? "",
      drained: s.drained.shutting.includes(svc.name) || s.drained.withdrawn.includes(svc.name),
      peers: svc.peers,
      role: svc.role,
      attributes: sm?.attrs
        ? { as_path_prepend: sm.attrs.prepend, med: sm.attrs.med, local_preference: sm.attrs.localPref, communities: [...sm.attrs.communities], large_communities: [...sm.attrs.largeCommunities] }
        : null,
      address_missing: s.addressMissing[svc.name] ?? [],
      held_down_until: h?.heldDownUntil ?? null,
      checks: (h?.lastResults ?? []).map((r) => ({ name: r.check, type: r.type, ok: r.ok, reason: r.reason, at: r.at, latency_ms: r.latencyMs })),
      hook: meta.hook?.(svc.name) ?? null,
      prefixes: svc.prefixes.map((p) => {
        const desired: AnnounceState = sm?.prefixes.find((x) => x.prefix === p.text)?.announce ?? "withdrawn";
        const advertised: Record<string, boolean> = {};
        for (const peer of m!.peers) {
          if (!peer.families.includes(p.family)) continue;
          advertised[peer.name] = sent.get(peer.name)?.[String(p.family) as "4" | "6"].has(p.text) ?? false;
        }
        return { prefix: p.text, desired, advertised };
      }),
    };
  });
  const peers = (m?.peers ?? []).map((p) => {
    const o = peersOf(p.name);
    return {
      name: p.name,
      endpoint: p.address ?? `interface ${p.interface}`,
      state: o?.state ?? "unknown",
      uptime_ms: o?.uptimeMs ?? null,
      prefixes_sent: o?.sent ?? null,
      prefixes_received: o?.received ?? null,
      established_total: o?.establishedTotal ?? null,
      dropped_total: o?.droppedTotal ?? null,
      last_error: o?.lastError ?? null,
    };
  });
  const buckets = BUCKETS_MS.map((le) => ({ le, count: s.durations.filter((d) => d <= le).length }));
  return {
    version: VERSION,
    pid: meta.pid,
    started_at: meta.startedAt,
    manifest: {
      path: s.manifestPath,
      valid: s.manifestValid,
      hash: m?.hash ?? null,
      last_good_hash: m?.hash ?? null,
      errors: s.manifestErrors,
      loaded_at: s.manifestLoadedAt,
    },
    daemon: { type: m?.daemon.type ?? "unknown", config_file: m?.daemon.configFile ?? "", reachable: s.daemonReachable, last_error: s.daemonError, via: s.observed?.via ?? null },
    services,
    peers,
    last_reconcile: s.lastReconcile ?? null,
    counters: { ...s.counters },
    last_drift: s.lastDrift ?? null,
    reconcile_durations_ms: buckets,
    reconcile_duration_sum_ms: s.durations.reduce((a, b) => a + b, 0),
  };
}
