// What the demo prints: each ToR's view of the service prefixes as a small table, path counts for
// the measured waits, the cheat sheet of a kept fabric. Plain lines only (CI logs, no TTY needed).
import type { Lab } from "./lab.js";
import type { BgpRoute } from "./observe.js";

export const INDENT = "      ";

export function secs(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** the host behind a next hop address on one of the fabric's links */
export function hostOfNexthop(lab: Lab, ip: string): string {
  return lab.plan.links.find((l) => l.host4 === ip || l.host6 === ip || l.hostLL === ip)?.host ?? ip;
}

/** paths the ToR forwards on: the best one and its multipath siblings */
export function usedPaths(r: BgpRoute | undefined): BgpRoute["paths"] {
  return (r?.paths ?? []).filter((p) => p.valid && (p.best || p.multipath));
}

/** names of the hosts the ToR uses for `prefix`, sorted */
export async function pathsVia(lab: Lab, tor: string, prefix: string): Promise<string[]> {
  const r = await lab.observe.route(tor, prefix);
  return usedPaths(r)
    .flatMap((p) => p.nexthops.slice(0, 1))
    .map((n) => hostOfNexthop(lab, n))
    .sort();
}

const ipKey = (prefix: string): number[] => (prefix.split("/")[0] ?? "").split(".").map(Number);
const byAddress = (a: string, b: string): number => {
  const x = ipKey(a);
  const y = ipKey(b);
  for (let i = 0; i < 4; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
};

function table(rows: string[][]): string[] {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join("  ").trimEnd());
}

/** e.g. "192.0.2.100/32  2  hbird 169.254.1.1, hfrr 169.254.3.1  (ECMP)" rows of one ToR */
export async function torView(lab: Lab, tor: string, only: (prefix: string) => boolean): Promise<string[]> {
  const t = lab.tor(tor);
  const routes = [...(await lab.observe.bgpTable(tor, "ipv4")).values()].filter((r) => only(r.prefix)).sort((a, b) => byAddress(a.prefix, b.prefix));
  const rows = [["prefix", "paths", "via (host next-hop)"]];
  for (const r of routes) {
    const used = usedPaths(r).sort((a, b) => hostOfNexthop(lab, a.nexthops[0] ?? "").localeCompare(hostOfNexthop(lab, b.nexthops[0] ?? "")));
    const via = used.map((p) => `${hostOfNexthop(lab, p.nexthops[0] ?? "?")} ${p.nexthops[0] ?? "?"}`).join(", ");
    rows.push([r.prefix, String(used.length), `${via}${used.length > 1 ? "  (ECMP)" : ""}`]);
  }
  if (routes.length === 0) rows.push(["(no service prefixes)", "", ""]);
  return [`${tor} (AS${t.asn}):`, ...table(rows).map((l) => `  ${l}`)];
}

/** the ToR's kernel route to `prefix` as "via A dev X, via B dev Y" */
export async function kernelNexthops(lab: Lab, tor: string, prefix: string): Promise<string> {
  const r = await lab.observe.kernelRoute(tor, prefix);
  if (!r) return "no kernel route";
  return r.nexthops.map((n) => `via ${n.gateway ?? "?"} dev ${n.dev ?? "?"}`).join(", ");
}

export function indent(text: string, by = INDENT): string {
  return text
    .trimEnd()
    .split("\n")
    .map((l) => (l ? by + l : l))
    .join("\n");
}

export function plural(n: number, word: string, many = `${word}s`): string {
  return `${n} ${n === 1 ? word : many}`;
}
