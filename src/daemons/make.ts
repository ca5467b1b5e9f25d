// The driver for the manifest's daemon, with the real process runner (or the caller's).
import { exec, type Exec } from "../effects/exec.js";
import type { DaemonConfig } from "../manifest/types.js";
import { createBirdDriver } from "./bird.js";
import type { Driver } from "./driver.js";
import { createFrrDriver } from "./frr.js";
import type { DaemonCapabilities } from "../core/capabilities.js";

export function makeDriver(d: DaemonConfig, o: { exec?: Exec; timeoutMs?: number } = {}): Driver {
  const deps = { exec: o.exec ?? exec, ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }) };
  return d.type === "bird" ? createBirdDriver(d, deps) : createFrrDriver(d, deps);
}

/** What the daemon's version needs (asked of the running daemon, else its binary), for one-shot commands. */
export async function daemonCapabilities(d: DaemonConfig, o: { exec?: Exec } = {}): Promise<DaemonCapabilities> {
  const driver = makeDriver(d, o);
  try {
    return await driver.capabilities();
  } finally {
    driver.close();
  }
}
