// The reliability suite's long-running items against real daemons (a BIRD host and an FRR host
// under `svcroute run`, each linked to two FRR ToRs): 1,000 rapid health flaps (hold-down, bounded
// churn at the ToRs, flat memory) and a soak of random health changes, manifest edits and faults
// (daemon killed, frozen, a peer lost), each step verified at the ToRs.
// `npm run test:soak` (SVCROUTE_RELIABILITY_LONG=1) soaks 30 minutes instead of 3.
// Figures go to docs/reliability.md (test/helpers/figures.ts).
import { afterAll, afterEach, beforeAll, describe, it } from "vitest";
import { setTimeout as delay } from "node:timers/promises";
import { recordFigures } from "../helpers/figures.js";
import {
  DAEMONS,
  createRelFabric,
  desiredPrefixes,
  extraService,
  manifestPath,
  prng,
  relManifest,
  relServices,
  rssKb,
  setHealthy,
  slope,
  status,
  supLog,
  teardownRelFabric,
  waitAgrees,
  waitTorsHold,
  type Daemon,
  type RelFabric,
  type RelService,
} from "./harness/reliability-lib.js";
import { ensureBundle, reportEvidence, torLogMark, torUpdatesSince, writeAtomic } from "./harness/supervised.js";
import { waitFor } from "./harness/wait.js";

const LONG = process.env.SVCROUTE_RELIABILITY_LONG === "1";
const SEED = Number(process.env.SVCROUTE_RELIABILITY_SEED ?? Date.now() % 2 ** 31);
const SOAK_MS = Number(process.env.SVCROUTE_SOAK_S ?? (LONG ? 1800 : 180)) * 1000;
const FLAPS = 1000;
const FLAP = { maxTransitions: 6, windowS: 10, holdS: 15 };

const HOSTS: Record<Daemon, string> = { bird: "sb", frr: "sf" };
const flapTiming = ["    interval: 50ms", "    fast_interval: 50ms", "    timeout: 40ms", "    rise: 1", "    fall: 1", `    flap: {max_transitions: ${FLAP.maxTransitions}, window: ${FLAP.windowS}s, hold: ${FLAP.holdS}s}`];
function services(base: number): RelService[] {
  return relServices(base, ["a", "b", "c", "flappy"]).map((s) => (s.name === "flappy" ? { ...s, timing: flapTiming } : s));
}
const SERVICES: Record<Daemon, RelService[]> = { bird: services(70), frr: services(80) };
const EXTRA: Record<Daemon, RelService> = { bird: extraService("extra", "192.0.2.78/32"), frr: extraService("extra", "192.0.2.88/32") };

let f: RelFabric;
const figures: Record<string, unknown> = {};

beforeAll(async () => {
  ensureBundle();
  f = await createRelFabric({ hosts: { bird: { host: HOSTS.bird, services: SERVICES.bird }, frr: { host: HOSTS.frr, services: SERVICES.frr } }, later: { bird: [EXTRA.bird], frr: [EXTRA.frr] } });
}, 180_000);

afterAll(async () => {
  console.info(`[reliability soak] seed ${SEED}${LONG ? " (long mode)" : ""}\n${JSON.stringify(figures, null, 1)}`);
  recordFigures("lab-soak", { seed: SEED, mode: LONG ? "long" : "ci", ...figures });
  // unset when beforeAll failed
  if (f as RelFabric | undefined) await teardownRelFabric(f);
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === "fail" && (f as RelFabric | undefined)) await reportEvidence(ctx.task.name, DAEMONS.map((d) => f.sup[d]), 40, f.lab);
});

/** sessions dropped at both ToRs toward the host, so far */
async function drops(host: string): Promise<number> {
  const s = await Promise.all(["tor1", "tor2"].map((t) => f.lab.observe.session(t, host)));
  return s.reduce((n, x) => n + (x?.connectionsDropped ?? 0), 0);
}

/**
 * RSS over a run. V8 grows its heap for a while after start (JIT, young generation), then RSS
 * saw-tooths with garbage collection; a leak shows as peaks that keep rising. So: the highest
 * sample of the first third against the highest of the last third.
 */
