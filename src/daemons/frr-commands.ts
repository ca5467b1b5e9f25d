// The vty commands the FRR driver sends, built from the model (pure): a fast-path toggle, the
// removal of prefixes no `network` line names, the route refresh, and the sweep that withdraws
// every network of a running config.
import { SvcrouteError } from "../errors.js";
import { serviceNamed, type RoutingModel } from "../core/model.js";
import { frrNames } from "../core/names.js";
import type { ToggleOp } from "./driver.js";

/** `[no] network P [route-map X]` per address family, withdrawals first, in one configure session */
export function toggleCommands(model: RoutingModel, ops: readonly ToggleOp[]): string[] {
  const byAf = new Map<string, string[]>();
  // withdrawals first, as for BIRD
  const sorted = [...ops].sort((a, b) => Number(a.to !== "withdrawn") - Number(b.to !== "withdrawn"));
  for (const op of sorted) {
    const svc = serviceNamed(model, op.service);
    const p = svc?.prefixes.find((x) => x.prefix === op.prefix);
    // a prefix no longer in the manifest is only ever withdrawn
    if (!p && op.to !== "withdrawn") throw new SvcrouteError("E_INTERNAL", `no prefix ${op.prefix} in service ${op.service}`);
    const stmt = p?.frrNetworkByState[op.to] ?? null;
    const af = p?.frrAddressFamily ?? frrNames.addressFamily(op.family);
    const lines = byAf.get(af) ?? [];
    if (stmt === null) lines.push(`no network ${op.prefix}`);
    else {
      // a route-map change on an existing network: replace it. (FRR 8.4 also updates the
      // route-map in place; with both lines in one vtysh session the ToR sees one UPDATE with
      // the new attributes and no withdrawal: test/lab/supervisor.test.ts checks its log.)
      // (from = to: the same state with other attributes, so another statement than the running one)
      if (op.from !== "withdrawn" && (op.from === op.to || p!.frrNetworkByState[op.from] !== stmt)) lines.push(`no network ${op.prefix}`);
      lines.push(stmt);
    }
    byAf.set(af, lines);
  }
  const cmds = ["configure terminal", `router bgp ${model.asn}`];
  for (const [af, lines] of byAf) cmds.push(`address-family ${af}`, ...lines, "exit-address-family");
  cmds.push("end");
  return cmds;
}

/**
 * A prefix no `network` line names, yet still in bgpd's table (FRR 8.4, seen right after a
 * restart): configured and removed again in one session, which takes it out (both lines land
 * within bgpd's route-processing hold, so nothing is sent in between). Empty: none.
 */
export function orphanCommands(model: RoutingModel, stale: readonly { prefixes: readonly string[] }[]): string[] {
  const orphans = model.frr.bgp.addressFamilies.flatMap((af) => {
    const named = new Set(af.networks.map((n) => n.split(" ")[1]));
    const extra = [...new Set(stale.flatMap((x) => x.prefixes))].filter((p) => (p.includes(":") ? 6 : 4) === af.family && !named.has(p));
    return extra.length ? [`address-family ${af.name}`, ...extra.flatMap((p) => [`network ${p}`, `no network ${p}`]), "exit-address-family"] : [];
  });
  return orphans.length ? ["configure terminal", `router bgp ${model.asn}`, ...orphans, "end"] : [];
}

/** `clear bgp AF N soft out` for each address family of each named peer: its routes sent again */
export function refreshCommands(model: RoutingModel, peers: readonly string[]): string[] {
  const keys = model.frr.bgp.neighbors.filter((n) => peers.includes(n.peer)).map((n) => n.key);
  return model.frr.bgp.addressFamilies.flatMap((af) => af.neighbors.filter((n) => keys.includes(n.key)).map((n) => `clear bgp ${af.name} ${n.key} soft out`));
}

/** `no network` for every network of a running config (`show running-config`); empty when it has none */
export function sweepCommands(runningConfig: string): string[] {
  const asn = /^router bgp (\d+)/m.exec(runningConfig)?.[1];
  if (!asn) return [];
  const cmds = ["configure terminal", `router bgp ${asn}`];
  let af = "";
  for (const line of runningConfig.split("\n")) {
    const a = /^ address-family (ipv[46] unicast)/.exec(line);
    if (a) af = a[1]!;
    const n = /^\s+network (\S+)/.exec(line);
    if (n && af) cmds.push(`address-family ${af}`, `no network ${n[1]}`, "exit-address-family");
  }
  return cmds.length > 2 ? [...cmds, "end"] : [];
}
