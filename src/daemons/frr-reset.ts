// Which sessions a full FRR reload must reset. A graceful-restart setting takes effect only in a
// new session (its capability is in the OPEN), and frr-reload.py's warning says neither which
// sessions nor always (FRR 8.4 prints none when `bgp graceful-restart-disable` goes away). So the
// driver reads the sessions before and after the apply, and resets exactly those that were up
// before it, are still the same session and whose local graceful-restart mode changed: never one
// that came up during the apply (e.g. every session of a cold start), nor one FRR reset itself.

/** one neighbour's session as far as the decision needs it */
export interface GrSession {
  /** address or interface, as `clear bgp` takes it */
  key: string;
  state: string;
  /** FRR's connectionsEstablished: a new session counts one more */
  established: number | null;
  /** the local graceful-restart mode, without FRR's "*" (inherited from the global setting) */
  grMode: string | null;
}

/** `show bgp neighbors json` → the neighbours' sessions and graceful-restart modes */
export function parseGrSessions(doc: unknown): GrSession[] {
  if (!doc || typeof doc !== "object") return [];
  return Object.entries(doc as Record<string, unknown>).flatMap(([key, v]) => {
    if (!v || typeof v !== "object") return [];
    const n = v as { bgpState?: unknown; connectionsEstablished?: unknown; gracefulRestartInfo?: { localGrMode?: unknown } };
    if (typeof n.bgpState !== "string") return [];
    const mode = n.gracefulRestartInfo?.localGrMode;
    return [
      {
        key,
        state: n.bgpState,
        established: typeof n.connectionsEstablished === "number" ? n.connectionsEstablished : null,
        grMode: typeof mode === "string" ? mode.replace(/\*$/, "") : null,
      },
    ];
  });
}

/** states in which the OPEN was already exchanged, under the settings of that moment */
const OPENED = new Set(["OpenSent", "OpenConfirm", "Established"]);

/**
 * The neighbours to reset after an apply: Established now, in the session that had exchanged its
 * OPEN before the apply (the same one, or the next one completing that handshake), and with a
 * different local graceful-restart mode than before.
 */
export function sessionsToReset(before: readonly GrSession[], after: readonly GrSession[]): string[] {
  return after.flatMap((a) => {
    const b = before.find((x) => x.key === a.key);
    if (!b || !OPENED.has(b.state) || a.state !== "Established") return [];
    if (a.grMode === null || b.grMode === null || a.grMode === b.grMode) return [];
    if (a.established === null || b.established === null) return [];
    const sameSession = a.established === b.established + (b.state === "Established" ? 0 : 1);
    return sameSession ? [a.key] : [];
  });
}
