// The only service ranges the lab will ever put on an interface or accept at a ToR.
import { BlockList, isIP } from "node:net";
import { LabError } from "./errors.js";

export const SERVICE_RANGES_V4 = ["192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"] as const;
export const SERVICE_RANGES_V6 = ["2001:db8::/32"] as const;

const services = new BlockList();
for (const r of [...SERVICE_RANGES_V4, ...SERVICE_RANGES_V6]) {
  const [net, len] = r.split("/") as [string, string];
  services.addSubnet(net, Number(len), isIP(net) === 6 ? "ipv6" : "ipv4");
}

export interface HostPrefix {
  address: string;
  len: number;
  family: "ipv4" | "ipv6";
  /** canonical "address/len" */
  text: string;
}

/** Parse a host prefix (/32 or /128, a bare address means that) inside the service ranges. */
export function parseServicePrefix(s: string): HostPrefix {
  const [address = "", lenText] = s.split("/");
  const v = isIP(address);
  const family = v === 6 ? "ipv6" : "ipv4";
  const full = v === 6 ? 128 : 32;
  const len = lenText === undefined ? full : Number(lenText);
  if (v === 0 || len !== full) {
    throw new LabError(`service address ${JSON.stringify(s)} is not a host address (/32 or /128)`);
  }
  if (!services.check(address, family)) {
    throw new LabError(`service address ${s} is outside the lab's ranges`, {
      hint: `use ${[...SERVICE_RANGES_V4, ...SERVICE_RANGES_V6].join(", ")}`,
    });
  }
  const canonical = family === "ipv6" ? new URL(`http://[${address}]/`).hostname.slice(1, -1) : address;
  return { address: canonical, len, family, text: `${canonical}/${len}` };
}
