// Pure parsers of what doctor reads from the host itself: `ip -j route get`, `ip -j route show
// default` and the kernel's TCP counters (/proc/net/netstat). Unit-tested on outputs captured in the
// lab (test/fixtures/captured/doctor/). The daemons' outputs are parsed in src/daemons/.
import type { RouteLookup, TcpMd5Counters } from "./types.js";

/** `ip -j route get ADDR`: exit code and output → how the kernel would reach ADDR */
export function parseRouteGet(r: { code: number | null; stdout: string; stderr: string }): RouteLookup {
  const said = (r.stderr || r.stdout).trim().replace(/^RTNETLINK answers: /, "");
  if (r.code !== 0) return { ok: false, error: said || `exit ${r.code ?? "?"}` };
  try {
    const j = JSON.parse(r.stdout) as { dev?: string; gateway?: string; type?: string }[];
    const first = j[0];
    if (!first?.dev) return { ok: false, error: said || "no route" };
    return { ok: true, dev: first.dev, gateway: first.gateway ?? null, type: first.type ?? "unicast" };
  } catch {
    return { ok: false, error: `unreadable output of ip route get: ${said.slice(0, 200)}` };
  }
}

/**
 * /proc/net/netstat (and /proc/net/snmp): pairs of lines, a header `Section: Name Name …` and a
 * value line `Section: 1 2 …` → section → counter → value
 */
export function parseNetstat(text: string): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  const lines = text.split("\n").filter((l) => l.trim() !== "");
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const [hs, ...names] = lines[i]!.trim().split(/\s+/);
    const [vs, ...values] = lines[i + 1]!.trim().split(/\s+/);
    if (!hs || hs !== vs || !hs.endsWith(":")) continue;
    const sec = hs.slice(0, -1);
    const rec: Record<string, number> = (out[sec] ??= {});
    names.forEach((n, k) => {
      const v = Number(values[k]);
      if (Number.isFinite(v)) rec[n] = v;
    });
  }
  return out;
}

/** the TCP-MD5 counters of TcpExt, or null when the kernel has none */
export function tcpMd5Counters(netstat: Record<string, Record<string, number>>): TcpMd5Counters | null {
  const t = netstat.TcpExt;
  if (!t || t.TCPMD5Failure === undefined) return null;
  return { failure: t.TCPMD5Failure, notFound: t.TCPMD5NotFound ?? 0, unexpected: t.TCPMD5Unexpected ?? 0 };
}

/** `ip -j route show default`: next hops of the default routes a routing daemon installed */
export function countDaemonDefaults(stdout: string): number {
  const j = JSON.parse(stdout || "[]") as { nexthops?: unknown[]; protocol?: string }[];
  return j.filter((x) => x.protocol === "bgp" || x.protocol === "bird").reduce((n, x) => n + (x.nexthops?.length ?? 1), 0);
}
