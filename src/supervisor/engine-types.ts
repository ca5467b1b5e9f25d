// The engine's contract: the effects it is given (EngineDeps) and the state it keeps and others
// read (EngineState: status, the daemon watch), and the record of what was announced that
// outlives a restart.
import type { Announce } from "../core/desired.js";
import type { RoutingModel } from "../core/model.js";
import type { Driver, Observed } from "../daemons/driver.js";
import type { Problem, SvcrouteError } from "../errors.js";
import type { HealthBrief } from "../health/types.js";
import type { LoadResult } from "../manifest/load.js";
import type { DaemonConfig, Manifest } from "../manifest/types.js";
import type { SecretStore } from "../core/secrets.js";
import type { AddressOps } from "./addresses.js";
import type { DrainState } from "./drain.js";
import type { Logger } from "./log.js";
import type { Applied } from "./plan.js";
import type { DriftStatus, ReconcileCounters, ReconcileStatus } from "./status-types.js";
import type { Verification } from "./verify.js";

/** What the previous run announced, persisted so a quick restart keeps it until health decides. */
export interface AnnouncedRecord {
  manifestHash: string;
  services: Record<string, Announce>;
}

export interface EngineDeps {
  log: Logger;
  /** wall clock, epoch ms */
  now(): number;
  sleep(ms: number): Promise<void>;
  loadManifest(): Promise<LoadResult>;
  makeDriver(d: DaemonConfig): Driver;
  readSecrets(m: Manifest): Promise<SecretStore>;
  health: {
    update(services: Manifest["services"]): void;
    states(): HealthBrief[];
    /** one service's, now */
    stateOf(name: string): HealthBrief | undefined;
    setDrained(names: string[] | "all"): void;
  };
  readDrain(stateDir: string): Promise<DrainState>;
  /** when the maintenance drain file appeared (its mtime), or undefined when absent */
  drainFileSince(path: string): Promise<number | undefined>;
  writeConfig(path: string, text: string): Promise<void>;
  readConfig(path: string): Promise<string | undefined>;
  saveAnnounced(stateDir: string, r: AnnouncedRecord): Promise<void>;
  /** service address management (`addresses: manage`); absent: never touch addresses */
  addresses?: AddressOps;
  loadAnnounced(stateDir: string): Promise<AnnouncedRecord | undefined>;
  /** how long to wait for the daemon to advertise what was applied */
  verifyTimeoutMs: number;
  verifyPollMs: number;
  /** called when the drain timer should fire (epoch ms), to schedule a reconcile */
  scheduleDrainCheck(at: number | undefined): void;
}

export interface EngineState {
  manifest: Manifest | undefined;
  manifestPath: string;
  manifestValid: boolean;
  manifestErrors: Problem[];
  manifestLoadedAt: number | null;
  applied: (Applied & { instance: string | null; at: number }) | undefined;
  /** what the last reconcile wanted, applied or not (status shows it while the daemon is away) */
  desired: RoutingModel | undefined;
  observed: Observed | undefined;
  verification: Verification | undefined;
  daemonReachable: boolean;
  daemonError: string | null;
  lastReconcile: ReconcileStatus | undefined;
  counters: ReconcileCounters;
  /** the last difference between the running state and the desired one that was repaired (a restarted daemon is not one) */
  lastDrift: DriftStatus | undefined;
  durations: number[];
  /** services whose health has been decided (UP or DOWN) since start */
  decided: Set<string>;
  carryOver: AnnouncedRecord | undefined;
  drained: { shutting: string[]; withdrawn: string[] };
  /**
   * The daemon was changed but the change is not proven yet (its proof cut short by a newer
   * manifest, SIGHUP or a stop; or withdrawals sent ahead of an apply that then failed): the next
   * reconcile proves it, and a failure then rolls back to `proven`, the last state that was proven.
   */
  unproven: { proven: EngineState["applied"] } | undefined;
  /** a config that failed to apply: not retried until something changes */
  rejected: { text: string; error: SvcrouteError } | undefined;
  /** stopping: announce everything with GRACEFUL_SHUTDOWN, or withdraw everything */
  override: "graceful-shutdown" | "withdraw" | undefined;
  /** the host's addresses as last read (sorted, canonical); undefined: not read (nothing needs them, or `ip` failed) */
  hostAddresses: string[] | undefined;
  /** service → its required addresses not on the host: not announced */
  addressMissing: Record<string, string[]>;
}
