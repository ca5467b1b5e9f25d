// The engine's effects, real: the routing daemon, config files, password files and the clock. A
// supervisor adds its health monitor, drain state, persistence and address management; the
// withdrawal without a supervisor (guard, `withdraw --all`) needs none of them.
import { loadSecrets } from "../core/secrets.js";
import { makeDriver } from "../daemons/make.js";
import { atomicWrite, readIfExists } from "../effects/fs.js";
import { readSecretFile } from "../effects/secret-file.js";
import { NO_DRAIN } from "./drain.js";
import type { EngineDeps } from "./engine-types.js";
import type { Logger } from "./log.js";

export function realEngineDeps(log: Logger, parts: Pick<EngineDeps, "loadManifest"> & Partial<EngineDeps>): EngineDeps {
  return {
    log,
    now: () => Date.now(),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    makeDriver,
    readSecrets: (m) => loadSecrets(m, readSecretFile),
    health: { update: () => undefined, states: () => [], stateOf: () => undefined, setDrained: () => undefined },
    readDrain: async () => NO_DRAIN,
    drainFileSince: async () => undefined,
    writeConfig: (path, text) => atomicWrite(path, text, { keepPrevious: true, mode: 0o640 }),
    readConfig: readIfExists,
    saveAnnounced: async () => undefined,
    loadAnnounced: async () => undefined,
    verifyTimeoutMs: 5000,
    verifyPollMs: 25,
    scheduleDrainCheck: () => undefined,
    ...parts,
  };
}
