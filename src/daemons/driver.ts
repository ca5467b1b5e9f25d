// What the supervisor needs from a routing daemon, whichever it is. One implementation per daemon
// (bird.ts, frr.ts); the reconcile logic above it is daemon-agnostic and tested with a fake.
import type { Announce } from "../core/desired.js";
import type { RoutingModel } from "../core/model.js";
import type { Family } from "../manifest/ip.js";
import type { DaemonType } from "../manifest/types.js";
import type { DaemonCapabilities } from "./versions.js";

export interface ObservedPeer {
  /** manifest peer name */
  name: string;
  /** BGP FSM state as the daemon names it, normalised to Idle/Connect/Active/OpenSent/OpenConfirm/Established */
  state: string;
  uptimeMs: number | null;
  establishedTotal: number | null;
  droppedTotal: number | null;
  sent: number | null;
  received: number | null;
  /** the daemon's last error/reset reason, as it says it */
  lastError: string | null;
  /** prefixes advertised to this peer right now, per family; null when not observable */
  advertised: Record<"4" | "6", string[]> | null;
}

export interface Observed {
  /** changes when the daemon restarts (BIRD: last reboot time; FRR: bgpd pid) */
  instance: string | null;
  peers: ObservedPeer[];
  durationMs: number;
}

/** One prefix changing state on the fast path. */
export interface ToggleOp {
  service: string;
  prefix: string;
  family: Family;
  from: Announce;
  to: Announce;
}

export interface ReloadResult {
  /** what the daemon said, for logs and evidence */
  output: string;
  /** the daemon reported that sessions restart (a session-level change) */
  sessionsRestarted: boolean;
  durationMs: number;
}

export interface Driver {
  readonly type: DaemonType;
  /** the daemon's own parser judges the text; throws E_DAEMON_REJECTED with its diagnostics */
  validate(text: string): Promise<void>;
  /** the running daemon loads the config file on disk; throws E_APPLY / E_DAEMON_UNAVAILABLE */
  reload(): Promise<ReloadResult>;
  /** after a verified reload: make it permanent (BIRD `configure confirm`); no-op elsewhere */
  confirm(): Promise<void>;
  /**
   * The part of a config the fast path cannot change: two configs with equal keys differ only in
   * what toggle() can switch at run time.
   */
  fastKey(text: string): string;
  /** switch prefixes without a reload and without touching sessions */
  toggle(model: RoutingModel, ops: ToggleOp[]): Promise<{ durationMs: number }>;
  observe(model: RoutingModel): Promise<Observed>;
  /** cheap identity of the running daemon (changes on restart); throws when unreachable */
  instance(): Promise<string | null>;
  /**
   * what the daemon's version needs from the rendered config: asked of the running daemon, else
   * of its binary; never throws (unknown → the oldest supported behaviour)
   */
  capabilities(): Promise<DaemonCapabilities>;
  /** withdraw every svcroute prefix at run time, whatever the config says (fail-closed sweep) */
  withdrawAllNow(): Promise<void>;
  close(): void;
}
