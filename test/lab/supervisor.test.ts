// The supervisor (`svcroute run`, the built bundle) against real daemons: a BIRD host and an FRR
// host, both dual-homed to two FRR ToRs, each driven by its own supervisor. Everything is judged at
// the ToRs: what they hold, with which attributes, and whether the sessions ever reset.
// Faults (daemon death, signals, the fail-closed guard, drift): supervisor-faults.test.ts.
import { existsSync, readdirSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { callSupervisor, fetchStatus } from "../../src/supervisor/client.js";
import type { SupervisorStatus } from "../../src/supervisor/status-types.js";
import { waitEqual, waitEstablished } from "./harness/conditions.js";
import { createLab, type Lab } from "./harness/lab.js";
import { isAlive } from "./harness/procs.js";
import {
  drainFile,
  dropInDir,
  ensureBundle,
  guardPids,
  healthFile,
  manifestFor,
  metric,
  pathFrom,
  paths,
  plannedStop,
  summarise,
  reportEvidence,
  serviceYaml,
  startSupervisor,
  svcroute,
  torLogMark,
  torUpdatesSince,
  waitSupervisorUp,
  watchRoute,
  writeAtomic,
  type ServiceSpec,
  type Supervised,
  type SupervisedOptions,
} from "./harness/supervised.js";
import { caseDaemons } from "./harness/matrix.js";
import { waitFor } from "./harness/wait.js";

type Daemon = "bird" | "frr";
/** the hosts of the fabric; CASES: those whose own cases this run generates (harness/matrix.ts) */
const DAEMONS: Daemon[] = ["bird", "frr"];
const CASES: Daemon[] = caseDaemons("supervisor");
const HOST: Record<Daemon, string> = { bird: "hb", frr: "hf" };
const TORS = ["tor1", "tor2"] as const;
const ANYCAST = "198.51.100.1/32";
const P: Record<Daemon, { web: string; dep: string; extra: string; drop: string }> = {
  bird: { web: "192.0.2.10/32", dep: "192.0.2.11/32", extra: "192.0.2.12/32", drop: "192.0.2.13/32" },
  frr: { web: "192.0.2.20/32", dep: "192.0.2.21/32", extra: "192.0.2.22/32", drop: "192.0.2.23/32" },
};
/** the tests flip health fast: keep the flap hold-down out of the way */
const FLAP = "    flap: {max_transitions: 1000}";
const DEPREFER = ["    on_failure: deprefer", "    deprefer: {as_path_prepend: 2, med: 50, communities: [65000:666]}"];
const GSHUT = "graceful-shutdown";

let lab: Lab;
const sup = {} as Record<Daemon, Supervised>;
/** what each host's manifest says now (tests edit it and put it back) */
const current = {} as Record<Daemon, SupervisedOptions>;
const figures: Record<string, number[]> = {};
const note = (k: string, ms: number) => (figures[k] ??= []).push(ms);

function services(d: Daemon, o: { depCommunities?: string[]; extra?: boolean } = {}): ServiceSpec[] {
  const out: ServiceSpec[] = [
    { name: "web", prefixes: [P[d].web], extra: [FLAP] },
    { name: "dep", prefixes: [P[d].dep], extra: [FLAP, ...DEPREFER, ...(o.depCommunities ? [`    communities: [${o.depCommunities.join(", ")}]`] : [])] },
    { name: "any", prefixes: [ANYCAST], extra: [FLAP] },
  ];
  if (o.extra) out.push({ name: "extra", prefixes: [P[d].extra], extra: [FLAP] });
  return out;
}

/** checks may take 150 ms: the lab machine is busy (see SupervisedOptions.checkTimeout) */
const CHECK_TIMEOUT = "150ms";
const options = (d: Daemon, o?: Parameters<typeof services>[1]): SupervisedOptions => ({ services: services(d, o), checkTimeout: CHECK_TIMEOUT });

/** rewrite the host's manifest (as config management would) */
function setManifest(d: Daemon, o: SupervisedOptions): void {
  current[d] = o;
  writeAtomic(sup[d].manifest, manifestFor(lab, HOST[d], o));
}

const status = (d: Daemon): Promise<SupervisorStatus> => fetchStatus(sup[d].socket);
const metrics = async (d: Daemon): Promise<string> => (await callSupervisor(sup[d].socket, "GET", "/metrics")).body;

/** how long one change may take to reach both ToRs (the supervisor applies it, the ToRs learn it) */
const CHANGE_DEADLINE = 15_000;

/** wait for the host's prefix at both ToRs, present or absent; returns the ms each ToR took */
async function atBoth(d: Daemon, prefix: string, want: "present" | "absent", timeout = CHANGE_DEADLINE): Promise<number[]> {
  return Promise.all(
    TORS.map(async (t) => {
      const { ms } = await waitFor(async () => (await pathFrom(lab, t, HOST[d], prefix)) !== undefined, {
        what: `${prefix} from ${HOST[d]} ${want} at ${t}`,
        timeout,
        interval: 10,
        until: (has) => has === (want === "present"),
      });
      return ms;
    }),
  );
}

/** the ToRs' view of the host's sessions, for "never reset" checks */
async function sessionStats(d: Daemon) {
  return Promise.all(
    TORS.map(async (t) => {
      const s = await lab.observe.session(t, HOST[d]);
      if (!s) throw new Error(`${t} has no session with ${HOST[d]}`);
      return { tor: t, state: s.state, established: s.connectionsEstablished, dropped: s.connectionsDropped, uptimeMs: s.uptimeMs };
    }),
  );
}

beforeAll(async () => {
  ensureBundle();
  lab = await createLab({
    tors: [
      { name: "tor1", asn: 65001, timers: { keepalive: 1, hold: 3 }, debugUpdates: true },
      { name: "tor2", asn: 65002, timers: { keepalive: 1, hold: 3 } },
    ],
    hosts: [
      // every service address on the host: each service is announced only with its address there
      { name: HOST.bird, daemon: "bird", links: ["tor1", "tor2"], families: ["ipv4"], addresses: [...Object.values(P.bird), ANYCAST] },
      { name: HOST.frr, daemon: "frr", links: ["tor1", "tor2"], families: ["ipv4"], addresses: [...Object.values(P.frr), ANYCAST] },
    ],
  });
  for (const d of DAEMONS) {
    current[d] = options(d);
    sup[d] = startSupervisor(lab, HOST[d], current[d]);
  }
  await Promise.all(DAEMONS.map((d) => waitSupervisorUp(sup[d])));
  await waitEstablished(lab, { timeout: 60_000 });
});

afterAll(async () => {
  if (Object.keys(figures).length) console.info(`[supervisor figures, ms]\n${summarise(figures)}`);
  // unset when beforeAll failed
  if (!(lab as Lab | undefined)) return;
  // clean-up only: the planned stop is the last test; whatever is left goes down with the lab
  await plannedStop(lab, DAEMONS.filter((d) => d in sup).map((d) => sup[d].pid)).catch(() => undefined);
  await lab.down();
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === "fail" && (lab as Lab | undefined)) await reportEvidence(ctx.task.name, DAEMONS.filter((d) => d in sup).map((d) => sup[d]), 30, lab);
});

