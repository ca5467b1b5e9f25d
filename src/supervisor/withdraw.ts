// Withdraw every prefix this host announces, now, without a running supervisor: used by the
// fail-closed guard and by `svcroute withdraw --all` (systemd OnFailure=). First a run-time sweep
// (every svcroute prefix leaves at once, whatever the config says, without waiting for a reload
// that can take seconds), then the config on disk is rewritten with every service withdrawn and
// applied, so a daemon restart does not bring routes back.
import { makeDriver } from "../daemons/make.js";
import { SvcrouteError } from "../errors.js";
import { loadManifest } from "../manifest/load.js";
import type { Manifest } from "../manifest/types.js";
import { Engine } from "./engine.js";
import { realEngineDeps } from "./engine-deps.js";
import type { Logger } from "./log.js";

/** `fallback`: the manifest to withdraw with when the one on disk is invalid now (the guard's, as it was at its start) */
export async function withdrawEverything(manifestPath: string, log: Logger, fallback?: () => Manifest | undefined, deps: { makeDriver?: typeof makeDriver } = {}): Promise<void> {
  const mkDriver = deps.makeDriver ?? makeDriver;
  const r = await loadManifest(manifestPath);
  const m = r.manifest ?? fallback?.();
  if (!m) {
    throw new SvcrouteError("E_MANIFEST_INVALID", `${manifestPath} is not valid, so svcroute cannot tell which daemon to talk to`, {
      problems: r.problems,
      hint: "fix the manifest, or withdraw by hand: birdc disable \"svc4_*\" / vtysh: no network ...",
    });
  }
  if (!r.manifest) log.warn(`${manifestPath} is invalid now; withdrawing with the manifest loaded earlier`, { op: "withdraw" });
  const sweep = async () => {
    const d = mkDriver(m.daemon);
    try {
      await d.withdrawAllNow();
    } finally {
      d.close();
    }
  };
  let sweepFailed: unknown;
  try {
    await sweep();
    log.info("every svcroute prefix withdrawn at run time; now writing and applying the withdrawn config", { op: "withdraw" });
  } catch (e) {
    sweepFailed = e;
    log.warn(`run-time sweep failed (${(e as Error).message}); withdrawing through the config`, { op: "withdraw" });
  }
  const engine = new Engine(realEngineDeps(log, { loadManifest: async () => ({ manifest: m, problems: [], warnings: [], files: m.files }), makeDriver: mkDriver }), manifestPath);
  const res = await engine.stop("withdraw");
  engine.currentDriver()?.close();
  // Sweep again when the first sweep failed (the daemon may answer now; if it still does not,
  // this throws) or the reconcile failed (a rollback may have put an announcing config back).
  if (sweepFailed !== undefined || !res.ok) await sweep();
  if (!res.ok) {
    const lr = engine.state.lastReconcile;
    log.warn(`the withdrawn config could not be applied (${lr?.code}: ${lr?.message}); the run-time sweep withdrew the prefixes`, { op: "withdraw" });
  }
}
