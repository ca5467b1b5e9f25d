// Doctor rules for each BGP session and its BFD: up, or why not (address, route, AS, password, hold timer, router id).
import { parseIP, prefixContains, type Prefix } from "../../manifest/ip.js";
import type { Check, Facts, Finding } from "../types.js";
import { ok } from "./common.js";

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

export const sessionChecks: Check = (f) => {
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
