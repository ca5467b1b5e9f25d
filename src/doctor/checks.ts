// The doctor's reasoning: Facts → Findings, in report order. Pure, so every diagnosis is
// table-tested on facts built from captured daemon output.
import { formatProblem } from "../errors.js";
import { parseIP, parsePrefix, prefixContains, type Prefix } from "../manifest/ip.js";
import { dnsFindings, hookFindings } from "./service-findings.js";
import type { Check, Facts, Finding } from "./types.js";

const ok = (area: string, finding: string, evidence?: string): Finding => ({ area, code: `${area.toUpperCase()}_OK`, result: "PASS", finding, ...(evidence ? { evidence } : {}) });
const octal = (m: number | undefined) => (m === undefined ? "?" : (m & 0o777).toString(8).padStart(4, "0"));
const excerpt = (lines: string[], n = 8) => lines.slice(0, n).join("\n") + (lines.length > n ? `\n... (${lines.length - n} more)` : "");

const manifestChecks: Check = (f) => {
  const out: Finding[] = [];
  if (!f.load.manifest) {
    out.push({
      area: "manifest",
      code: f.load.stage === "io" ? "MANIFEST_UNREADABLE" : "MANIFEST_INVALID",
      result: "FAIL",
      finding: `${f.manifestPath}: ${f.load.problems.length} problem(s); the supervisor keeps running the last good manifest`,
      evidence: excerpt(f.load.problems.map(formatProblem), 10),
      fix: "fix the lines above (`svcroute check` shows the same list), then `systemctl reload svcroute`",
    });
  } else {
    out.push(ok("manifest", `${f.load.files.length} file(s) valid: ${f.load.manifest.services.length} service(s), ${f.load.manifest.peers.length} peer(s)`));
  }
  for (const file of [f.files.manifest, f.files.dropInDir]) {
    if (file.exists && file.mode !== undefined && (file.mode & 0o002) !== 0) {
      out.push({
        area: "manifest",
        code: "MANIFEST_UNSAFE_PERMISSIONS",
        result: "FAIL",
        finding: `${file.path} is world-writable (mode ${octal(file.mode)}): anyone on this host could change what it announces`,
        fix: `chmod o-w ${file.path}`,
      });
    }
  }
  for (const s of f.files.secrets) {
    if (!s.exists) {
      out.push({ area: "manifest", code: "SECRET_MISSING", result: "FAIL", finding: `password file ${s.path} is missing${s.error ? ` (${s.error})` : ""}`, fix: `create it with the session password on one line, mode 0640: install -m 0640 /dev/null ${s.path}` });
    } else if (s.mode !== undefined && (s.mode & 0o007) !== 0) {
      out.push({ area: "manifest", code: "SECRET_UNSAFE_PERMISSIONS", result: "FAIL", finding: `password file ${s.path} is readable by other users (mode ${octal(s.mode)})`, fix: `chmod 0640 ${s.path}` });
    }
  }
  return out;
};

const APT = { frr: "frr frr-pythontools", bird: "bird2" };

