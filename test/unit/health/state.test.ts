// The pure state machine, table-tested on a fake clock (plain numbers).
import { describe, expect, it } from "vitest";
import { initialHealthState, nextDelayKind, reduce, type HealthEvent, type HealthState, type StateConfig, type StateTransition } from "../../../src/health/state.js";

const cfg = (over: Partial<StateConfig> = {}): StateConfig => ({
  rise: 3,
  fall: 2,
  initial: "down",
  degraded: false,
  flap: { maxTransitions: 100, windowMs: 60_000, holdMs: 120_000 },
  ...over,
});

/** Feed events ("+" ok, "~" ok with some checks failing, "-" fail, "S" start, "D" drain, "U" undrain, "T" tick), one per second. */
function play(c: StateConfig, script: string, s0: HealthState = initialHealthState(0), t0 = 0) {
  let s = s0;
  const states: string[] = [];
  const transitions: StateTransition[] = [];
  let t = t0;
  for (const ch of script.split(/\s+/).filter(Boolean)) {
    t += 1000;
    const ev: HealthEvent =
      ch === "+" ? { type: "result", ok: true, reason: "ok" }
      : ch === "~" ? { type: "result", ok: true, reason: "2/3 passed", partial: true }
      : ch === "-" ? { type: "result", ok: false, reason: "exit 1: boom" }
      : ch === "S" ? { type: "start" }
      : ch === "D" ? { type: "drain" }
      : ch === "U" ? { type: "undrain" }
      : { type: "tick" };
    const step = reduce(c, s, ev, t);
    s = step.state;
    transitions.push(...step.transitions);
    states.push(s.state);
  }
  return { s, states: states.join(" "), transitions, t };
}

describe("rise/fall", () => {
  it.each([
    // [config, events, states after each event]
    [cfg(), "+ + +", "RISING RISING UP"],
    [cfg(), "- + + + - -", "DOWN RISING RISING UP FALLING DOWN"],
    [cfg(), "+ + - + + +", "RISING RISING DOWN RISING RISING UP"],
    [cfg(), "+ + + - + - + -", "RISING RISING UP FALLING UP FALLING UP FALLING"],
    [cfg({ rise: 1, fall: 1 }), "+ - + -", "UP DOWN UP DOWN"],
    [cfg({ rise: 1 }), "- + - -", "DOWN UP FALLING DOWN"],
    [cfg({ fall: 3 }), "+ + + - - + - - -", "RISING RISING UP FALLING FALLING UP FALLING FALLING DOWN"],
    // initial up: announced before any check, then the usual fall
    [cfg({ initial: "up" }), "S - -", "UP FALLING DOWN"],
    [cfg({ initial: "up" }), "S + - +", "UP UP FALLING UP"],
    // initial down: start is a no-op, INIT stays until the first result
    [cfg(), "S T +", "INIT INIT RISING"],
    // drain overlays any phase; the phase keeps following the checks
    [cfg(), "+ + + D - - U", "RISING RISING UP DISABLED DISABLED DISABLED DOWN"],
    [cfg(), "D + + + U", "DISABLED DISABLED DISABLED DISABLED UP"],
    // degraded: deprefer shows a passing round with failed checks as DEGRADED, once UP
    [cfg({ degraded: true, rise: 2 }), "~ ~ + ~ - -", "RISING DEGRADED UP DEGRADED FALLING DOWN"],
    [cfg({ degraded: true, fall: 1 }), "+ + + ~ ~ + -", "RISING RISING UP DEGRADED DEGRADED UP DOWN"],
    [cfg({ degraded: true, rise: 1 }), "~ D ~ U +", "DEGRADED DISABLED DISABLED DEGRADED UP"],
    // without it, a partial pass is a pass
    [cfg({ rise: 1 }), "~ ~ +", "UP UP UP"],
  ] as const)("%#: %s → %s", (c, script, expected) => {
    expect(play(c, script).states).toBe(expected);
  });

  it("every transition carries from → to, cause, reason, streak and times", () => {
    const { transitions } = play(cfg(), "+ + + - -");
    expect(transitions.map((t) => `${t.from}>${t.to}:${t.cause}`)).toEqual(["INIT>RISING:check", "RISING>UP:check", "UP>FALLING:check", "FALLING>DOWN:check"]);
    expect(transitions[1]).toMatchObject({ reason: "ok [rise 3/3]", at: 3000, fromSince: 1000 });
    expect(transitions[3]).toMatchObject({ reason: "exit 1: boom [fall 2/2]", at: 5000, fromSince: 4000 });
  });

  it("the reason follows the latest result while the state stays", () => {
    const { s } = play(cfg(), "- - -");
    expect(s.state).toBe("DOWN");
    expect(s.reason).toBe("exit 1: boom");
    expect(s.since).toBe(1000);
    expect(s.failures).toBe(3);
  });

  it("fast interval only while RISING or FALLING", () => {
    const seen = ["+", "+", "+", "-", "-"].map((_, i, a) => nextDelayKind(play(cfg(), a.slice(0, i + 1).join(" ")).s));
    expect(seen).toEqual(["fast", "fast", "steady", "fast", "steady"]);
    expect(nextDelayKind(initialHealthState(0))).toBe("steady");
  });
});

