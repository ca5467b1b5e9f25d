// The driver for the manifest's daemon, with the real process runner (or the caller's).
import { exec, type Exec } from "../effects/exec.js";
import type { DaemonConfig } from "../manifest/types.js";
import { createBirdDriver } from "./bird.js";
import type { Driver } from "./driver.js";
import { createFrrDriver } from "./frr.js";

export function makeDriver(d: DaemonConfig, o: { exec?: Exec; timeoutMs?: number } = {}): Driver {
  const deps = { exec: o.exec ?? exec, ...(o.timeoutMs === undefined ? {} : { timeoutMs: o.timeoutMs }) };
  return d.type === "bird" ? createBirdDriver(d, deps) : createFrrDriver(d, deps);
}