const daemonChecks: Check = (f) => {
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

const configChecks: Check = (f) => {
  const m = f.manifest;
  if (!m) return [];
  const c = f.config;
  const out: Finding[] = [];
  if (!c.file.exists) {
    return [{ area: "config", code: "CONFIG_MISSING", result: "FAIL", finding: `${c.file.path} does not exist: svcroute has not written a config yet`, fix: "start the supervisor: systemctl start svcroute" }];
  }
  if (c.file.text === undefined) {
    return [
      {
        area: "config",
        code: "CONFIG_SKIPPED",
        result: "SKIP",
        finding: `${c.file.path} could not be read by this user (${c.file.readError ?? "unreadable"}): it was not checked`,
        fix: "run svcroute doctor as root",
      },
    ];
  }
  const supervised = f.supervisor.status !== null;
  if (c.checksum === "foreign") {
    out.push({
      area: "config",
      code: "CONFIG_NOT_SVCROUTE",
      result: "FAIL",
      finding: `${c.file.path} was not written by svcroute (no svcroute header)`,
      evidence: excerpt((c.file.text ?? "").split("\n"), 3),
      fix: "let svcroute own it: move any hand-written config away and restart svcroute, which writes the file",
    });
  } else if (c.checksum === "edited") {
    out.push({
      area: "config",
      code: "CONFIG_HAND_EDITED",
      result: "FAIL",
      finding: `${c.file.path} was edited after svcroute wrote it (checksum mismatch); ${supervised ? "the supervisor replaces it on its next verification" : "the supervisor replaces it when it starts"}`,
      fix: "put the change in the manifest instead; `svcroute diff` shows what differs; `systemctl reload svcroute` rewrites the file",
    });
  }
  const marker = /svcroute-managed manifest=([0-9a-f]{12})/.exec(c.file.text ?? "")?.[1];
  if (c.checksum === "intact" && marker && marker !== m.hash.slice(0, 12)) {
    out.push({
      area: "config",
      code: "CONFIG_STALE",
      result: "FAIL",
      finding: `${c.file.path} was rendered from another manifest (${marker}, the manifest on disk is ${m.hash.slice(0, 12)}): the last change was not applied`,
      ...(c.parserCheck && !c.parserCheck.ok ? { evidence: `${c.parserCheck.judges.join(" + ")} rejects what the manifest on disk renders:\n${c.parserCheck.evidence}` } : {}),
      fix:
        c.parserCheck && !c.parserCheck.ok
          ? "the daemon refuses the new config: change the manifest back (or fix what the evidence names), then `systemctl reload svcroute`; `svcroute diff` shows the change"
          : "see the supervisor findings below for why (a rejected config or a failed reload); `svcroute diff` shows the change; `systemctl reload svcroute` retries",
    });
  }
  if (c.runningDiff && (c.runningDiff.toAdd.length || c.runningDiff.toDelete.length)) {
    out.push({
      area: "config",
      code: "CONFIG_NOT_RUNNING",
      result: "FAIL",
      finding: `the running ${m.daemon.type} config differs from ${c.file.path}`,
      evidence: excerpt([...c.runningDiff.toDelete.map((l) => `- ${l}`), ...c.runningDiff.toAdd.map((l) => `+ ${l}`)], 12),
      fix: `${supervised ? "the supervisor re-applies it on its next verification" : "the supervisor is not running to re-apply it"}; by hand: svcroute diff, then systemctl reload svcroute`,
    });
  }
  if (m.daemon.type === "bird" && c.birdProtocols && c.protocolsInFile) {
    // BIRD cannot print its running config. svcroute's fast path switches service statics with
    // `birdc enable|disable` and then rewrites the file without a reconfiguration, so a file newer
    // than the last reconfiguration proves nothing: compare the protocols instead.
    const running = new Map(c.birdProtocols.map((x) => [x.name, x]));
    const inFile = c.protocolsInFile;
    const fileNames = new Set(inFile.map((x) => x.name));
    const diffs: string[] = [];
    for (const p of inFile) {
      const r = running.get(p.name);
      if (!r) diffs.push(`+ protocol ${p.proto} ${p.name}: in the file, not running`);
      else if (p.proto === "static" && p.disabled !== (r.state === "down")) diffs.push(`~ protocol static ${p.name}: ${p.disabled ? "disabled" : "enabled"} in the file, ${r.state} in BIRD`);
    }
    // only svcroute's own names: BIRD names unnamed protocols itself (device1, …)
    for (const r of c.birdProtocols) if (/^(peer_|svc[46]_)/.test(r.name) && !fileNames.has(r.name)) diffs.push(`- protocol ${r.proto.toLowerCase()} ${r.name}: running, not in the file`);
    const newer = c.lastReconfigMs !== null && c.file.mtimeMs !== undefined && c.file.mtimeMs > c.lastReconfigMs + 1000;
    if (diffs.length) {
      out.push({
        area: "config",
        code: "CONFIG_NOT_RUNNING",
        result: "FAIL",
        finding: `the running BIRD differs from ${c.file.path}${newer ? " (the file changed after BIRD last loaded a config)" : ""}`,
        evidence: excerpt(diffs, 12),
        fix: `${supervised ? "the supervisor re-applies it on its next verification" : "the supervisor is not running to re-apply it"}; by hand: birdc configure (then check \`svcroute diff\`)`,
      });
    }
  }
  const equal = c.runningDiff ? ", and equals the running config" : m.daemon.type === "bird" && c.birdProtocols ? ", and BIRD runs its protocols as the file says" : "";
  if (!out.length) out.push(ok("config", `${c.file.path} is svcroute's, unchanged${equal}`));
  return out;
};

/** ADDRESS is on the subnet of the interface address IFADDR/LEN (a /32 or /128 has no neighbours) */
function onSubnet(ifAddr: string, address: string): boolean {
  const [a, l] = ifAddr.split("/");
  const local = parseIP(a ?? "");
  const ip = parseIP(address);
  const len = Number(l);
  if (!local || !ip || local.family !== ip.family) return false;
  const width = local.family === 4 ? 32 : 128;
  if (!(len >= 0 && len < width)) return false;
  const mask = ((1n << BigInt(width)) - 1n) ^ ((1n << BigInt(width - len)) - 1n);
  const net: Prefix = { family: local.family, addr: local.addr & mask, len, text: "" };
  return prefixContains(net, { family: ip.family, addr: ip.addr, len: width, text: "" });
}

/** what `ip route get` says about a peer's address, when that alone explains a dead session */
function routeProblem(f: Facts, name: string, address: string, multihop: boolean): { finding: string; evidence: string; fix?: string } | null {
  // the address is on the subnet of a link that is down: the link, not the address, is the fault
  const onLink = f.host.interfaces?.find((i) => i.addrs.some((a) => onSubnet(a, address)));
  if (onLink && (!onLink.up || !onLink.carrier)) {
    return {
      finding: `the link ${onLink.name} it is on is ${!onLink.up ? "administratively down" : "down (no carrier)"}`,
      evidence: `ip link: ${onLink.name} ${onLink.up ? "UP" : "DOWN"}${onLink.carrier ? "" : " NO-CARRIER"} ${onLink.addrs.join(" ")}`,
      fix: !onLink.up ? `ip link set ${onLink.name} up` : `check the cable / the ToR's port for ${onLink.name}`,
    };
  }
  const r = f.routes[name];
  if (!r) return null;
  if (!r.ok) return { finding: `the kernel has no route to it (${r.error})`, evidence: `ip route get: ${r.error}` };
  if (r.type === "local" || r.type === "broadcast" || r.type === "multicast") return { finding: `it is a ${r.type} address of this host, not a neighbour's`, evidence: `ip route get: ${r.type} on ${r.dev}` };
  if (r.gateway && !multihop) {
    return {
      finding: `it is not on a directly connected network (the kernel would send to it via ${r.gateway} dev ${r.dev}), and an eBGP peer without multihop must be`,
      evidence: `ip route get: via ${r.gateway} dev ${r.dev}`,
    };
  }
  return null;
}

function diagnoseSession(p: NonNullable<Facts["peers"]>[number], f: Facts): Finding {
  const m = f.manifest!;
  const peer = m.peers.find((x) => x.name === p.name);
  const endpoint = peer?.address ?? `interface ${peer?.interface}`;
  const err = p.lastError ?? "";
  const base = { area: "sessions", result: "FAIL" as const, evidence: `${p.name} (${endpoint}): state ${p.state}${err ? `; last error: ${err}` : ""}` };
  const withEvidence = (extra: string) => `${base.evidence}\n${extra}`;
  if (/Bad Peer AS|Bad peer AS|remote AS/i.test(err)) {
    // FRR: "BGP Notification send|received"; BIRD: "BGP Error: …" (we refused) or "Received: …" (they did)
    const weRefused = /Notification send|BGP Error:/i.test(err);
    const theyRefused = /Notification received|Received:/i.test(err);
    const finding = weRefused
      ? `${p.name} answered with another AS number than peers[${p.name}].remote_asn (${peer?.remoteAsn}): this host refused its OPEN (Bad Peer AS)`
      : theyRefused
        ? `${p.name} refused our OPEN (Bad Peer AS): it expects another AS number than router.asn (${m.router.asn})`
        : `${p.name}: the AS numbers do not match (Bad Peer AS)`;
    const fix = weRefused
      ? `set peers[${p.name}].remote_asn to the ToR's own ASN (on the ToR: show bgp summary, "local AS")`
      : theyRefused
        ? `make router.asn equal the ToR's neighbor … remote-as for this host (or fix the ToR's)`
        : `check peers[${p.name}].remote_asn against the ToR's ASN, and router.asn against the ToR's neighbor remote-as`;
    return { ...base, code: "SESSION_ASN_MISMATCH", finding, fix };
  }
  if (/Bad BGP Identifier|router.?id/i.test(err)) return { ...base, code: "SESSION_ROUTER_ID", finding: `${p.name}: router ID conflict`, fix: "set a router.router_id unique among BGP speakers" };
  if (/auth|md5|password/i.test(err)) return { ...base, code: "SESSION_AUTH", finding: `${p.name}: TCP-MD5 authentication fails`, fix: `make ${peer?.passwordFile ?? "the password file"} and the ToR's neighbor password equal` };
  if (/hold timer|Hold Timer/i.test(err)) return { ...base, code: "SESSION_HOLD_TIMER", finding: `${p.name}: the session keeps dying by hold timer`, fix: "check the link (packet loss, MTU) and that both sides agree on timers" };
  if (/Admin|administratively|disabled|shutdown/i.test(`${err} ${p.state}`)) {
    return { ...base, code: "SESSION_ADMIN_DOWN", finding: `${p.name}: the session is administratively shut`, fix: m.daemon.type === "bird" ? `birdc enable ${p.name}` : "remove the neighbor shutdown on the ToR or host" };
  }
  if (/Active|Connect|Idle/.test(p.state)) {
    const routeGet = `ip route get ${peer?.address ?? "<peer>"}`;
    const route = peer?.address ? routeProblem(f, p.name, peer.address, peer.multihop !== undefined) : null;
    if (route) {
      return {
        ...base,
        evidence: withEvidence(route.evidence),
        code: "SESSION_NO_TCP",
        finding: `${p.name}: no BGP/TCP session with ${endpoint} (${p.state}): ${route.finding}${route.fix ? "" : `. A typo in peers[${p.name}].address?`}`,
        fix: route.fix
          ? `${route.fix}; ${routeGet} shows the path once it is up`
          : `${routeGet} shows where it goes; set peers[${p.name}].address to the ToR's address on the link to it (ip addr shows each link's subnet)`,
      };
    }
    const md5 = f.tcpMd5;
    const hasPw = Boolean(peer?.passwordFile);
    // the kernel drops segments with a bad or missing TCP-MD5 signature without a word to the daemon
    const md5Seen = md5 ? (hasPw ? md5.failure + md5.notFound : md5.unexpected) : 0;
    if (md5 && md5Seen > 0) {
      const what = hasPw
        ? md5.failure > 0
          ? `the kernel dropped ${md5.failure} segment(s) whose TCP-MD5 signature did not match: ${p.name} uses another password than ${peer!.passwordFile}`
          : `the kernel dropped ${md5.notFound} segment(s) without a TCP-MD5 signature: ${p.name} has no password set for this host (or no neighbor for it at all)`
        : `the kernel dropped ${md5.unexpected} TCP-MD5 signed segment(s): ${p.name} has a password set, peers[${p.name}] has no password_file`;
      return {
        ...base,
        evidence: withEvidence(`TcpExt (since boot, this network namespace): TCPMD5Failure=${md5.failure} TCPMD5NotFound=${md5.notFound} TCPMD5Unexpected=${md5.unexpected}`),
        code: "SESSION_AUTH",
        finding: `${p.name}: TCP-MD5 authentication fails (${p.state}): ${what}`,
        fix: hasPw
          ? `make ${peer!.passwordFile} hold exactly the password of the ToR's neighbor … password for this host (one line, no trailing spaces), then systemctl reload svcroute`
          : `set peers[${p.name}].password_file to a file with the ToR's password, or remove the password on the ToR`,
      };
    }
    const pw = hasPw ? " A TCP-MD5 password mismatch also looks like this: the peer drops our packets silently." : "";
    return {
      ...base,
      code: "SESSION_NO_TCP",
      finding: `${p.name}: no BGP/TCP session with ${endpoint} (${p.state}): wrong address, link down, no route, or the ToR has no neighbor for us.${pw}`,
      fix: `${routeGet}; ip link; check that the ToR has a neighbor for this host's address and ASN ${m.router.asn}${hasPw ? `; compare ${peer!.passwordFile} with the ToR's password` : ""}`,
    };
  }
  if (/OpenSent|OpenConfirm/.test(p.state)) {
    return { ...base, code: "SESSION_OPEN_FAILS", finding: `${p.name}: TCP works but the OPEN exchange does not complete`, fix: "compare ASNs, capabilities and hold time with the ToR" };
  }
  return { ...base, code: "SESSION_DOWN", finding: `${p.name}: session ${p.state}`, fix: "see the evidence" };
}

const sessionChecks: Check = (f) => {
  const m = f.manifest;
  if (!m || !f.peers) return f.manifest && !f.daemon.reachable ? [{ area: "sessions", code: "SESSIONS_SKIPPED", result: "SKIP", finding: "the daemon is not reachable" }] : [];
  const out: Finding[] = [];
  for (const p of f.peers) {
    if (p.state === "Established") {
      const bfdWanted = m.peers.find((x) => x.name === p.name)?.bfd;
      const addr = m.peers.find((x) => x.name === p.name)?.address;
      const bfd = f.bfd?.find((b) => b.address === addr);
      if (bfdWanted && f.bfd && (!bfd || bfd.state.toLowerCase() !== "up")) {
        out.push({ area: "sessions", code: "BFD_DOWN", result: "WARN", finding: `${p.name}: BGP is up but BFD is ${bfd?.state ?? "absent"}: failures are detected only by the hold timer`, fix: "enable BFD for this neighbor on the ToR too (bfdd running on both)" });
      }
    } else out.push(diagnoseSession(p, f));
  }
  const up = f.peers.filter((p) => p.state === "Established").length;
  if (!out.some((x) => x.result === "FAIL")) out.unshift(ok("sessions", `${up}/${f.peers.length} peer(s) Established`));
  return out;
};

const advertisementChecks: Check = (f) => {
  const m = f.manifest;
  if (!m || !f.peers) return [];
  const out: Finding[] = [];
  const desired = new Set(f.config.announcedInFile ?? []);
  const desiredFrom = f.supervisor.status ? "the supervisor's desired state" : "the config on disk";
  const desiredFromStatus = f.supervisor.status?.services.flatMap((s) => s.prefixes.filter((p) => p.desired !== "withdrawn").map((p) => p.prefix));
  const want = new Set(desiredFromStatus ?? desired);
  // services[].peers: a prefix goes only to its service's peers
  const peersOf = new Map(m.services.flatMap((s) => s.prefixes.map((p) => [p.text, s.peers] as const)));
  for (const p of f.peers) {
    if (p.state !== "Established" || !p.advertised) continue;
    const fams = m.peers.find((x) => x.name === p.name)?.families ?? [4];
    const have = new Set(fams.flatMap((fam) => p.advertised![String(fam) as "4" | "6"]));
    const wanted = [...want].filter((x) => {
      const pr = parsePrefix(x);
      return pr.ok && fams.includes(pr.prefix.family) && (peersOf.get(x)?.includes(p.name) ?? true);
    });
    const wantedHere = new Set(wanted);
    const missing = wanted.filter((x) => !have.has(x));
    const extra = [...have].filter((x) => !wantedHere.has(x));
    if (missing.length) {
      out.push({
        area: "advertisement",
        code: "ADV_MISSING",
        result: "FAIL",
        finding: `${p.name}: ${missing.join(" ")} should be announced (per ${desiredFrom}) but are not`,
        fix: "the supervisor repairs this on its next verification; if it persists, check the supervisor findings and `svcroute diff`",
      });
    }
    if (extra.length) {
      out.push({
        area: "advertisement",
        code: "ADV_UNEXPECTED",
        result: "FAIL",
        finding: `${p.name}: ${extra.join(" ")} ${extra.length > 1 ? "are" : "is"} announced but should not be`,
        fix: "someone changed the running daemon by hand: `systemctl reload svcroute` (or restart the daemon) restores svcroute's config",
      });
    }
  }
  if (m.policy.accept === "default-only" && f.host.kernelDefault) {
    const has4 = m.peers.some((p) => p.families.includes(4));
    if (has4 && f.host.kernelDefault.v4 === 0 && f.peers.some((p) => p.state === "Established")) {
      out.push({
        area: "advertisement",
        code: "DEFAULT_MISSING",
        result: "WARN",
        finding: "accept: default-only, but no BGP default route is installed in the kernel",
        fix: "check that the ToRs send a default route to this host (e.g. neighbor … default-originate)",
      });
    }
  }
  if (!out.length) out.push(ok("advertisement", `every Established peer receives exactly the ${want.size} prefix(es) ${f.supervisor.status ? "the supervisor wants announced" : "the config on disk announces"}`));
  return out;
};

const hostChecks: Check = (f) => {
  const m = f.manifest;
  if (!m) return [];
  const out: Finding[] = [];
  const iface = m.addresses.interface;
  if (f.host.addresses) {
    const have = new Set(f.host.addresses);
    const hostLen = (a: string) => `${a}/${a.includes(":") ? 128 : 32}`;
    // the supervisor withholds a service whose address is missing; without it (or before its
    // next look), a prefix announced without its address attracts traffic that is dropped. A
    // withdrawn prefix attracts none: what the supervisor wants announced and what the config on
    // disk announces (the supervisor reports nothing as wanted while it has no applied config)
    const status = f.supervisor.status?.services;
    const blocked = new Set(status?.filter((s) => s.address_missing.length).map((s) => s.name));
    const fromStatus = status?.flatMap((s) => s.prefixes.filter((p) => p.desired !== "withdrawn").map((p) => p.prefix));
    const announced = fromStatus || f.config.announcedInFile ? new Set([...(fromStatus ?? []), ...(f.config.announcedInFile ?? [])]) : undefined;
    const needed = (s: (typeof m.services)[number]) => blocked.has(s.name) || !announced || s.prefixes.some((p) => announced.has(p.text));
    const missing = m.services.flatMap((s) => (needed(s) ? s.addresses.filter((a) => !have.has(a)).map((a) => ({ addr: hostLen(a), service: s.name })) : []));
    if (missing.length) {
      const withheld = [...new Set(missing.filter((x) => blocked.has(x.service)).map((x) => x.service))];
      const dropped = missing.some((x) => !blocked.has(x.service));
      out.push({
        area: "host",
        code: "ADDR_MISSING",
        result: "WARN",
        finding: [
          `service address(es) not on this host: ${missing.map((x) => `${x.addr} (${x.service})`).join(", ")}`,
          ...(withheld.length ? [`${withheld.join(", ")} not announced until the address is back`] : []),
          ...(dropped ? ["traffic to an announced prefix without its address arrives here and is dropped"] : []),
        ].join(": "),
        fix:
          [...new Set(missing.map((x) => `ip addr add ${x.addr} dev ${iface}`))].join("; ") +
          (m.addresses.manage ? "" : " (or set addresses.manage: true)") +
          "; for a prefix routed to something behind this host, set the service's `address: none`",
      });
    }
  }
  const s = f.host.sysctl;
  const multi = m.peers.length > 1;
  if (multi && (s["net.ipv4.conf.all.rp_filter"] === "1" || s["net.ipv4.conf.default.rp_filter"] === "1")) {
    out.push({
      area: "host",
      code: "SYSCTL_RP_FILTER",
      result: "WARN",
      finding: "strict reverse-path filtering (rp_filter=1) drops traffic that arrives on one uplink and leaves by another",
      evidence: `net.ipv4.conf.all.rp_filter=${s["net.ipv4.conf.all.rp_filter"]} net.ipv4.conf.default.rp_filter=${s["net.ipv4.conf.default.rp_filter"]}`,
      fix: "sysctl -w net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.default.rp_filter=2 (and persist it in /etc/sysctl.d/)",
    });
  }
  if (iface === "lo" && (s["net.ipv4.conf.all.arp_ignore"] === "0" || s["net.ipv4.conf.all.arp_announce"] === "0") && m.services.some((x) => x.prefixes.some((p) => p.family === 4))) {
    out.push({
      area: "host",
      code: "SYSCTL_ARP",
      result: "WARN",
      finding: "service addresses on lo are answered for in ARP on every interface (arp_ignore=0 / arp_announce=0): on a shared L2 segment this host would attract traffic for an anycast address",
      evidence: `arp_ignore=${s["net.ipv4.conf.all.arp_ignore"]} arp_announce=${s["net.ipv4.conf.all.arp_announce"]}`,
      fix: "sysctl -w net.ipv4.conf.all.arp_ignore=1 net.ipv4.conf.all.arp_announce=2",
    });
  }
  if (s["net.ipv4.ip_forward"] === "1" || s["net.ipv6.conf.all.forwarding"] === "1") {
    out.push({
      area: "host",
      code: "SYSCTL_FORWARDING",
      result: "WARN",
      finding: "IP forwarding is on: this host would route traffic between its links, which a service host should not",
      evidence: `net.ipv4.ip_forward=${s["net.ipv4.ip_forward"]} net.ipv6.conf.all.forwarding=${s["net.ipv6.conf.all.forwarding"]}`,
      fix: "sysctl -w net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0, unless this host is meant to route",
    });
  }
  if (!out.length) out.push(ok("host", "service addresses present on this host; sysctls fine for an anycast host"));
  return out;
};

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);

const supervisorChecks: Check = (f) => {
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
  if (!out.length) out.push(ok("supervisor", `running (pid ${st.pid}); last reconcile ${r?.result ?? "none"}${r ? ` at ${clock(r.at)} (${r.path} path)` : ""}; every service UP`));
  return out;
};

const CHECKS: Check[] = [manifestChecks, daemonChecks, configChecks, sessionChecks, advertisementChecks, hostChecks, supervisorChecks];

export function diagnose(f: Facts): Finding[] {
  return CHECKS.flatMap((c) => c(f));
}
