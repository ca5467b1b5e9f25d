// Doctor rules for what each peer is sent and sends: the desired prefixes, nothing else, the default route.
import { parsePrefix } from "../../manifest/ip.js";
import type { Check, Finding } from "../types.js";
import { ok } from "./common.js";

export const advertisementChecks: Check = (f) => {
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
