// A complete SupervisorStatus value for tests of the things that read one.
import type { SupervisorStatus } from "../../src/supervisor/status-types.js";

export function sampleStatus(over: Partial<SupervisorStatus> = {}): SupervisorStatus {
  return {
    version: "0.1.0",
    pid: 4242,
    started_at: 1_764_000_000_000,
    manifest: { path: "/etc/svcroute/svcroute.yaml", valid: true, hash: "ab".repeat(32), last_good_hash: "ab".repeat(32), errors: [], loaded_at: 1_764_000_000_000 },
    daemon: { type: "bird", config_file: "/etc/bird/bird.conf", reachable: true, last_error: null, via: "socket" },
    services: [
      {
        name: "dns",
        state: "UP",
        since: 1_764_000_001_000,
        reason: "2/2 checks passed",
        drained: false,
        peers: ["tor1", "tor2"],
        role: "primary",
        attributes: null,
        address_missing: [],
        held_down_until: null,
        hook: null,
        checks: [{ name: "tcp-0", type: "tcp", ok: true, reason: "connected", at: 1_764_000_002_000, latency_ms: 1 }],
        prefixes: [{ prefix: "192.0.2.53/32", desired: "normal", advertised: { tor1: true, tor2: true } }],
      },
      {
        name: "web",
        state: "DOWN",
        since: 1_764_000_003_000,
        reason: "HTTP 503 (expected 200)",
        drained: false,
        peers: ["tor1", "tor2"],
        role: "primary",
        attributes: null,
        address_missing: [],
        held_down_until: null,
        hook: null,
        checks: [{ name: "http-0", type: "http", ok: false, reason: "HTTP 503 (expected 200)", at: 1_764_000_003_000, latency_ms: 4 }],
        prefixes: [{ prefix: "192.0.2.80/32", desired: "withdrawn", advertised: { tor1: false, tor2: false } }],
      },
    ],
    peers: [
      { name: "tor1", endpoint: "169.254.0.1", state: "Established", uptime_ms: 3_600_000, prefixes_sent: 1, prefixes_received: 1, established_total: 1, dropped_total: 0, last_error: null },
      { name: "tor2", endpoint: "169.254.0.5", state: "Active", uptime_ms: null, prefixes_sent: 0, prefixes_received: 0, established_total: 0, dropped_total: 0, last_error: "connection refused" },
    ],
    last_reconcile: { at: 1_764_000_003_010, result: "ok", path: "fast", duration_ms: 3, triggers: ["health"], code: null, message: null },
    counters: { reconciles: 12, reconcile_failures: 1, fast_applies: 9, full_applies: 2, rollbacks: 0, config_drift_total: 0 },
    last_drift: null,
    reconcile_durations_ms: [
      { le: 10, count: 9 },
      { le: 100, count: 10 },
      { le: 1000, count: 12 },
      { le: Infinity, count: 12 },
    ],
    reconcile_duration_sum_ms: 1234,
    ...over,
  };
}
