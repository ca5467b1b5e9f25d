// The health state machine: a pure reducer (config, state, event, now) → {state, transitions}.
// `now` is monotonic milliseconds; the monitor turns it into wall-clock time for events.
//
// Two layers:
//   phase  the rise/fall machine, driven only by round results:
//            INIT ──ok──▶ RISING ──ok × rise──▶ UP ──fail──▶ FALLING ──fail × fall──▶ DOWN
//            INIT/RISING/DOWN ──fail──▶ DOWN      FALLING ──ok──▶ UP      DOWN ──ok──▶ RISING
//          (rise = 1 or fall = 1 skip RISING / FALLING). `initial: up` moves INIT → UP at start.
//   state  what the service shows: DISABLED while drained, else DOWN while held down, else DEGRADED
//          while UP on a round that passed with some checks failing (with `degraded: deprefer`),
//          else phase.
//
// Flap hold-down: every change of the phase between announced (UP, FALLING) and not announced
// counts as one transition. When more than `flap.maxTransitions` of them fall within
// `flap.windowMs`, the service is held DOWN for `flap.holdMs`; a further excess transition while
// held restarts the hold. When it ends (a "tick" at or after heldUntil) the flap history is
// cleared and the state shows the phase again, which kept following the checks all along.
import { formatDuration } from "../manifest/duration.js";
import { isAnnounced, type HealthStateName, type Phase, type TransitionCause } from "./types.js";

export interface StateConfig {
  rise: number;
  fall: number;
  initial: "down" | "up";
  /** show a passing round with failed checks as DEGRADED (`degraded: deprefer`) */
  degraded: boolean;
  flap: { maxTransitions: number; windowMs: number; holdMs: number };
}

export interface HealthState {
  state: HealthStateName;
  phase: Phase;
  /** monotonic time `state` began */
  since: number;
  /** why `state` is what it is */
  reason: string;
  /** the latest result's reason with its streak (what the phase says) */
  phaseReason: string;
  successes: number;
  failures: number;
  /** the latest round passed with some checks failing (only with cfg.degraded) */
  partial: boolean;
  drained: boolean;
  /** monotonic end of flap hold-down, while held */
  heldUntil: number | undefined;
  /** why the hold-down started, while held */
  holdReason: string | undefined;
  /** monotonic times of recent announced/not-announced changes of the phase (at most maxTransitions + 1) */
  flaps: readonly number[];
  transitions: number;
  flapHolds: number;
}

export type HealthEvent =
  | { type: "start"; reason?: string }
  | { type: "result"; ok: boolean; reason: string; partial?: boolean }
  | { type: "drain" }
  | { type: "undrain" }
  /** time passed: ends a hold-down that is due */
  | { type: "tick" };

export interface StateTransition {
  from: HealthStateName;
  to: HealthStateName;
  cause: TransitionCause;
  reason: string;
  /** monotonic */
  at: number;
  /** monotonic time `from` began */
  fromSince: number;
  /** monotonic, while held */
  heldUntil: number | undefined;
}

export interface Step {
  state: HealthState;
  transitions: readonly StateTransition[];
}

/** shared by every step without a transition: most steps, one per service per interval */
const NONE: readonly StateTransition[] = Object.freeze([]);

export function initialHealthState(now: number): HealthState {
  return {
    state: "INIT",
    phase: "INIT",
    since: now,
    reason: "no check has run yet",
    phaseReason: "no check has run yet",
    successes: 0,
    failures: 0,
    partial: false,
    drained: false,
    heldUntil: undefined,
    holdReason: undefined,
    flaps: [],
    transitions: 0,
    flapHolds: 0,
  };
}

function nextPhase(cfg: StateConfig, phase: Phase, ok: boolean, successes: number, failures: number): Phase {
  if (ok) {
    if (phase === "UP" || phase === "FALLING") return "UP";
    return successes >= cfg.rise ? "UP" : "RISING";
  }
  if (phase === "UP" || phase === "FALLING") return failures >= cfg.fall ? "DOWN" : "FALLING";
  return "DOWN";
}

function streak(cfg: StateConfig, from: Phase, to: Phase, ok: boolean, successes: number, failures: number): string {
  if (ok) return to === "RISING" || (to === "UP" && from !== "UP" && from !== "FALLING") ? ` [rise ${Math.min(successes, cfg.rise)}/${cfg.rise}]` : "";
  return to === "FALLING" || (to === "DOWN" && (from === "FALLING" || from === "UP")) ? ` [fall ${Math.min(failures, cfg.fall)}/${cfg.fall}]` : "";
}

