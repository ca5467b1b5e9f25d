// iproute2: `ip -j addr show` parsed once, for doctor and for `addresses: manage`, and the one
// runner of `ip` commands (a refusal for want of CAP_NET_ADMIN is E_PERMISSION).
import { SvcrouteError } from "../errors.js";
import type { Exec } from "./exec.js";

/** one interface of `ip -j addr show` */
export interface HostInterface {
  name: string;
  /** administratively up (flag UP) */
  up: boolean;
  /** has carrier (flag LOWER_UP) */
  carrier: boolean;
  /** ADDRESS/PREFIXLEN */
  addrs: string[];
}

/** `ip -j addr show` → interfaces with their state and addresses. Pure. */
export function parseIpAddr(stdout: string): HostInterface[] {
  const j = JSON.parse(stdout || "[]") as { ifname?: string; flags?: string[]; addr_info?: { local?: string; prefixlen?: number }[] }[];
  return j.flatMap((x) =>
    x.ifname
      ? [
          {
            name: x.ifname,
            up: (x.flags ?? []).includes("UP"),
            carrier: (x.flags ?? []).includes("LOWER_UP"),
            addrs: (x.addr_info ?? []).flatMap((a) => (a.local && a.prefixlen !== undefined ? [`${a.local}/${a.prefixlen}`] : [])),
          },
        ]
      : [],
  );
}

/** `ip ARGS` → its stdout; a failure is an error with ip's own message */
export async function ip(exec: Exec, args: string[]): Promise<string> {
  const r = await exec("ip", args, { timeoutMs: 5000 });
  if (r.code !== 0) {
    const msg = (r.stderr || r.stdout).trim();
    const denied = /Operation not permitted/i.test(msg);
    throw new SvcrouteError(denied ? "E_PERMISSION" : "E_APPLY", `ip ${args.join(" ")}: ${msg}`, {
      hint: denied ? "managing addresses needs CAP_NET_ADMIN (root, or a unit drop-in granting it)" : undefined,
    });
  }
  return r.stdout;
}

/** the host's interfaces, or the one named `dev` */
export async function interfaces(exec: Exec, dev?: string): Promise<HostInterface[]> {
  return parseIpAddr(await ip(exec, ["-j", "addr", "show", ...(dev ? ["dev", dev] : [])]));
}