describe("flap hold-down", () => {
  const flappy = cfg({ rise: 1, fall: 1, flap: { maxTransitions: 3, windowMs: 10_000, holdMs: 30_000 } });

  it("more than K up/down changes within W hold the service DOWN for T, with a reason", () => {
    // INIT→UP (1), UP→DOWN (2), DOWN→UP (3), UP→DOWN (4 > 3): held
    const r = play(flappy, "+ - + -");
    expect(r.states).toBe("UP DOWN UP DOWN");
    const hold = r.transitions.at(-1)!;
    expect(hold).toMatchObject({ from: "UP", to: "DOWN", cause: "hold", heldUntil: 4000 + 30_000 });
    expect(hold.reason).toMatch(/flapping: 4 up\/down changes within 10s \(more than 3\); held DOWN for 30s/);
    expect(r.s.flapHolds).toBe(1);
    // healthy again, but held: no transition, stays DOWN while the phase goes UP
    const held = play(flappy, "+ + +", r.s, r.t);
    expect(held.states).toBe("DOWN DOWN DOWN");
    expect(held.s.phase).toBe("UP");
    expect(held.transitions.filter((t) => t.cause !== "hold")).toEqual([]);
  });

  it("ends with a tick at heldUntil: the state shows the phase again", () => {
    let s = play(flappy, "+ - + -").s; // held until 34000
    s = reduce(flappy, s, { type: "result", ok: true, reason: "ok" }, 5000).state; // phase UP (a 5th change: held until 35000)
    expect(s.heldUntil).toBe(35_000);
    const early = reduce(flappy, s, { type: "tick" }, 34_999);
    expect(early.state.state).toBe("DOWN");
    const due = reduce(flappy, s, { type: "tick" }, 35_000);
    expect(due.state.state).toBe("UP");
    expect(due.transitions).toEqual([expect.objectContaining({ from: "DOWN", to: "UP", cause: "release", reason: "flap hold-down ended; ok [rise 1/1]" })]);
    expect(due.state.heldUntil).toBeUndefined();
    expect(due.state.flaps).toEqual([]);
  });

  it("a DOWN service put under hold reports it (from === to)", () => {
    // with K = 2, DOWN→UP is the 3rd change: blocked, and the service was DOWN already
    const r = play(cfg({ rise: 1, fall: 1, flap: { maxTransitions: 2, windowMs: 10_000, holdMs: 30_000 } }), "- + - +");
    expect(r.states).toBe("DOWN UP DOWN DOWN");
    const hold = r.transitions.find((t) => t.cause === "hold")!;
    expect(hold.from).toBe("DOWN");
    expect(hold.to).toBe("DOWN");
  });

  it("flapping on while held restarts the hold", () => {
    const r = play(flappy, "+ - + -"); // held at 4000 until 34000
    const more = play(flappy, "+ - + -", r.s, 10_000); // changes at 11000..14000, all within W
    expect(more.s.heldUntil).toBe(14_000 + 30_000);
    expect(more.s.flapHolds).toBeGreaterThan(1);
    expect(more.s.state).toBe("DOWN");
  });

  it("changes spread wider than W never hold", () => {
    let s = initialHealthState(0);
    for (let i = 0; i < 20; i++) s = reduce(flappy, s, { type: "result", ok: i % 2 === 0, reason: "x" }, i * 4000).state;
    expect(s.heldUntil).toBeUndefined();
    expect(s.flapHolds).toBe(0);
  });

  it("RISING/FALLING wobble without an up/down change does not count", () => {
    const c = cfg({ flap: { maxTransitions: 2, windowMs: 60_000, holdMs: 60_000 } });
    const r = play(c, "+ + + - + - + - + - +");
    expect(r.s.flapHolds).toBe(0);
    expect(r.s.state).toBe("UP");
  });

  it("drain and undrain do not count, and undrain while held stays DOWN", () => {
    const r = play(flappy, "+ - + - D U");
    expect(r.states.split(" ").slice(-2)).toEqual(["DISABLED", "DOWN"]);
    expect(r.transitions.at(-1)!.reason).toMatch(/^undrained; .*flapping/);
    const d = play(cfg({ flap: { maxTransitions: 2, windowMs: 60_000, holdMs: 60_000 } }), "D U D U D U D U");
    expect(d.s.flapHolds).toBe(0);
  });
});

describe("purity", () => {
  it("never mutates its input state", () => {
    const s0 = initialHealthState(0);
    const frozen = JSON.stringify(s0);
    reduce(cfg({ rise: 1 }), s0, { type: "result", ok: true, reason: "ok" }, 1);
    expect(JSON.stringify(s0)).toBe(frozen);
  });
});
