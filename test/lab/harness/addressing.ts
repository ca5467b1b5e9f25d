// Link and router addresses, derived from a link's 1-based index n. Only namespace-internal
// ranges: 169.254.0.0/16 and fd00::/8 for links; service ranges are checked in allowed.ts.

/** Numbered links carry all of these; unnumbered links only the link-locals. */
export interface LinkAddresses {
  /** 169.254.n.0/30: host .1, ToR .2 */
  net4: string;
  host4: string;
  tor4: string;
  /** fd00:n::/64: host ::1, ToR ::2 */
  net6: string;
  host6: string;
  tor6: string;
  /** fixed link-locals (the kernel's are turned off) so unnumbered peers are predictable */
  hostLL: string;
  torLL: string;
}

export const MAX_LINKS = 250;

export function linkAddresses(n: number): LinkAddresses {
  if (!Number.isInteger(n) || n < 1 || n > MAX_LINKS) throw new RangeError(`link index ${n} outside 1..${MAX_LINKS}`);
  return {
    net4: `169.254.${n}.0/30`,
    host4: `169.254.${n}.1`,
    tor4: `169.254.${n}.2`,
    net6: `fd00:${n}::/64`,
    host6: `fd00:${n}::1`,
    tor6: `fd00:${n}::2`,
    hostLL: `fe80::${n}:1`,
    torLL: `fe80::${n}:2`,
  };
}

/** router ids: ToRs 169.254.255.t, hosts 169.254.254.h (1-based); never configured on an interface */
export const torRouterId = (t: number): string => `169.254.255.${t}`;
export const hostRouterId = (h: number): string => `169.254.254.${h}`;