describe.each(CASES)("supervisor on a %s host", (d) => {
  const host = () => HOST[d];

  it("announces every healthy service to both ToRs of a dual-homed host; /status and /metrics show desired = advertised per peer", async () => {
    for (const p of [P[d].web, P[d].dep, ANYCAST]) await atBoth(d, p, "present");
    const st = await waitFor(() => status(d), {
      what: "status: every prefix advertised to both peers",
      until: (s) => s.services.every((x) => x.prefixes.every((p) => p.advertised.tor1 && p.advertised.tor2)),
    });
    expect(st.value.manifest.valid).toBe(true);
    expect(st.value.daemon).toMatchObject({ type: d, reachable: true });
    expect(st.value.peers.map((p) => [p.name, p.state])).toEqual([
      ["tor1", "Established"],
      ["tor2", "Established"],
    ]);
    for (const s of st.value.services) {
      expect(s.state).toBe("UP");
      for (const p of s.prefixes) expect(p).toMatchObject({ desired: "normal", advertised: { tor1: true, tor2: true } });
    }
    const m = await metrics(d);
    expect(metric(m, "svcroute_manifest_valid")).toBe(1);
    expect(metric(m, "svcroute_daemon_reachable", `daemon="${d}"`)).toBe(1);
    expect(metric(m, "svcroute_prefix_announced", `service="web",prefix="${P[d].web}",peer="tor2"`)).toBe(1);
    expect(metric(m, "svcroute_peer_established", `peer="tor1"`)).toBe(1);
    // the host uses both links: the default route from both ToRs is installed as ECMP
    const { value: def } = await waitFor(() => lab.observe.defaultRoute(host()), { what: `ECMP default route on ${host()}`, until: (r) => (r?.nexthops.length ?? 0) === 2 });
    expect(def!.nexthops.map((n) => n.gateway).sort()).toEqual([lab.link(host(), "tor1").tor4, lab.link(host(), "tor2").tor4].sort());
  });

  it("withdraws a service that goes DOWN and re-announces it when UP, on the fast path, sessions untouched", async () => {
    const before = await sessionStats(d);
    const c0 = (await status(d)).counters;
    for (let round = 0; round < 3; round++) {
      sup[d].setHealthy("web", false);
      const gone = await atBoth(d, P[d].web, "absent");
      note(`${d} withdraw (health file removed → gone at ToR)`, Math.max(...gone));
      const st = await waitFor(() => status(d), {
        what: "status: web DOWN, desired withdrawn, advertised nowhere",
        until: (s) => {
          const w = s.services.find((x) => x.name === "web")!;
          return w.state === "DOWN" && w.prefixes[0]!.desired === "withdrawn" && !w.prefixes[0]!.advertised.tor1 && !w.prefixes[0]!.advertised.tor2;
        },
      });
      expect(st.value.services.find((x) => x.name === "dep")!.prefixes[0]!.advertised).toEqual({ tor1: true, tor2: true });
      sup[d].setHealthy("web", true);
      const back = await atBoth(d, P[d].web, "present");
      note(`${d} re-announce (health file back → at ToR)`, Math.max(...back));
    }
    // the ToR can see the last toggle before the supervisor has counted it
    const { value: st } = await waitFor(() => status(d), { what: "six fast applies counted", timeout: 5000, until: (x) => x.counters.fast_applies - c0.fast_applies >= 6 });
    const c1 = st.counters;
    expect(c1.full_applies).toBe(c0.full_applies);
    expect(c1.reconcile_failures).toBe(c0.reconcile_failures);
    const after = await sessionStats(d);
    expect(after.map((s) => [s.established, s.dropped])).toEqual(before.map((s) => [s.established, s.dropped]));
  });

  it("de-prefers a DOWN service with on_failure: deprefer (prepends, MED, community) and restores it when UP, never withdrawing it", async () => {
    const normal = await pathFrom(lab, "tor1", host(), P[d].dep);
    expect(normal).toMatchObject({ asPath: [lab.host(host()).asn], communities: [] });
    for (const [up, check] of [
      [false, (p: Awaited<ReturnType<typeof pathFrom>>) => p?.asPath.length === 3 && p.communities.includes("65000:666") && p.med === 50],
      [true, (p: Awaited<ReturnType<typeof pathFrom>>) => p?.asPath.length === 1 && p.communities.length === 0],
    ] as const) {
      const mark = torLogMark(lab, "tor1");
      const watch = watchRoute(lab, "tor1", P[d].dep);
      sup[d].setHealthy("dep", up);
      const { ms, value } = await waitFor(() => pathFrom(lab, "tor1", host(), P[d].dep), { what: `${P[d].dep} ${up ? "normal" : "de-preferred"} at tor1`, until: check });
      const seen = await watch.stop();
      note(`${d} ${up ? "restore" : "deprefer"} (health → new attributes at ToR)`, ms);
      expect(value!.asPath.every((a) => a === lab.host(host()).asn)).toBe(true);
      expect(seen.samples).toBeGreaterThan(0);
      expect(seen.absent, `${P[d].dep} left tor1 while its attributes changed`).toBe(0);
      const updates = torUpdatesSince(lab, "tor1", P[d].dep, mark);
      expect(updates.lines.length, "the ToR logged the update with the new attributes").toBeGreaterThanOrEqual(1);
      expect(updates.withdrawn).toEqual([]);
      await waitFor(() => pathFrom(lab, "tor2", host(), P[d].dep), { what: `${P[d].dep} attributes at tor2`, until: check });
    }
  });

  it("a bad manifest keeps the last good one running (manifest_valid 0, located errors) and recovers by itself when fixed", async () => {
    const good = manifestFor(lab, host(), current[d]);
    writeAtomic(sup[d].manifest, `${good}bogus_key: 1\n`);
    const { value: st } = await waitFor(() => status(d), { what: "status: manifest invalid", until: (s) => !s.manifest.valid });
    expect(st.manifest.errors.length).toBeGreaterThan(0);
    expect(st.manifest.errors[0]).toMatchObject({ file: sup[d].manifest, path: "bogus_key" });
    expect(st.manifest.last_good_hash).toBeTruthy();
    expect(metric(await metrics(d), "svcroute_manifest_valid")).toBe(0);
    // the last good manifest still runs: health still withdraws and re-announces
    await atBoth(d, P[d].web, "present");
    sup[d].setHealthy("web", false);
    await atBoth(d, P[d].web, "absent");
    sup[d].setHealthy("web", true);
    await atBoth(d, P[d].web, "present");
    // fixed, with a change: taken without a restart or a signal
    setManifest(d, options(d, { extra: true }));
    writeFileSync(healthFile(lab.host(host()), "extra"), "");
    await waitFor(() => status(d), { what: "status: manifest valid again", until: (s) => s.manifest.valid && s.services.some((x) => x.name === "extra") });
    await atBoth(d, P[d].extra, "present");
    expect(metric(await metrics(d), "svcroute_manifest_valid")).toBe(1);
    setManifest(d, options(d));
    await atBoth(d, P[d].extra, "absent");
  });

  it("a drop-in added to services.d takes effect; removed, its prefix is withdrawn", async () => {
    const h = lab.host(host());
    const file = join(dropInDir(h), "drop.yaml");
    writeFileSync(healthFile(h, "drop"), "");
    writeAtomic(file, `services:\n${serviceYaml(h, { name: "drop", prefixes: [P[d].drop], extra: [FLAP] }, CHECK_TIMEOUT)}\n`);
    const added = await atBoth(d, P[d].drop, "present");
    note(`${d} drop-in added → at ToR`, Math.max(...added));
    const st = await status(d);
    expect(st.services.map((s) => s.name)).toContain("drop");
    expect(st.manifest.valid).toBe(true);
    rmSync(file);
    const removed = await atBoth(d, P[d].drop, "absent");
    note(`${d} drop-in removed → gone at ToR`, Math.max(...removed));
    await waitFor(() => status(d), { what: "status without the drop-in's service", until: (s) => !s.services.some((x) => x.name === "drop") });
    await atBoth(d, P[d].web, "present");
  });

  it("svcroute drain: GRACEFUL_SHUTDOWN at the ToR without a withdrawal, withdrawn after drain_wait; undrain re-announces", async () => {
    const mark = torLogMark(lab, "tor1");
    const watch = watchRoute(lab, "tor1", P[d].web);
    const t0 = performance.now();
    const r = await svcroute(lab, host(), ["drain", "web", "--manifest", sup[d].manifest]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/draining/);
    const { value } = await waitFor(() => pathFrom(lab, "tor1", host(), P[d].web), { what: `${P[d].web} with ${GSHUT} at tor1`, until: (p) => p?.communities.includes(GSHUT) === true });
    note(`${d} drain → ${GSHUT} at ToR`, Math.round(performance.now() - t0));
    expect(value!.asPath.length).toBeGreaterThanOrEqual(1);
    const shut = await watch.stop();
    expect(shut.absent, "the route left the ToR when the drain began").toBe(0);
    const updates = torUpdatesSince(lab, "tor1", P[d].web, mark);
    expect(updates.lines.length, "the ToR logged the update with GRACEFUL_SHUTDOWN").toBeGreaterThanOrEqual(1);
    expect(updates.withdrawn).toEqual([]);
    const st = await status(d);
    expect(st.services.find((s) => s.name === "web")!.drained).toBe(true);
    expect(st.services.find((s) => s.name === "dep")!.drained).toBe(false);
    await atBoth(d, P[d].web, "absent", 10_000);
    const drained = Math.round(performance.now() - t0);
    note(`${d} drain → withdrawn (drain_wait 2s)`, drained);
    expect(drained).toBeGreaterThanOrEqual(1800);
    expect(await pathFrom(lab, "tor1", host(), P[d].dep)).toBeDefined();
    const u = await svcroute(lab, host(), ["undrain", "web", "--manifest", sup[d].manifest]);
    expect(u.code, u.stderr).toBe(0);
    await waitFor(() => pathFrom(lab, "tor1", host(), P[d].web), { what: `${P[d].web} back without ${GSHUT}`, until: (p) => p !== undefined && !p.communities.includes(GSHUT) });
    await atBoth(d, P[d].web, "present");
  });

  it("the maintenance drain file drains every service (GRACEFUL_SHUTDOWN, then withdrawn); removing it brings them back", async () => {
    const h = lab.host(host());
    writeFileSync(drainFile(h), "");
    for (const p of [P[d].web, P[d].dep]) {
      await waitFor(() => pathFrom(lab, "tor1", host(), p), { what: `${p} with ${GSHUT}`, until: (x) => x?.communities.includes(GSHUT) === true });
    }
    for (const p of [P[d].web, P[d].dep]) await atBoth(d, p, "absent", 10_000);
    expect((await status(d)).services.every((s) => s.drained)).toBe(true);
    rmSync(drainFile(h));
    for (const p of [P[d].web, P[d].dep, ANYCAST]) await atBoth(d, p, "present");
    const web = await pathFrom(lab, "tor1", host(), P[d].web);
    expect(web!.communities).not.toContain(GSHUT);
  });
});

