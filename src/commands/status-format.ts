// `svcroute status` output: a table a person reads in five seconds, and a Nagios/Icinga line.
import type { ServiceStatus, SupervisorStatus } from "../supervisor/status-types.js";

const ago = (now: number, t: number | null | undefined) => {
  if (!t) return "-";
  const s = Math.max(0, Math.round((now - t) / 1000));
  if (s < 90) return `${s}s`;
  if (s < 5400) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
};

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd());
}

/** "normal", or "normal (prepend 3, MED 10, local-pref 200, 65000:1)" */
function desiredText(desired: string, sv: ServiceStatus): string {
  const a = sv.attributes;
  if (!a) return desired;
  const parts = [
    ...(a.as_path_prepend ? [`prepend ${a.as_path_prepend}`] : []),
    ...(a.med !== null ? [`MED ${a.med}`] : []),
    ...(a.local_preference !== null ? [`local-pref ${a.local_preference}`] : []),
    ...a.communities,
    ...a.large_communities,
  ];
  return parts.length ? `${desired} (${parts.join(", ")})` : desired;
}

/** is the service announced to this peer (services[].peers)? */
const announcedTo = (sv: ServiceStatus, peer: string) => sv.peers.includes(peer);

export function statusText(s: SupervisorStatus, now: number): string {
  const out: string[] = [];
  const m = s.manifest;
  out.push(
    `svcroute ${s.version} (pid ${s.pid}, up ${ago(now, s.started_at)})  ${s.daemon.type} ${s.daemon.reachable ? (s.daemon.via === "program" ? "reachable (through a program per command: its control socket cannot be opened)" : "reachable") : "UNREACHABLE"}  manifest ${m.valid ? "valid" : `INVALID (running last good ${String(m.last_good_hash).slice(0, 12)})`}`,
  );
  if (!m.valid) for (const e of m.errors.slice(0, 5)) out.push(`  ${e.file}:${e.line}:${e.col}  ${e.path}  ${e.message}`);
  const peers = s.peers.map((p) => p.name);
  out.push("");
  const srows = [["SERVICE", "STATE", "SINCE", "PREFIX", "DESIRED", ...peers.map((p) => p.toUpperCase()), "REASON"]];
  for (const sv of s.services) {
    const noAddr = sv.address_missing.length ? " (no address)" : "";
    const state = `${sv.state}${sv.role === "standby" ? " standby" : ""}${sv.drained ? " (drained)" : ""}${sv.held_down_until ? " (held)" : ""}${noAddr}`;
    const reason = noAddr ? `not announced: ${sv.address_missing.join(", ")} not on this host${sv.reason ? `; ${sv.reason}` : ""}` : sv.reason;
    sv.prefixes.forEach((p, i) => {
      const adv = peers.map((peer) => (p.advertised[peer] === undefined ? "-" : !announcedTo(sv, peer) ? (p.advertised[peer] ? "LEAKED" : "off") : p.advertised[peer] ? "yes" : "no"));
      srows.push(i === 0 ? [sv.name, state, ago(now, sv.since), p.prefix, desiredText(p.desired, sv), ...adv, reason] : ["", "", "", p.prefix, desiredText(p.desired, sv), ...adv, ""]);
    });
  }
  out.push(...table(srows));
  const hooks = s.services.flatMap((sv) => (sv.hook ? [[sv.name, sv.hook] as const] : []));
  if (hooks.length) {
    out.push("");
    const hrows = [["HOOK OF", "LAST RUN", "FOR", "RUNS", "FAILED", "DROPPED", "RESULT"]];
    for (const [name, h] of hooks) hrows.push([name, `${ago(now, h.at)} ago`, `${h.from} → ${h.to}`, String(h.runs), String(h.failures), String(h.dropped), h.ok ? h.reason : `FAILED: ${h.reason}`]);
    out.push(...table(hrows));
  }
  out.push("");
  const prows = [["PEER", "ENDPOINT", "STATE", "UPTIME", "SENT", "RCVD", "NOTE"]];
  for (const p of s.peers) {
    prows.push([p.name, p.endpoint, p.state, p.uptime_ms === null ? "-" : ago(now, now - p.uptime_ms), String(p.prefixes_sent ?? "-"), String(p.prefixes_received ?? "-"), p.last_error ?? ""]);
  }
  out.push(...table(prows));
  const r = s.last_reconcile;
  out.push("");
  out.push(
    r
      ? `last reconcile: ${r.result} ${ago(now, r.at)} ago, ${r.path} path, ${r.duration_ms} ms, triggered by ${r.triggers.join("+")}${r.code ? `, ${r.code}: ${r.message}` : ""}`
      : "last reconcile: none yet",
  );
  const d = s.last_drift;
  if (d) out.push(`drift repaired: ${d.count} time(s), the last ${ago(now, d.at)} ago: ${d.what}`);
  return out.join("\n");
}

export interface NagiosResult {
  code: 0 | 1 | 2 | 3;
  line: string;
}

/** OK / WARNING / CRITICAL with perfdata, by the standard plugin conventions. */
export function nagios(s: SupervisorStatus): NagiosResult {
  const crit: string[] = [];
  const warn: string[] = [];
  if (!s.daemon.reachable) crit.push(`${s.daemon.type} unreachable`);
  const down = s.peers.filter((p) => p.state !== "Established");
  if (down.length === s.peers.length && s.peers.length > 0) crit.push("no BGP session established");
  else if (down.length) warn.push(`peer ${down.map((p) => `${p.name} ${p.state}`).join(", ")}`);
  if (!s.manifest.valid) warn.push("manifest invalid (last good in use)");
  if (s.last_reconcile?.result === "failed") crit.push(`last reconcile failed: ${s.last_reconcile.code ?? ""}`);
  const missing = s.services.flatMap((sv) =>
    sv.prefixes
      .filter((p) => p.desired !== "withdrawn" && Object.entries(p.advertised).some(([peer, v]) => !v && announcedTo(sv, peer) && s.peers.find((x) => x.name === peer)?.state === "Established"))
      .map((p) => p.prefix),
  );
  if (missing.length) crit.push(`not advertised: ${missing.join(" ")}`);
  const leaked = s.services.flatMap((sv) =>
    sv.prefixes.flatMap((p) => Object.entries(p.advertised).filter(([peer, v]) => v && !announcedTo(sv, peer)).map(([peer]) => `${p.prefix} to ${peer}`)),
  );
  if (leaked.length) crit.push(`advertised outside the service's peers: ${leaked.join(", ")}`);
  const notUp = s.services.filter((sv) => sv.state !== "UP");
  if (notUp.length) warn.push(notUp.map((sv) => `${sv.name} ${sv.state}`).join(", "));
  const noAddr = s.services.filter((sv) => sv.address_missing.length);
  if (noAddr.length) warn.push(`not announced, address not on this host: ${noAddr.map((sv) => `${sv.name} (${sv.address_missing.join(" ")})`).join(", ")}`);
  const up = s.services.length - notUp.length;
  const est = s.peers.length - down.length;
  const perf = `services_up=${up};;;0;${s.services.length} peers_established=${est};;;0;${s.peers.length} reconcile_failures=${s.counters.reconcile_failures}c`;
  if (crit.length) return { code: 2, line: `SVCROUTE CRITICAL - ${[...crit, ...warn].join("; ")} | ${perf}` };
  if (warn.length) return { code: 1, line: `SVCROUTE WARNING - ${warn.join("; ")} | ${perf}` };
  return { code: 0, line: `SVCROUTE OK - ${up}/${s.services.length} services up, ${est}/${s.peers.length} peers established | ${perf}` };
}
