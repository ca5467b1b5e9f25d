// Doctor rules for the supervisor: running and reachable, the manifest applied, the last reconcile, each service's state.
import { formatProblem } from "../../errors.js";
import { dnsFindings, hookFindings } from "../service-findings.js";
import type { Check, Finding } from "../types.js";
import { ok, excerpt } from "./common.js";

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);

/** a drift repaired this recently is a warning; an older one is said in the pass line */
export const DRIFT_RECENT_MS = 3_600_000;

export const supervisorChecks: Check = (f) => {
  const st = f.supervisor.status;
  const out: Finding[] = [];
  if (!st) {
    if (f.supervisor.errorCode === "E_PERMISSION") {
      return [
        {
          area: "supervisor",
          code: "SUPERVISOR_SOCKET_PERMISSION",
          result: "WARN",
          finding: `the supervisor's socket ${f.supervisor.socket} refuses this user: whether it runs, and what it last did, was not checked; the findings above come from the daemon directly`,
          evidence: f.supervisor.error ?? undefined,
          fix: "run svcroute doctor as root (or as a member of the group that owns the socket)",
        },
      ];
    }
    const why = (f.supervisor.error ?? "no answer").replace(/^cannot reach the supervisor at \S+: /, "");
    return [
      {
        area: "supervisor",
        code: "SUPERVISOR_DOWN",
        result: "FAIL",
        finding: `the supervisor is not running (no answer on ${f.supervisor.socket}: ${why}): announcements no longer follow health; the findings above come from the daemon directly`,
        fix: "systemctl start svcroute (journalctl -u svcroute says why it stopped)",
      },
    ];
  }
  const r = st.last_reconcile;
  if (r && r.result === "failed") {
    const daemonAway = r.code === "E_DAEMON_UNAVAILABLE" || r.code === "E_TIMEOUT";
    const rejected = r.code === "E_DAEMON_REJECTED" && f.config.parserCheck && !f.config.parserCheck.ok;
    out.push({
      area: "supervisor",
      code: "RECONCILE_FAILED",
      result: "FAIL",
      finding: `the last reconcile failed at ${clock(r.at)}: ${r.code}: ${r.message}`,
      ...(rejected ? { evidence: f.config.parserCheck!.evidence } : {}),
      fix: daemonAway
        ? `the routing daemon does not answer${f.daemon.reachable ? " to the supervisor" : " (see the daemon finding above)"}: the supervisor re-applies the config when it is back`
        : rejected
          ? "the daemon refuses the config the manifest renders (evidence above): fix or revert the manifest change; the supervisor keeps running the last good config meanwhile"
          : "journalctl -u svcroute shows every attempt; the supervisor retries with backoff and kept the last good config",
    });
  }
  if (st.daemon.reachable && st.daemon.via === "program") {
    out.push({
      area: "supervisor",
      code: "DAEMON_VIA_PROGRAM",
      result: "WARN",
      finding: `the supervisor cannot open the ${st.daemon.type} daemon's control socket and starts a program for every command: each change and verification costs a process start`,
      fix: st.daemon.type === "frr" ? "let svcroute's user open bgpd's vty socket (root, or a member of the frrvty group; the socket is in the manifest's daemon.socket directory)" : "let svcroute's user open the daemon's control socket",
    });
  }
  if (!st.manifest.valid) {
    out.push({
      area: "supervisor",
      code: "MANIFEST_NOT_APPLIED",
      result: "FAIL",
      finding: `the supervisor runs the last good manifest ${String(st.manifest.last_good_hash).slice(0, 12)}: the file on disk is invalid`,
      evidence: excerpt(st.manifest.errors.map(formatProblem), 5),
      fix: "fix the manifest; the supervisor picks it up by itself",
    });
  } else if (f.manifest && st.manifest.last_good_hash && st.manifest.last_good_hash !== f.manifest.hash) {
    out.push({
      area: "supervisor",
      code: "MANIFEST_NOT_APPLIED",
      result: "WARN",
      finding: `the supervisor runs manifest ${st.manifest.last_good_hash.slice(0, 12)}, the file on disk is ${f.manifest.hash.slice(0, 12)}`,
      fix: "systemctl reload svcroute",
    });
  }
  // repaired, so not a failure: but something else changes the daemon, and the operator should
  // know what (a restart is a crash or someone's hand; a route or file is someone's hand). An old
  // one is history: the pass line says it, so one event does not warn for the supervisor's lifetime
  if (st.last_drift && f.now - st.last_drift.at <= DRIFT_RECENT_MS) {
    out.push({
      area: "supervisor",
      code: "DRIFT_REPAIRED",
      result: "WARN",
      finding: `the running state differed from the desired one ${st.last_drift.count} time(s) since the supervisor started, and was repaired; the last at ${clock(st.last_drift.at)}: ${st.last_drift.what}`,
      fix: "something besides svcroute changes the routing daemon (a person, a config-management run, another tool, or the daemon restarting): find it; journalctl -u svcroute has every `drift:` line",
    });
  }
  for (const s of st.services) {
    const svc = f.manifest?.services.find((x) => x.name === s.name);
    out.push(...hookFindings(s, svc));
    if (s.state === "UP") continue;
    out.push(...dnsFindings(s, svc));
    const why = s.checks.filter((c) => !c.ok).map((c) => `${c.type} ${c.name}: ${c.reason}`).join("; ") || s.reason;
    out.push({
      area: "supervisor",
      code: s.drained ? "SERVICE_DRAINED" : "SERVICE_UNHEALTHY",
      result: "WARN",
      finding: `${s.name}: ${s.state}${s.drained ? " (drained)" : ""} since ${clock(s.since)} — ${why}`,
      fix: s.drained ? `svcroute undrain ${s.name} when maintenance is over` : `svcroute probe ${s.name} runs its checks once and shows each result`,
    });
  }
  const drift = st.last_drift ? `; drift repaired ${st.last_drift.count} time(s), the last at ${clock(st.last_drift.at)}: ${st.last_drift.what}` : "";
  if (!out.length) out.push(ok("supervisor", `running (pid ${st.pid}); last reconcile ${r?.result ?? "none"}${r ? ` at ${clock(r.at)} (${r.path} path)` : ""}; every service UP${drift}`));
  return out;
};
