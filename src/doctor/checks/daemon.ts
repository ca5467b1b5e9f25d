// Doctor rules for the routing daemon: installed, new enough, enabled, running, answering, its socket open to us.
import type { Check, Finding } from "../types.js";
import { ok, octal, excerpt } from "./common.js";

const APT = { frr: "frr frr-pythontools", bird: "bird2" };

export const daemonChecks: Check = (f) => {
  const m = f.manifest;
  if (!m) return [{ area: "daemon", code: "DAEMON_SKIPPED", result: "SKIP", finding: "no valid manifest: the daemon is unknown" }];
  const out: Finding[] = [];
  const missing = f.daemon.binaries.filter((b) => !b.exists);
  if (missing.length) {
    out.push({
      area: "daemon",
      code: "DAEMON_NOT_INSTALLED",
      result: "FAIL",
      finding: `${m.daemon.type} is not installed: missing ${missing.map((b) => b.path).join(", ")}`,
      fix: `apt-get install ${APT[m.daemon.type]} (or set the daemon.* paths in the manifest)`,
    });
  }
  if (f.daemon.version) {
    const v = /(\d+)\.(\d+)/.exec(f.daemon.version);
    const [maj, min] = v ? [Number(v[1]), Number(v[2])] : [0, 0];
    const tooOld = m.daemon.type === "frr" ? maj < 8 || (maj === 8 && min < 1) : maj < 2;
    if (tooOld) out.push({ area: "daemon", code: "DAEMON_TOO_OLD", result: "WARN", finding: `${m.daemon.type} ${f.daemon.version} is older than svcroute supports (FRR 8.1+, BIRD 2.0+)`, fix: "upgrade the routing daemon" });
  }
  if (!f.daemon.reachable) {
    const perm = /EACCES|permission denied/i.test(f.daemon.error ?? "");
    const sf = f.daemon.socketFile;
    // the group that may use the socket: what the socket says, unless that is root's
    const group = f.daemon.socketGroup && f.daemon.socketGroup !== "root" ? f.daemon.socketGroup : m.daemon.type === "frr" ? "frrvty" : "bird";
    const owner = sf?.exists ? `\n${sf.path}: owner uid ${sf.uid}, group ${f.daemon.socketGroup ?? sf.gid}, mode ${octal(sf.mode)}` : "";
    const frozen = f.daemon.errorCode === "E_TIMEOUT";
    out.push(
      frozen
        ? {
            area: "daemon",
            code: "DAEMON_NOT_ANSWERING",
            result: "FAIL",
            finding: `${m.daemon.type} does not answer on ${m.daemon.socket} in time: it is there, but frozen or overloaded`,
            evidence: f.daemon.error ?? undefined,
            fix: `look at its processes (ps -o pid,stat,cmd -C ${m.daemon.type === "frr" ? "bgpd,zebra" : "bird"}): one stopped with SIGSTOP (state T) goes on after kill -CONT PID; otherwise restart it (systemctl restart ${m.daemon.type === "frr" ? "frr" : "bird"})`,
          }
        : perm
        ? {
            area: "daemon",
            code: "DAEMON_SOCKET_PERMISSION",
            result: "FAIL",
            finding: `the ${m.daemon.type === "frr" ? "FRR vty socket" : "BIRD control socket"} refuses this user: svcroute and doctor need read and write access to it`,
            evidence: `${f.daemon.error ?? ""}${owner}`,
            fix: `run as root, or add the user to the ${group} group: usermod -aG ${group} svcroute (then log in again or restart svcroute)`,
          }
        : {
            area: "daemon",
            code: "DAEMON_DOWN",
            result: "FAIL",
            finding: `${m.daemon.type} is not running or not reachable at ${m.daemon.socket}`,
            evidence: f.daemon.error ?? undefined,
            fix: m.daemon.type === "frr" ? "systemctl start frr (and check that bgpd=yes in /etc/frr/daemons)" : "systemctl start bird",
          },
    );
  } else out.push(ok("daemon", `${m.daemon.type}${f.daemon.version ? ` ${f.daemon.version}` : ""} is running and answers on ${m.daemon.socket}`));
  const df = f.daemon.daemonsFile;
  if (m.daemon.type === "frr" && df?.exists && df.text) {
    const on = (d: string) => new RegExp(`^${d}=yes`, "m").test(df.text!);
    const need = ["bgpd", ...(m.peers.some((p) => p.bfd) ? ["bfdd"] : [])];
    const off = need.filter((d) => !on(d));
    if (off.length) {
      out.push({
        area: "daemon",
        code: "DAEMON_NOT_ENABLED",
        result: "FAIL",
        finding: `${off.join(" and ")} ${off.length > 1 ? "are" : "is"} not enabled in ${df.path}`,
        evidence: excerpt(df.text.split("\n").filter((l) => /^(bgpd|bfdd)=/.test(l))),
        fix: `sed -i ${off.map((d) => `-e 's/^${d}=no/${d}=yes/'`).join(" ")} ${df.path} && systemctl restart frr`,
      });
    }
  }
  return out;
};
