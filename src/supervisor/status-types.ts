// What the supervisor reports on /status (JSON) and, derived from it, on /metrics. `status`,
// `doctor` and monitoring read this shape; field names are stable.
import type { Problem } from "../errors.js";

export type AnnounceState = "normal" | "deprefer" | "graceful-shutdown" | "withdrawn";

export interface CheckStatus {
  name: string;
  type: string;
  ok: boolean;
  reason: string;
  at: number;
  latency_ms: number;
}

export interface PrefixStatus {
  prefix: string;
  desired: AnnounceState;
  /** peer name → advertised to it right now (as observed from the daemon), for every peer of the
   * prefix's family: one outside the service's `peers` must read false */
  advertised: Record<string, boolean>;
}

export interface RouteAttributes {
  as_path_prepend: number;
  med: number | null;
  local_preference: number | null;
  communities: string[];
  large_communities: string[];
}

/** the last run of a service's on_change hook */
export interface HookRunStatus {
  at: number;
  /** the transition it ran for */
  from: string;
  to: string;
  ok: boolean;
  exit_code: number | null;
  /** killed at its timeout */
  timed_out: boolean;
  timeout_ms: number;
  reason: string;
  /** since the supervisor started: runs, failed runs (timeouts included), runs dropped from a full queue */
  runs: number;
  failures: number;
  dropped: number;
}

export interface ServiceStatus {
  name: string;
  state: string;
  since: number;
  reason: string;
  drained: boolean;
  /** the peers its prefixes are announced to (services[].peers; every peer by default) */
  peers: string[];
  role: "primary" | "standby";
  /** the attributes its prefixes are announced with now (null: withdrawn) */
  attributes: RouteAttributes | null;
  /** its required addresses that are not on the host: while any is, the service is not announced */
  address_missing: string[];
  held_down_until: number | null;
  checks: CheckStatus[];
  /** its on_change hook's last run (null: none yet, or no hook) */
  hook: HookRunStatus | null;
  prefixes: PrefixStatus[];
}

export interface PeerStatus {
  name: string;
  endpoint: string;
  state: string;
  uptime_ms: number | null;
  prefixes_sent: number | null;
  prefixes_received: number | null;
  established_total: number | null;
  dropped_total: number | null;
  last_error: string | null;
}

export interface ReconcileStatus {
  at: number;
  result: "ok" | "failed";
  path: "none" | "fast" | "full";
  duration_ms: number;
  triggers: string[];
  code: string | null;
  message: string | null;
}

export interface ReconcileCounters {
  reconciles: number;
  reconcile_failures: number;
  fast_applies: number;
  full_applies: number;
  rollbacks: number;
  config_drift_total: number;
}

/**
 * A difference between the running state and the desired one that someone else made (a route
 * added or withdrawn by hand, the config file edited), found by a verify and repaired. A daemon
 * that restarted is re-applied too, and counted in config_drift_total, but is not one of these.
 */
export interface DriftStatus {
  at: number;
  /** what differed: the config file changed, what a peer is sent */
  what: string;
  /** how many since the supervisor started */
  count: number;
}

export interface SupervisorStatus {
  version: string;
  pid: number;
  started_at: number;
  manifest: {
    path: string;
    valid: boolean;
    hash: string | null;
    last_good_hash: string | null;
    errors: Problem[];
    loaded_at: number | null;
  };
  /** via: how the last observation asked the daemon ("program": a process per command, its control socket could not be opened) */
  daemon: { type: string; config_file: string; reachable: boolean; last_error: string | null; via: "socket" | "program" | null };
  services: ServiceStatus[];
  peers: PeerStatus[];
  last_reconcile: ReconcileStatus | null;
  counters: ReconcileCounters;
  /** the last drift repaired (counters.config_drift_total also counts daemon restarts) */
  last_drift: DriftStatus | null;
  reconcile_durations_ms: { le: number; count: number }[];
  reconcile_duration_sum_ms: number;
}