function rssSummary(samples: { t: number; kb: number }[]) {
  const third = Math.max(1, Math.floor(samples.length / 3));
  const peak = (xs: { kb: number }[]) => Math.max(...xs.map((x) => x.kb)) / 1024;
  const half = samples.slice(Math.floor(samples.length / 2));
  return {
    samples: samples.length,
    first_mb: +(samples[0]!.kb / 1024).toFixed(1),
    last_mb: +(samples.at(-1)!.kb / 1024).toFixed(1),
    max_mb: +peak(samples).toFixed(1),
    peak_first_third_mb: +peak(samples.slice(0, third)).toFixed(1),
    peak_last_third_mb: +peak(samples.slice(-third)).toFixed(1),
    slope_kb_per_min: Math.round(slope(half.map((x) => x.t / 60_000), half.map((x) => x.kb))),
  };
}

describe("1,000 rapid health flaps", () => {
  it.concurrent.for(DAEMONS)("%s: the hold-down engages, the ToRs see bounded churn, sessions stay up, memory stays flat; once steady, the service comes back", { timeout: 300_000 }, async (d, { expect }) => {
    const h = f.hosts[d];
    const s = f.sup[d];
    const svc = h.services.find((x) => x.name === "flappy")!;
    const rnd = prng(SEED + (d === "bird" ? 21 : 22));
    const marks = Object.fromEntries(["tor1", "tor2"].map((t) => [t, torLogMark(f.lab, t)]));
    const drops0 = await drops(h.host);
    const rss: { t: number; kb: number }[] = [];
    let heldSeen = 0;
    const t0 = performance.now();
    for (let i = 0; i < FLAPS; i++) {
      setHealthy(f.lab, h, svc.name, i % 2 === 1);
      // paced around the check interval (50 ms), so most flips are seen by a check
      await delay(30 + Math.floor(rnd() * 50));
      if (i % 25 === 0) {
        const kb = rssKb(s.pid);
        if (kb) rss.push({ t: performance.now() - t0, kb });
        const st = await status(s);
        if (st.services.find((x) => x.name === svc.name)?.held_down_until) heldSeen++;
      }
    }
    const flapMs = performance.now() - t0;
    setHealthy(f.lab, h, svc.name, true);
    // held down (at most FLAP.holdS from the last transition), then UP and announced again
    await waitTorsHold(f, d, "flappy back once steady", (FLAP.holdS + 30) * 1000);
    await waitAgrees(f, d, "after the flaps", 0, 30_000);
    const updates = ["tor1", "tor2"].map((t) => torUpdatesSince(f.lab, t, svc.prefix, marks[t]!).lines.length);
    // each hold-down period lets at most max_transitions + 1 changes through, then holds for holdS
    const bound = (Math.ceil(flapMs / 1000 / FLAP.holdS) + 1) * (FLAP.maxTransitions + 2);
    const mem = rssSummary(rss);
    const dropped = (await drops(h.host)) - drops0;
    figures[`flaps_${d}`] = { flips: FLAPS, seconds: Math.round(flapMs / 1000), held_down_seen: heldSeen, updates_per_tor: updates, bound_per_tor: bound, session_drops: dropped, rss: mem };
    expect(heldSeen).toBeGreaterThan(0);
    for (const u of updates) expect(u).toBeLessThanOrEqual(bound);
    expect(dropped).toBe(0);
    // right after start V8 is still growing its heap (the soak below shows where it settles):
    // here only a runaway would fail
    expect(mem.max_mb - mem.first_mb).toBeLessThan(64);
    expect(supLog(s).filter((l) => l.code === "E_INTERNAL")).toEqual([]);
  });
});

