// Start-up splay: the rounds of each service sit on a grid of the monotonic clock, one point per
// interval, at an offset derived from a key (the monitor uses the service's checks and timing), so
// a thousand services never fire in the same millisecond, a restart spreads them the same way
// every time, and services with identical checks fall due together.

/** FNV-1a 32-bit hash of a string's UTF-16 code units, with murmur3's final mix so names that
 * differ only in their last characters (svc-1, svc-2, ...) still spread evenly. */
function nameHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Offset in [0, intervalMs) for this service's first round. */
export function splayMs(name: string, intervalMs: number): number {
  return Math.floor((nameHash(name) / 0x1_0000_0000) * intervalMs);
}

/** The first point of `key`'s grid at or after `t` (`strictly`: after `t`). */
export function gridPoint(key: string, intervalMs: number, t: number, strictly = false): number {
  return gridPointAt(splayMs(key, intervalMs), intervalMs, t, strictly);
}

/** The first point at or after `t` (`strictly`: after `t`) of the grid at `offset` within each interval. */
export function gridPointAt(offset: number, intervalMs: number, t: number, strictly = false): number {
  const k = strictly ? Math.floor((t - offset) / intervalMs) + 1 : Math.ceil((t - offset) / intervalMs);
  return offset + k * intervalMs;
}
