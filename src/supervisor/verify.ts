// Proof of the running state: per Established peer, the prefixes the daemon advertises must equal
// the desired announced set of the services announced to that peer, in the families it carries. Pure.
import type { RoutingModel } from "../core/model.js";
import type { Observed } from "../daemons/driver.js";
import type { Manifest } from "../manifest/types.js";

export interface PeerMismatch {
  peer: string;
  missing: string[];
  extra: string[];
  /** the daemon counts another number of routes sent than were read (a narrow read: narrow-proof.ts) */
  counted?: { sent: number; expected: number };
}

export interface Verification {
  ok: boolean;
  mismatches: PeerMismatch[];
  /** peers not Established (not a mismatch: nothing can be advertised to them) */
  down: string[];
}

/** what `peer` should receive: the announced prefixes of the services announced to it, in its families */
function expectedFor(model: RoutingModel, peer: string, families: (4 | 6)[]): string[] {
  const out: string[] = [];
  for (const s of model.services) {
    if (!s.peers.includes(peer)) continue;
    for (const p of s.prefixes) if (p.allowed && p.announce !== "withdrawn" && families.includes(p.family)) out.push(p.prefix);
  }
  return out.sort();
}

export function verify(manifest: Manifest, model: RoutingModel, observed: Observed): Verification {
  const mismatches: PeerMismatch[] = [];
  const down: string[] = [];
  for (const peer of manifest.peers) {
    const o = observed.peers.find((x) => x.name === peer.name);
    if (!o || o.state !== "Established" || !o.advertised) {
      down.push(peer.name);
      continue;
    }
    const want = new Set(expectedFor(model, peer.name, peer.families));
    const have = new Set(peer.families.flatMap((f) => o.advertised![String(f) as "4" | "6"]));
    const missing = [...want].filter((p) => !have.has(p)).sort();
    const extra = [...have].filter((p) => !want.has(p)).sort();
    if (missing.length || extra.length) mismatches.push({ peer: peer.name, missing, extra });
  }
  return { ok: mismatches.length === 0, mismatches, down };
}

export function describeMismatches(ms: PeerMismatch[]): string {
  return ms
    .map((m) =>
      [m.missing.length ? `missing ${m.missing.join(" ")}` : "", m.extra.length ? `unexpected ${m.extra.join(" ")}` : "", m.counted ? `${m.counted.sent} routes sent where ${m.counted.expected} are expected` : ""]
        .filter(Boolean)
        .join(", "),
    )
    .map((what, i) => `${ms[i]!.peer}: ${what}`)
    .join("; ");
}