const shown = (s: HealthState): HealthStateName => (s.drained ? "DISABLED" : s.heldUntil !== undefined ? "DOWN" : s.phase === "UP" && s.partial ? "DEGRADED" : s.phase);

export function reduce(cfg: StateConfig, prev: HealthState, ev: HealthEvent, now: number): Step {
  const s: HealthState = { ...prev };
  let cause: TransitionCause = "check";
  let reason = prev.reason;

  switch (ev.type) {
    case "start":
      if (prev.phase !== "INIT" || cfg.initial !== "up") return { state: prev, transitions: NONE };
      s.phase = "UP";
      s.phaseReason = ev.reason ?? "initial: up (announced before the first check)";
      cause = "start";
      reason = s.phaseReason;
      break;
    case "result": {
      s.successes = ev.ok ? prev.successes + 1 : 0;
      s.failures = ev.ok ? 0 : prev.failures + 1;
      s.partial = cfg.degraded && ev.ok && ev.partial === true;
      s.phase = nextPhase(cfg, prev.phase, ev.ok, s.successes, s.failures);
      s.phaseReason = ev.reason + streak(cfg, prev.phase, s.phase, ev.ok, s.successes, s.failures);
      reason = s.phaseReason;
      break;
    }
    case "drain":
      s.drained = true;
      cause = "drain";
      reason = "drained by the operator";
      break;
    case "undrain":
      s.drained = false;
      cause = "undrain";
      reason = `undrained; ${s.phaseReason}`;
      break;
    case "tick":
      break;
  }

  // Flap accounting on the phase (drain and hold-down are overlays and never count).
  const { maxTransitions: k, windowMs: w, holdMs } = cfg.flap;
  let holdStarted = false;
  let recent = prev.flaps.length === 0 || prev.flaps[0]! > now - w ? prev.flaps : prev.flaps.filter((t) => t > now - w);
  if (isAnnounced(prev.phase) !== isAnnounced(s.phase)) {
    recent = [...recent, now];
    if (recent.length > k) {
      holdStarted = true;
      s.heldUntil = now + holdMs;
      s.flapHolds = prev.flapHolds + 1;
      reason =
        `${ev.type === "result" ? `${s.phaseReason}; ` : ""}flapping: ${recent.length} up/down changes within ` +
        `${formatDuration(w)} (more than ${k}); held DOWN for ${formatDuration(holdMs)}`;
      cause = "hold";
    }
  }
  s.flaps = recent.length > k + 1 ? recent.slice(-(k + 1)) : recent;

  let released = false;
  if (!holdStarted && s.heldUntil !== undefined && now >= s.heldUntil) {
    s.heldUntil = undefined;
    s.flaps = [];
    released = true;
  }

  s.state = shown(s);
  if (holdStarted) s.holdReason = reason;
  if (released) {
    s.holdReason = undefined;
    if (!s.drained) {
      cause = "release";
      reason = `flap hold-down ended; ${s.phaseReason}`;
    }
  }
  if (ev.type === "undrain" && s.heldUntil !== undefined) reason = `undrained; ${s.holdReason ?? "held DOWN after flapping"}`;

  const changed = s.state !== prev.state;
  if (!changed && !holdStarted) {
    // No transition; keep the reason describing the shown state current.
    if (s.state === s.phase && (ev.type === "result" || released)) s.reason = reason;
    return { state: s, transitions: NONE };
  }
  // A hold that starts while drained is recorded (counters, heldUntil) but the reason shown stays "drained".
  s.reason = s.drained && ev.type !== "drain" ? prev.reason : reason;
  if (changed) {
    s.since = now;
    s.transitions = prev.transitions + 1;
  }
  return {
    state: s,
    transitions: [{ from: prev.state, to: s.state, cause, reason, at: now, fromSince: prev.since, heldUntil: s.heldUntil }],
  };
}

/** Which interval the next round waits: fast while the phase is deciding (RISING, FALLING). */
export function nextDelayKind(s: HealthState): "fast" | "steady" {
  return s.phase === "RISING" || s.phase === "FALLING" ? "fast" : "steady";
}