describe(`soak: ${SOAK_MS / 60_000} minutes of random health changes, manifest edits and faults`, () => {
  it.concurrent.for(DAEMONS)(
    "%s: after every change or fault both ToRs hold exactly the desired set; changes never reset a session; status agrees; memory flat",
    { timeout: SOAK_MS + 300_000 },
    async (d, { expect }) => {
      const h = f.hosts[d];
      const s = f.sup[d];
      const rnd = prng(SEED + (d === "bird" ? 31 : 32));
      const checked = h.services.filter((x) => x.checked && x.name !== "flappy");
      const rss: { t: number; kb: number }[] = [];
      const ms: number[] = [];
      const count = { health: 0, edits: 0, kills: 0, freezes: 0, peer_losses: 0, resets_by_changes: 0 };
      let extra = false;
      const last = "start";
      // after a fault, sessions settle (BFD and BGP timers of a restarted daemon): both up for 5 s
      const established = () =>
        waitFor(() => Promise.all(["tor1", "tor2"].map((t) => f.lab.observe.session(t, h.host))), {
          what: `${h.host}: both sessions Established for 5 s`,
          timeout: 90_000,
          interval: 200,
          until: (x) => x.every((y) => y?.state === "Established" && y.uptimeMs >= 5000),
        });
      const t0 = performance.now();
      while (performance.now() - t0 < SOAK_MS) {
        const r = rnd();
        const fault = r >= 0.85;
        const stepAt = Date.now();
        const before = fault ? 0 : await drops(h.host);
        if (r < 0.7) {
          const x = checked[Math.floor(rnd() * checked.length)]!;
          setHealthy(f.lab, h, x.name, !desiredPrefixes(f.lab, h).includes(x.prefix));
          count.health++;
        } else if (r < 0.85) {
          extra = !extra;
          writeAtomic(manifestPath(f.lab, h), relManifest(f.lab, h, { services: extra ? [...h.services, EXTRA[d]] : h.services }));
          count.edits++;
        } else if (r < 0.93) {
          // the routing daemon killed and restarted (FRR: bgpd alone every other time)
          await f.lab.faults.kill(h.host, d === "frr" && count.kills % 2 === 1 ? { daemons: ["bgpd"] } : {});
          await f.lab.startDaemon(h.host);
          count.kills++;
        } else if (r < 0.97) {
          // silent loss of one ToR until its session drops, then back
          const t = rnd() < 0.5 ? "tor1" : "tor2";
          await f.lab.faults.poison(h.host, t);
          try {
            await waitFor(() => f.lab.observe.sessionState(t, h.host), { what: `${t} to drop ${h.host}`, timeout: 20_000, interval: 50, until: (x) => x !== "Established" });
          } finally {
            await f.lab.faults.unpoison(h.host, t);
          }
          count.peer_losses++;
        } else {
          // frozen until BFD (toward tor1) notices, then thawed
          const which = d === "frr" ? ["bgpd"] : undefined;
          await f.lab.faults.pause(h.host, which);
          try {
            await waitFor(() => f.lab.observe.sessionState("tor1", h.host), { what: `tor1 to drop frozen ${h.host}`, timeout: 20_000, interval: 50, until: (x) => x !== "Established" });
          } finally {
            await f.lab.faults.resume(h.host, which);
          }
          count.freezes++;
        }
        const want = [...desiredPrefixes(f.lab, h), ...(extra ? [EXTRA[d].prefix] : [])].sort();
        const step = `soak step ${Object.values(count).reduce((a, b) => a + b, 0)}`;
        const took = await waitTorsHold(f, d, step, fault ? 90_000 : 30_000, want);
        if (fault) {
          // recovered means: the supervisor has re-applied and agrees (a restarted BIRD may
          // restart a session for that), both sessions are up, and the ToRs hold the set
          await waitAgrees(f, d, `${step}: recovered`, stepAt, 60_000);
          await established();
          await waitTorsHold(f, d, `${step}: recovered`, 60_000, want);
        } else {
          ms.push(took);
          if ((await drops(h.host)) !== before) {
            count.resets_by_changes++;
            const sess = await Promise.all(["tor1", "tor2"].map((t) => f.lab.observe.session(t, h.host)));
            console.warn(
              `${d} ${step} (${r < 0.7 ? "health change" : "manifest edit"}, after ${last}): a session was reset\n${JSON.stringify(sess)}\n${supLog(s)
                .slice(-12)
                .map((l) => JSON.stringify(l))
                .join("\n")}`,
            );
          }
        }
        const kb = rssKb(s.pid);
        if (kb) rss.push({ t: performance.now() - t0, kb });
      }
      const st = await waitAgrees(f, d, "end of the soak", 0, 60_000);
      const mem = rssSummary(rss);
      ms.sort((a, b) => a - b);
      figures[`soak_${d}`] = {
        minutes: +((performance.now() - t0) / 60_000).toFixed(1),
        ...count,
        change_to_tors_ms: { p50: ms[Math.floor(ms.length / 2)], p95: ms[Math.floor(ms.length * 0.95)], max: ms.at(-1) },
        reconcile_failures: st.counters.reconcile_failures,
        rss: mem,
      };
      expect(count.resets_by_changes).toBe(0);
      // flat: the peaks of the last third no higher than those of the first, give or take 16 MB
      expect(mem.peak_last_third_mb - mem.peak_first_third_mb).toBeLessThan(16);
      expect(supLog(s).filter((l) => l.code === "E_INTERNAL")).toEqual([]);
    },
  );
});
