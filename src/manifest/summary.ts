// A one-screen description of a valid manifest (for `check`) and its JSON form.
import { formatDuration } from "./duration.js";
import { describeTimeoutSource } from "./timing.js";
import type { Manifest } from "./types.js";

export function summarize(m: Manifest) {
  return {
    files: m.files,
    hash: m.hash,
    daemon: { type: m.daemon.type, config_file: m.daemon.configFile },
    router: { asn: m.router.asn, router_id: m.router.routerId ?? null },
    peers: m.peers.map((p) => ({
      name: p.name,
      endpoint: p.address ?? `interface ${p.interface}`,
      remote_asn: p.remoteAsn,
      families: p.families.map((f) => `ipv${f}`),
      bfd: Boolean(p.bfd),
      password: Boolean(p.passwordFile),
    })),
    policy: { allowed_prefixes: m.policy.allowed.map((p) => p.text), accept: m.policy.accept, max_prefix: m.policy.maxPrefix },
    services: m.services.map((s) => ({
      name: s.name,
      prefixes: s.prefixes.map((p) => p.text),
      checks: s.checks.map((c) => `${c.type}:${c.name}`),
      on_failure: s.onFailure,
      interval_ms: s.intervalMs,
      timeout_ms: s.timeoutMs,
      timeout_source: s.timeoutSource,
      source: s.source,
    })),
    counts: {
      services: m.services.length,
      prefixes: m.services.reduce((n, s) => n + s.prefixes.length, 0),
      ipv4: m.services.reduce((n, s) => n + s.prefixes.filter((p) => p.family === 4).length, 0),
      ipv6: m.services.reduce((n, s) => n + s.prefixes.filter((p) => p.family === 6).length, 0),
      peers: m.peers.length,
    },
  };
}

const MAX_LISTED = 12;

export function summaryText(m: Manifest): string {
  const s = summarize(m);
  const c = s.counts;
  const drop = m.files.length > 1 ? ` + ${m.files.length - 1} drop-in(s)` : "";
  const lines = [
    `ok: ${m.files[0]}${drop} is valid (hash ${m.hash.slice(0, 12)})`,
    `  daemon    ${m.daemon.type}, config ${m.daemon.configFile}`,
    `  router    AS${m.router.asn}, router-id ${m.router.routerId ?? "(from the daemon)"}`,
    `  policy    export only inside ${s.policy.allowed_prefixes.join(", ")}; accept ${m.policy.accept}; max-prefix ${m.policy.maxPrefix}`,
    `  peers     ${c.peers}`,
  ];
  for (const p of s.peers) {
    const asn = typeof p.remote_asn === "number" ? `AS${p.remote_asn}` : p.remote_asn;
    const extras = [p.families.join("+"), p.bfd ? "bfd" : "", p.password ? "password" : ""].filter(Boolean).join(", ");
    lines.push(`    ${p.name.padEnd(16)} ${p.endpoint.padEnd(26)} ${asn.padEnd(13)} ${extras}`);
  }
  lines.push(`  services  ${c.services}, prefixes ${c.prefixes} (${c.ipv4} IPv4, ${c.ipv6} IPv6)`);
  for (const sv of s.services.slice(0, MAX_LISTED)) {
    const checks = sv.checks.length ? sv.checks.join(" ") : "no checks (always up)";
    const timing = `every ${formatDuration(sv.interval_ms)}, timeout ${formatDuration(sv.timeout_ms)}${sv.timeout_source === "manifest" ? "" : ` (${describeTimeoutSource(sv.timeout_source)})`}`;
    lines.push(`    ${sv.name.padEnd(16)} ${sv.prefixes.join(" ")}  [${checks}; ${timing}; on failure ${sv.on_failure}]`);
  }
  if (s.services.length > MAX_LISTED) lines.push(`    ... and ${s.services.length - MAX_LISTED} more (--json lists all)`);
  return lines.join("\n");
}
