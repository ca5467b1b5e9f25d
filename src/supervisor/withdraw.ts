// Withdraw every prefix this host announces, now, without a running supervisor: used by the
// fail-closed guard and by `svcroute withdraw --all` (systemd OnFailure=). The config on disk
// is rewritten with every service withdrawn (so a daemon restart does not bring routes back),
// applied, and then swept at run time in case the manifest no longer names some prefix.
import { atomicWrite, readIfExists } from "../effects/fs.js";
import { readSecretFile } from "../effects/secret-file.js";
import { loadSecrets } from "../core/secrets.js";
import { SvcrouteError } from "../errors.js";
import { loadManifest } from "../manifest/load.js";
import type { Manifest } from "../manifest/types.js";
import { NO_DRAIN } from "./drain.js";
import { Engine } from "./engine.js";
import type { Logger } from "./log.js";
import { makeDriver } from "../daemons/make.js";

export async function withdrawEverything(manifestPath: string, log: Logger, fallback?: Manifest): Promise<void> {
  const r = await loadManifest(manifestPath);
  const m = r.manifest ?? fallback;
  if (!m) {
    throw new SvcrouteError("E_MANIFEST_INVALID", `${manifestPath} is not valid, so svcroute cannot tell which daemon to talk to`, {
      problems: r.problems,
      hint: "fix the manifest, or withdraw by hand: birdc disable \"svc4_*\" / vtysh: no network ...",
    });
  }
  if (!r.manifest) log.warn(`${manifestPath} is invalid now; withdrawing with the manifest loaded earlier`, { op: "withdraw" });
  const engine = new Engine(
    {
      log,
      now: () => Date.now(),
      sleep: (ms) => new Promise((res) => setTimeout(res, ms)),
      loadManifest: async () => ({ manifest: m, problems: [], warnings: [], files: m.files }),
      makeDriver,
      readSecrets: (x) => loadSecrets(x, readSecretFile),
      health: { update: () => undefined, snapshot: () => [], setDrained: () => undefined },
      readDrain: async () => NO_DRAIN,
      drainFileSince: async () => undefined,
      writeConfig: (path, text) => atomicWrite(path, text, { keepPrevious: true, mode: 0o640 }),
      readConfig: readIfExists,
      saveAnnounced: async () => undefined,
      loadAnnounced: async () => undefined,
      verifyTimeoutMs: 5000,
      verifyPollMs: 25,
      scheduleDrainCheck: () => undefined,
    },
    manifestPath,
  );
  engine.state.override = "withdraw";
  const res = await engine.reconcile(new Set(["stop"]));
  const driver = engine.currentDriver() ?? makeDriver(m.daemon);
  try {
    await driver.withdrawAllNow();
  } finally {
    driver.close();
  }
  if (!res.ok) {
    const lr = engine.state.lastReconcile;
    log.warn(`the withdrawn config could not be applied (${lr?.code}: ${lr?.message}); the run-time sweep withdrew the prefixes`, { op: "withdraw" });
  }
}
