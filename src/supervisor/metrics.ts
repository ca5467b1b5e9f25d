// Prometheus text exposition (format 0.0.4) of a status snapshot. Pure.
import { HEALTH_STATE_NAMES } from "../health/types.js";
import type { SupervisorStatus } from "./status-types.js";

const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const labels = (l: Record<string, string>) => {
  const parts = Object.entries(l).map(([k, v]) => `${k}="${esc(v)}"`);
  return parts.length ? `{${parts.join(",")}}` : "";
};

const HEALTH_STATES = HEALTH_STATE_NAMES;
const SESSION_STATES = ["Idle", "Connect", "Active", "OpenSent", "OpenConfirm", "Established"];

export function renderMetrics(s: SupervisorStatus): string {
  const out: string[] = [];
  const metric = (name: string, type: "gauge" | "counter" | "histogram", help: string, samples: [Record<string, string>, number][]) => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [l, v] of samples) out.push(`${name}${labels(l)} ${Number.isFinite(v) ? v : 0}`);
  };
  metric("svcroute_up", "gauge", "The supervisor is running.", [[{ version: s.version }, 1]]);
  metric("svcroute_manifest_valid", "gauge", "1 when the manifest on disk is valid (else the last good one is in use).", [[{}, s.manifest.valid ? 1 : 0]]);
  metric("svcroute_manifest_last_good_info", "gauge", "Content hash of the manifest in use.", [[{ hash: s.manifest.last_good_hash ?? "" }, 1]]);
  metric("svcroute_daemon_reachable", "gauge", "1 when the routing daemon answers on its control socket.", [[{ daemon: s.daemon.type }, s.daemon.reachable ? 1 : 0]]);
  metric(
    "svcroute_service_health",
    "gauge",
    "Health state of each service (1 for the current state).",
    s.services.flatMap((sv) => HEALTH_STATES.map((st) => [{ service: sv.name, state: st }, sv.state === st ? 1 : 0] as [Record<string, string>, number])),
  );
  metric("svcroute_service_held_down", "gauge", "1 while flap hold-down keeps the service DOWN.", s.services.map((sv) => [{ service: sv.name }, sv.held_down_until ? 1 : 0]));
  metric("svcroute_service_drained", "gauge", "1 while the service is drained.", s.services.map((sv) => [{ service: sv.name }, sv.drained ? 1 : 0]));
  metric(
    "svcroute_service_address_missing",
    "gauge",
    "1 while the service is not announced because its address is not on this host.",
    s.services.map((sv) => [{ service: sv.name }, sv.address_missing.length ? 1 : 0]),
  );
  const hooked = s.services.flatMap((sv) => (sv.hook ? [{ service: sv.name, hook: sv.hook }] : []));
  metric("svcroute_hook_runs_total", "counter", "on_change hook runs, by service.", hooked.map((h) => [{ service: h.service }, h.hook.runs]));
  metric("svcroute_hook_failures_total", "counter", "on_change hook runs that failed or timed out.", hooked.map((h) => [{ service: h.service }, h.hook.failures]));
  metric("svcroute_hook_dropped_total", "counter", "on_change hook runs dropped because too many waited.", hooked.map((h) => [{ service: h.service }, h.hook.dropped]));
  metric("svcroute_hook_last_ok", "gauge", "1 when the service's last on_change hook run succeeded.", hooked.map((h) => [{ service: h.service }, h.hook.ok ? 1 : 0]));
  metric(
    "svcroute_prefix_desired",
    "gauge",
    "1 when the prefix should be announced (any attributes).",
    s.services.flatMap((sv) => sv.prefixes.map((p) => [{ service: sv.name, prefix: p.prefix, mode: p.desired }, p.desired === "withdrawn" ? 0 : 1] as [Record<string, string>, number])),
  );
  metric(
    "svcroute_prefix_announced",
    "gauge",
    "1 when the daemon advertises the prefix to the peer.",
    s.services.flatMap((sv) => sv.prefixes.flatMap((p) => Object.entries(p.advertised).map(([peer, v]) => [{ service: sv.name, prefix: p.prefix, peer }, v ? 1 : 0] as [Record<string, string>, number]))),
  );
  metric(
    "svcroute_peer_session_state",
    "gauge",
    "BGP session state of each peer (1 for the current state).",
    s.peers.flatMap((p) => SESSION_STATES.map((st) => [{ peer: p.name, state: st }, p.state === st ? 1 : 0] as [Record<string, string>, number])),
  );
  metric("svcroute_peer_established", "gauge", "1 when the session is Established.", s.peers.map((p) => [{ peer: p.name }, p.state === "Established" ? 1 : 0]));
  metric("svcroute_peer_uptime_seconds", "gauge", "Session uptime.", s.peers.map((p) => [{ peer: p.name }, (p.uptime_ms ?? 0) / 1000]));
  metric("svcroute_peer_prefixes_sent", "gauge", "Prefixes advertised to the peer.", s.peers.map((p) => [{ peer: p.name }, p.prefixes_sent ?? 0]));
  metric("svcroute_peer_prefixes_received", "gauge", "Prefixes accepted from the peer.", s.peers.map((p) => [{ peer: p.name }, p.prefixes_received ?? 0]));
  metric("svcroute_reconciles_total", "counter", "Reconcile runs.", [[{}, s.counters.reconciles]]);
  metric("svcroute_reconcile_failures_total", "counter", "Reconcile runs that failed.", [[{}, s.counters.reconcile_failures]]);
  metric("svcroute_applies_total", "counter", "Changes applied, by path.", [
    [{ path: "fast" }, s.counters.fast_applies],
    [{ path: "full" }, s.counters.full_applies],
  ]);
  metric("svcroute_rollbacks_total", "counter", "Rejected or failed configs rolled back to the last good one.", [[{}, s.counters.rollbacks]]);
  metric("svcroute_config_drift_total", "counter", "Times the running state differed from the desired one and was repaired.", [[{}, s.counters.config_drift_total]]);
  out.push("# HELP svcroute_reconcile_duration_seconds Reconcile run duration.", "# TYPE svcroute_reconcile_duration_seconds histogram");
  for (const b of s.reconcile_durations_ms) out.push(`svcroute_reconcile_duration_seconds_bucket{le="${Number.isFinite(b.le) ? b.le / 1000 : "+Inf"}"} ${b.count}`);
  out.push(`svcroute_reconcile_duration_seconds_sum ${s.reconcile_duration_sum_ms / 1000}`);
  out.push(`svcroute_reconcile_duration_seconds_count ${s.counters.reconciles}`);
  return `${out.join("\n")}\n`;
}
