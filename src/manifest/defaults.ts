// Every manifest default in one place: normalize.ts applies these values, and schema.ts names them
// in the field descriptions (so `svcroute schema` and docs/manifest.md say what is really used).

export const DEFAULTS = {
  daemon: {
    /** config file and control socket, by daemon type */
    files: {
      frr: { configFile: "/etc/frr/frr.conf", socket: "/var/run/frr" },
      bird: { configFile: "/etc/bird/bird.conf", socket: "/run/bird/bird.ctl" },
    },
    vtysh: "/usr/bin/vtysh",
    frrReload: "/usr/lib/frr/frr-reload.py",
    bgpd: "/usr/lib/frr/bgpd",
    bird: "/usr/sbin/bird",
    birdc: "/usr/sbin/birdc",
    routeMapDelayMs: 1000,
  },
  peer: { bfdIntervalMs: 300, bfdMultiplier: 3, keepaliveMs: 3000, holdMs: 9000, connectRetryMs: 5000, ttlSecurity: false, gracefulRestart: false },
  policy: { accept: "none", maxPrefix: 4 },
  hook: { timeoutMs: 10_000, when: ["UP", "DOWN", "DISABLED"] },
  check: { user: "nobody", cwd: "/", method: "GET", expectStatus: [200], tlsVerify: true, healthyWhen: "exists", dnsRecord: "A", dnsPort: 53, dnsTransport: "udp", dnsRcodes: ["NOERROR"], dnsRecursion: true },
  service: {
    intervalMs: 2000,
    timeoutMs: 1000,
    rise: 3,
    fall: 2,
    initial: "down",
    combine: "all",
    flap: { maxTransitions: 6, windowMs: 60_000, holdMs: 120_000 },
    onFailure: "withdraw",
    degraded: "announce",
    asPathPrepend: 3,
    role: "primary" as const,
  },
  addresses: { interface: "lo", manage: false },
  maintenance: { drainFile: "/etc/svcroute/drain", drainWaitMs: 30_000 },
  supervisor: {
    statusSocket: "/run/svcroute/svcroute.sock",
    stateDir: "/var/lib/svcroute",
    onStop: "withdraw",
    stopGraceMs: 2000,
    guardGraceMs: 15_000,
    reverifyIntervalMs: 30_000,
  },
} as const;

/** a default duration as a manifest writes it: 300ms, 1s, 120s */
export function showDuration(ms: number): string {
  return ms < 1000 || ms % 1000 !== 0 ? `${ms}ms` : `${ms / 1000}s`;
}
