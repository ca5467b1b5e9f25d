// Common waits built on waitFor and the observers: sessions up or down, a prefix present or gone.
import { inspect, isDeepStrictEqual } from "node:util";
import type { Lab } from "./lab.js";
import type { Family, LinkPlan } from "./topology.js";
import { waitFor, type Waited } from "./wait.js";

const DEFAULT_TIMEOUT = 30_000;

export interface SessionRef {
  tor: string;
  host: string;
  family: Family;
}

/** every session between a ToR and a host whose daemon runs (optionally only some hosts) */
export function sessionsOf(lab: Lab, hosts?: readonly string[]): SessionRef[] {
  const links: LinkPlan[] = lab.plan.links.filter((l) => (hosts ? hosts.includes(l.host) : lab.host(l.host).daemon !== "none"));
  return links.flatMap((l) => l.families.map((family) => ({ tor: l.tor, host: l.host, family })));
}

/** Waits until every listed session (default: all of the fabric's) is Established. */
export async function waitEstablished(lab: Lab, opts: { hosts?: string[]; timeout?: number } = {}): Promise<Waited<string[]>> {
  const refs = sessionsOf(lab, opts.hosts);
  const tors = [...new Set(refs.map((r) => r.tor))];
  return waitFor(
    async () => {
      const byTor = new Map(await Promise.all(tors.map(async (t) => [t, await lab.observe.sessions(t)] as const)));
      return refs
        .filter((r) => {
          const peer = byTor.get(r.tor)?.find((s) => s.host === r.host && s.family === r.family);
          return peer?.state !== "Established";
        })
        .map((r) => `${r.tor}<->${r.host} ${r.family}`);
    },
    { what: "every BGP session Established (listing those that are not)", timeout: opts.timeout ?? DEFAULT_TIMEOUT, until: (down) => down.length === 0 },
  );
}

/** Waits until the ToR's session with the host is (or is no longer) Established. */
export function waitSession(lab: Lab, ref: SessionRef, want: "up" | "down", timeout = DEFAULT_TIMEOUT): Promise<Waited<string>> {
  return waitFor(() => lab.observe.sessionState(ref.tor, ref.host, ref.family), {
    what: `${ref.tor}<->${ref.host} ${ref.family} session ${want === "up" ? "Established" : "not Established"}`,
    timeout,
    interval: 20,
    until: (s) => (s === "Established") === (want === "up"),
  });
}

/**
 * Waits until the ToR's BFD sessions toward `addresses` are up. After a fault BGP may be back
 * before BFD is (the peers agree on new discriminators first), and a test of BFD's detection
 * needs it up.
 */
export function waitBfdUp(lab: Lab, tor: string, addresses: readonly string[], timeout = DEFAULT_TIMEOUT): Promise<Waited<{ peer: string; status: string }[]>> {
  return waitFor(() => lab.vtyshJson<{ peer: string; status: string }[]>(tor, "show bfd peers json"), {
    what: `${tor}'s BFD sessions toward ${addresses.join(", ")} up`,
    timeout,
    until: (ps) => addresses.every((a) => ps.some((p) => p.peer === a && p.status === "up")),
  });
}

/** Waits until `prefix` is in (or gone from) the ToR's BGP table. */
export function waitRoute(lab: Lab, tor: string, prefix: string, want: "present" | "absent", timeout = DEFAULT_TIMEOUT): Promise<Waited<boolean>> {
  return waitFor(() => lab.observe.hasRoute(tor, prefix), {
    what: `${prefix} ${want} at ${tor}`,
    timeout,
    interval: 20,
    until: (has) => has === (want === "present"),
  });
}

/** Waits until the ToR uses `paths` equal-cost paths for `prefix`. */
export function waitEcmp(lab: Lab, tor: string, prefix: string, paths: number, timeout = DEFAULT_TIMEOUT): Promise<Waited<number>> {
  return waitFor(() => lab.observe.ecmp(tor, prefix), { what: `${paths} ECMP paths for ${prefix} at ${tor}`, timeout, until: (n) => n === paths });
}

/**
 * Waits until `observe()` deep-equals `want` and returns what it saw: state another process owns is
 * asserted only once it had the time to settle. On timeout the error names `what` and the last value.
 */
export async function waitEqual<T>(observe: () => T | Promise<T>, want: T, what: string, timeout = DEFAULT_TIMEOUT): Promise<T> {
  const { value } = await waitFor(observe, { what: `${what} to be ${inspect(want, { breakLength: Infinity })}`, timeout, until: (v) => isDeepStrictEqual(v, want) });
  return value;
}
