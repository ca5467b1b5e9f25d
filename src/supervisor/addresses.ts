// `addresses: manage`: svcroute puts every service address (a /32 or /128 service prefix) on the
// service interface so the service can bind it, healthy or not, and removes only addresses it
// added itself, only once their withdrawal has left (removing first would blackhole traffic).
import { promises as fsp } from "node:fs";
import { join } from "node:path";
import type { Exec } from "../effects/exec.js";
import { atomicWrite } from "../effects/fs.js";
import { interfaces, ip } from "../effects/ip.js";
import type { Manifest } from "../manifest/types.js";

/** service addresses of the manifest (host prefixes inside allowed_prefixes), as "ADDR/LEN" */
export function serviceAddresses(m: Manifest): string[] {
  const out = new Set<string>();
  for (const s of m.services) for (const p of s.prefixes) if (p.len === (p.family === 4 ? 32 : 128)) out.add(p.text);
  return [...out].sort();
}

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
