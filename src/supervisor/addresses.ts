// Service addresses (`address`, else each /32 or /128 prefix's). A service whose address is not on
// the host is not announced (which are missing is pure, below). `addresses: manage`: svcroute puts
// every service address on the service interface so the service can bind it, healthy or not, and
// removes only addresses it added itself, only once their withdrawal has left (removing first
// would blackhole traffic). The address watch reads the host's addresses between reconciles.
import { promises as fsp } from "node:fs";
import { join } from "node:path";
import type { Exec } from "../effects/exec.js";
import { atomicWrite } from "../effects/fs.js";
import { interfaces, ip } from "../effects/ip.js";
import { canonicalIP } from "../manifest/ip.js";
import type { Manifest, Service } from "../manifest/types.js";
import type { Trigger } from "./loop.js";

/** service addresses of the manifest (each service's required addresses), as "ADDR/LEN" */
export function serviceAddresses(m: Manifest): string[] {
  const out = new Set<string>();
  for (const s of m.services) for (const a of s.addresses) out.add(`${a}/${a.includes(":") ? 128 : 32}`);
  return [...out].sort();
}

/**
 * Pure: service → its required addresses that are not on the host (`present`: canonical
 * addresses of every interface). Only services with something missing are listed.
 */
export function missingAddresses(services: readonly Service[], present: ReadonlySet<string>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const s of services) {
    const missing = s.addresses.filter((a) => !present.has(a));
    if (missing.length) out.set(s.name, missing);
  }
  return out;
}

/** whether any service needs an address on the host (else the host's addresses are never read) */
export const needsAddresses = (m: Manifest): boolean => m.services.some((s) => s.addresses.length > 0);

export interface AddressPlan {
  add: string[];
  /** owned by svcroute, no longer wanted: removed once withdrawn */
  remove: string[];
}

/** Pure: what to add (missing) and what to remove (ours, present, not wanted any more). */
export function planAddresses(wanted: string[], present: string[], owned: string[]): AddressPlan {
  const w = new Set(wanted);
  const p = new Set(present);
  return { add: wanted.filter((a) => !p.has(a)), remove: owned.filter((a) => !w.has(a) && p.has(a)) };
}

export interface AddressOps {
  list(iface: string): Promise<string[]>;
  /** every address on every interface of the host (its network namespace), canonical, without length */
  present(): Promise<string[]>;
  add(iface: string, prefix: string): Promise<void>;
  remove(iface: string, prefix: string): Promise<void>;
  loadOwned(stateDir: string): Promise<string[]>;
  saveOwned(stateDir: string, owned: string[]): Promise<void>;
}

export function ipAddressOps(exec: Exec): AddressOps {
  const file = (dir: string) => join(dir, "addresses.json");
  return {
    async list(iface) {
      return (await interfaces(exec, iface)).flatMap((i) => i.addrs);
    },
    async present() {
      return (await interfaces(exec)).flatMap((i) => i.addrs.map((a) => canonicalIP(a.split("/")[0]!) ?? a));
    },
    async add(iface, prefix) {
      await ip(exec, ["addr", "add", prefix, "dev", iface, ...(prefix.includes(":") ? ["nodad"] : [])]);
    },
    async remove(iface, prefix) {
      await ip(exec, ["addr", "del", prefix, "dev", iface]);
    },
    async loadOwned(dir) {
      try {
        const v = JSON.parse(await fsp.readFile(file(dir), "utf8")) as unknown;
        return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
      } catch {
        return [];
      }
    },
    async saveOwned(dir, owned) {
      await fsp.mkdir(dir, { recursive: true, mode: 0o750 });
      await atomicWrite(file(dir), `${JSON.stringify([...owned].sort())}\n`, { mode: 0o640 });
    },
  };
}

/** how often the host's addresses are read between reconciles: a service address removed by hand is withdrawn within this plus one reconcile (docs/manifest.md) */
export const ADDRESS_WATCH_MS = 2000;

/**
 * Starts the address watch: every `everyMs` it asks whether the host's addresses changed (one
 * question at a time) and, when they did, for a reconcile. Returns its timer.
 */
export function startAddressWatch(w: { changed: () => Promise<boolean>; trigger: (t: Trigger) => void; everyMs?: number }): ReturnType<typeof setInterval> {
  let reading = false;
  return setInterval(() => {
    if (reading) return;
    reading = true;
    w.changed()
      .then((changed) => changed && w.trigger("addresses"))
      .catch(() => undefined)
      .finally(() => (reading = false));
  }, w.everyMs ?? ADDRESS_WATCH_MS);
}
