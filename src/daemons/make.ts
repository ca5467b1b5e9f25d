// The driver for the manifest's daemon, with the real process runner.
import { exec } from "../effects/exec.js";
import type { DaemonConfig } from "../manifest/types.js";
import { createBirdDriver } from "./bird.js";
import type { Driver } from "./driver.js";
import { createFrrDriver } from "./frr.js";

export function makeDriver(d: DaemonConfig): Driver {
  return d.type === "bird" ? createBirdDriver(d, { exec }) : createFrrDriver(d, { exec });
}
