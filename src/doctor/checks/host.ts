// Doctor rules for the host: service addresses present, and the sysctls (forwarding, ARP, rp_filter) a service host needs.
import type { Check, Finding } from "../types.js";
import { ok } from "./common.js";

export const hostChecks: Check = (f) => {
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
  if (m.daemon.type === "bird" && !m.daemon.logFile && !f.host.syslogSocket) {
    out.push({
      area: "host",
      code: "SYSLOG_MISSING",
      result: "WARN",
      finding:
        "BIRD logs to syslog (the manifest names no daemon.log_file) and no syslog daemon listens on /dev/log: BIRD writes each message to /dev/console instead, which can take milliseconds a message (a reload of thousands of services logs a line per service)",
      evidence: "/dev/log: not a socket",
      fix: "set daemon.log_file in the manifest (e.g. /var/log/bird/bird.log, writable by the bird user), or run a syslog daemon (systemd-journald, rsyslog)",
    });
  }
  if (!out.length) out.push(ok("host", "service addresses present on this host; sysctls fine for an anycast host"));
  return out;
};
