// A normalised Service for health tests and benchmarks: the manifest's defaults, one TCP check.
import type { CheckSpec, Service } from "../../src/manifest/types.js";

export function tcpCheck(name: string, timeoutMs = 500, port = 1): CheckSpec {
  return { type: "tcp", name, timeoutMs, host: "127.0.0.1", port, send: undefined, expect: undefined };
}

export function service(name: string, over: Partial<Service> = {}): Service {
  return {
    name,
    prefixes: [],
    peers: ["tor1"],
    checks: [tcpCheck("c0")],
    combine: { kind: "all" },
    intervalMs: 1000,
    fastIntervalMs: 250,
    timeoutMs: 500,
    timeoutSource: "manifest",
    rise: 3,
    fall: 2,
    initial: "down",
    flap: { maxTransitions: 6, windowMs: 60_000, holdMs: 120_000 },
    onFailure: "withdraw",
    degraded: "announce",
    deprefer: { asPathPrepend: 3, med: undefined, localPref: undefined, communities: [] },
    healthy: { asPathPrepend: 0, med: undefined, localPref: undefined, communities: [] },
    role: "primary",
    onChange: undefined,
    addresses: [],
    source: "test.yaml",
    ...over,
  };
}