describe("anycast from two hosts (BIRD and FRR)", () => {
  it("ECMP over both hosts at each ToR; one fails → one path left; it recovers → two again", async () => {
    for (const t of TORS) await waitFor(() => lab.observe.ecmp(t, ANYCAST), { what: `2 ECMP paths for ${ANYCAST} at ${t}`, until: (n) => n === 2 });
    for (const failing of DAEMONS) {
      const other = DAEMONS.find((x) => x !== failing)!;
      sup[failing].setHealthy("any", false);
      for (const t of TORS) {
        const { value: left } = await waitFor(() => paths(lab, t, ANYCAST), { what: `one path for ${ANYCAST} at ${t}`, until: (ps) => ps.length === 1 });
        expect(left[0]!.peer).toBe(lab.link(HOST[other], t).host4);
        expect(await waitEqual(() => lab.observe.ecmp(t, ANYCAST), 1, `${t}'s ECMP paths for ${ANYCAST}`)).toBe(1);
      }
      sup[failing].setHealthy("any", true);
      for (const t of TORS) await waitFor(() => lab.observe.ecmp(t, ANYCAST), { what: `2 ECMP paths for ${ANYCAST} at ${t} again`, until: (n) => n === 2 });
    }
  });
});

const CHANGES = 50;

describe("session stability", () => {
  // Each change waits for the ToRs with its own deadline, so a stuck one fails there; the test as a
  // whole may take as long as its changes do (a policy edit is a full apply: frr-reload.py takes
  // seconds on a busy machine), plus the last one that puts everything back.
  const testTimeout = (CHANGES + 1) * CHANGE_DEADLINE;
  it(`${CHANGES} health and policy changes per host: every change reaches the ToRs, no session resets, uptime keeps growing`, { timeout: testTimeout }, async () => {
    const before = Object.fromEntries(await Promise.all(CASES.map(async (d) => [d, await sessionStats(d)] as const)));
    const t0 = performance.now();
    const counters0 = Object.fromEntries(await Promise.all(CASES.map(async (d) => [d, (await status(d)).counters] as const)));
    await Promise.all(
      CASES.map(async (d) => {
        for (let i = 0; i < CHANGES; i++) {
          const k = Math.floor(i / 2);
          const c0 = performance.now();
          if (i % 2 === 0) {
            // a health flip: web down on even k, up on odd k
            const up = k % 2 === 1;
            sup[d].setHealthy("web", up);
            await atBoth(d, P[d].web, up ? "present" : "absent");
          } else {
            // a policy change: new communities on dep, or a service added or removed
            const step = k % 3;
            if (step === 0) {
              // communities added to dep while it is healthy: new export attributes, same sessions
              const c = `65000:${100 + k}`;
              setManifest(d, options(d, { depCommunities: [c] }));
              await Promise.all(
                TORS.map((t) =>
                  waitFor(() => pathFrom(lab, t, HOST[d], P[d].dep), { what: `${P[d].dep} with ${c} at ${t}`, timeout: CHANGE_DEADLINE, interval: 10, until: (x) => x?.communities.includes(c) === true }),
                ),
              );
            } else if (step === 1) {
              writeFileSync(healthFile(lab.host(HOST[d]), "extra"), "");
              setManifest(d, options(d, { extra: true }));
              await atBoth(d, P[d].extra, "present");
            } else {
              setManifest(d, options(d));
              await atBoth(d, P[d].extra, "absent");
            }
          }
          note(`${d} change ${i % 2 === 0 ? "health flip" : "policy edit"} → at both ToRs`, Math.round(performance.now() - c0));
        }
        // end as it started
        sup[d].setHealthy("web", true);
        setManifest(d, options(d));
        await atBoth(d, P[d].web, "present");
      }),
    );
    const elapsed = performance.now() - t0;
    note(`${CHANGES} changes, both hosts in parallel (total)`, Math.round(elapsed));
    for (const d of CASES) {
      const after = await sessionStats(d);
      after.forEach((s, i) => {
        const b = before[d]![i]!;
        expect(s.state).toBe("Established");
        expect([s.established, s.dropped], `${HOST[d]} at ${s.tor}: connectionsEstablished/Dropped`).toEqual([b.established, b.dropped]);
        expect(s.uptimeMs - b.uptimeMs).toBeGreaterThanOrEqual(elapsed - 1500);
      });
      const c = (await status(d)).counters;
      expect(c.reconcile_failures - counters0[d]!.reconcile_failures).toBe(0);
      const fast = c.fast_applies - counters0[d]!.fast_applies;
      const full = c.full_applies - counters0[d]!.full_applies;
      note(`${d}: fast applies over the ${CHANGES} changes (count)`, fast);
      note(`${d}: full applies over the ${CHANGES} changes (count)`, full);
      // full: the 9 edits that set new communities on dep and the 8 that add extra while they drop
      // them (a route-map changes); on BIRD the 8 removals of extra too (a static protocol goes).
      // FRR removes a service with a toggle (its guardrail is the allowed aggregates): 25 full
      // applies otherwise; a few spare for a drift repair.
      expect(fast).toBeGreaterThanOrEqual(d === "frr" ? 25 + 8 : 25);
      expect(full).toBeGreaterThanOrEqual(16);
      if (d === "frr") expect(full).toBeLessThanOrEqual(20);
    }
  });
});

// last: each supervisor withdraws and tells its guard; nothing of the run survives
it("a planned stop ends every supervisor, every guard leaves, and every socket record with it", async () => {
  // while it runs, each supervisor's record names its socket (clients find it there)
  const records = (d: Daemon) => {
    const dir = join(lab.host(HOST[d]).dir, "run", "manifests");
    return existsSync(dir) ? readdirSync(dir).map((f) => readlinkSync(join(dir, f))) : [];
  };
  for (const d of DAEMONS) expect(records(d)).toEqual([sup[d].socket]);
  await plannedStop(lab, DAEMONS.map((d) => sup[d].pid));
  expect(DAEMONS.filter((d) => isAlive(sup[d].pid))).toEqual([]);
  expect(guardPids(lab)).toEqual([]);
  expect(DAEMONS.flatMap(records)).toEqual([]);
});
