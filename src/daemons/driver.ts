// Everything svcroute asks of a routing daemon, whichever it is: what the supervisor needs to apply
// and verify, and what doctor, diff and status need to inspect it. One implementation per daemon
// (bird.ts, frr.ts); nothing outside src/daemons/ talks to FRR or BIRD, so a new daemon version is
// a change here only. The reconcile logic above it is daemon-agnostic and tested with a fake.
import type { Announce } from "../core/desired.js";
import type { RoutingModel } from "../core/model.js";
import type { Family } from "../manifest/ip.js";
import { isSvcrouteError } from "../errors.js";
import type { DaemonType } from "../manifest/types.js";
import type { DaemonCapabilities, DaemonVersion } from "../core/capabilities.js";

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

/** a manifest peer the daemon does not run (not in its running config) */
export function absentPeer(name: string, lastError: string): ObservedPeer {
  return { name, state: "Idle", uptimeMs: null, establishedTotal: null, droppedTotal: null, sent: null, received: null, lastError, advertised: null };
}

/** a peer's session state as `sessions()` reports it */
export type SessionState = Pick<ObservedPeer, "name" | "state">;

export interface Observed {
  /** changes when the daemon restarts (BIRD: last reboot time; FRR: bgpd pid) */
  instance: string | null;
  peers: ObservedPeer[];
  durationMs: number;
  /** how the daemon was asked: on its control socket, or (a fallback) through a program started per command */
  via: "socket" | "program";
}

/** Which peers a few prefixes are sent to now: the narrow read that proves a toggle. */
export interface PrefixesObserved {
  instance: string | null;
  /** each model peer's session; `advertised` null (only the prefixes asked were read) */
  peers: ObservedPeer[];
  /** per prefix asked, the model peers whose outgoing routes hold it */
  sentTo: Map<string, Set<string>>;
  durationMs: number;
  via: Observed["via"];
}

/** One prefix changing state on the fast path. */
export interface ToggleOp {
  service: string;
  prefix: string;
  family: Family;
  from: Announce;
  /** equal to `from`: the same state with other attributes (FRR: another route-map) */
  to: Announce;
}

/** the config a daemon instance was last given */
export interface AppliedConfig {
  text: string;
  /** the daemon instance it was given to (Observed.instance); null when unknown */
  instance: string | null;
}

export interface ReloadResult {
  /** what the daemon said, for logs and evidence */
  output: string;
  /** the daemon reported that sessions restart (a session-level change) */
  sessionsRestarted: boolean;
  durationMs: number;
  /** "incremental": only what changed was sent; "whole": the daemon loaded the whole file */
  how?: "incremental" | "whole";
}

/** one BFD session as the daemon reports it */
export interface BfdPeer {
  address: string;
  /** as the daemon words it: FRR up/down/init, BIRD Up/Down/Init */
  state: string;
}

/** What the running daemon says about the config it runs. */
export interface RunningConfig {
  /** when it last loaded a config (BIRD's last reconfiguration), epoch ms; null when it does not say */
  loadedAtMs: number | null;
  /** its protocols and their states (BIRD); null for a daemon without protocols to list */
  protocols: { name: string; proto: string; state: string }[] | null;
}

/** What would change in the running config to make it equal a file (noise removed). */
export interface ConfigDiff {
  toDelete: string[];
  toAdd: string[];
}

/**
 * Whether an error from a driver means the daemon is away (not running, not reachable, or not
 * answering in time) rather than refusing something: the one place that decides it.
 */
export function daemonAway(e: unknown): boolean {
  return isSvcrouteError(e) && (e.code === "E_DAEMON_UNAVAILABLE" || e.code === "E_TIMEOUT");
}

/** a peer, and the prefixes it is sent although the config does not announce them to it */
export interface StaleRoutes {
  peer: string;
  prefixes: string[];
}

export interface Driver {
  readonly type: DaemonType;
  /** the daemon's own parser judges the text; throws E_DAEMON_REJECTED with its diagnostics */
  validate(text: string): Promise<void>;
  /**
   * The running daemon loads the config file on disk; throws E_APPLY / E_DAEMON_UNAVAILABLE.
   * `from`: the config the daemon instance `instance` was last given, which a driver may change
   * incrementally into the file (FRR: policy objects and networks over its vty session) instead of
   * loading the whole file; without it (a rollback, a daemon that restarted) the whole file.
   */
  reload(from?: AppliedConfig): Promise<ReloadResult>;
  /** after a verified reload: make it permanent (BIRD `configure confirm`); no-op elsewhere */
  confirm(): Promise<void>;
  /**
   * The part of a config the fast path cannot change: two configs with equal keys differ only in
   * what toggle() can switch at run time.
   */
  fastKey(text: string): string;
  /** switch prefixes without a reload and without touching sessions */
  toggle(model: RoutingModel, ops: ToggleOp[]): Promise<{ durationMs: number }>;
  /** sessions and what is advertised to each peer, per family, for the model's peers */
  observe(model: RoutingModel): Promise<Observed>;
  /**
   * optional: the sessions, and which model peers each of `prefixes` is sent to (FRR: `show bgp AF
   * P json`, whose advertisedTo names the neighbours holding it in their outgoing routes), at the
   * cost of the prefixes asked rather than of every route a peer is sent
   */
  observePrefixes?(model: RoutingModel, prefixes: readonly { prefix: string; family: Family }[]): Promise<PrefixesObserved>;
  /**
   * each model peer's session state only (cheap: no advertised routes), so a watch can notice a
   * session that came up or went down without a full observe
   */
  sessions(model: RoutingModel): Promise<SessionState[]>;
  /** cheap identity of the running daemon (changes on restart); throws when unreachable */
  instance(): Promise<string | null>;
  /**
   * what the daemon's version needs from the rendered config: asked of the running daemon, else
   * of its binary; never throws (unknown → the oldest supported behaviour)
   */
  capabilities(): Promise<DaemonCapabilities>;
  /** withdraw every svcroute prefix at run time, whatever the config says (fail-closed sweep) */
  withdrawAllNow(): Promise<void>;
  /**
   * for a daemon that keeps sending a peer a route the config no longer announces: take out of
   * its table a prefix no line of the config names, then send these model peers every route again
   * (an outbound route refresh: no session reset)
   */
  resend?(model: RoutingModel, stale: StaleRoutes[]): Promise<void>;

  // ---- inspection (doctor, diff): read-only questions; each throws when the daemon cannot answer
  /** the daemon's version: the running daemon's word, else its binary's; null when neither says */
  version(): Promise<DaemonVersion | null>;
  running(): Promise<RunningConfig>;
  /**
   * how the running config differs from `file` (FRR: `frr-reload.py --test`); an empty diff when
   * they agree; null when this daemon cannot compare (BIRD cannot print its running config);
   * `timeoutMs` caps the comparison (default: a minute)
   */
  diffAgainst(file: string, timeoutMs?: number): Promise<ConfigDiff | null>;
  bfdPeers(): Promise<BfdPeer[]>;
  close(): void;
}
