// The supervisor under faults, against real daemons: a BIRD host and an FRR host on one FRR ToR.
// Drift behind its back (a `network` added by hand on FRR, a static route and a DOWN service
// enabled by hand through birdc on BIRD, outside allowed_prefixes and inside them), reported in
// status and doctor, the routing daemon killed (and restarted with the file on disk or with a
// foreign config), SIGTERM, kill -9 (the fail-closed guard withdraws after guard_grace) and a quick
// restart within guard_grace (the route never leaves the ToR). Judged at the ToR.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { callSupervisor, fetchStatus } from "../../src/supervisor/client.js";
import type { SupervisorStatus } from "../../src/supervisor/status-types.js";
import { waitEstablished, waitRoute } from "./harness/conditions.js";
import { bareHostConfig } from "./harness/daemons.js";
import { createLab, type Lab } from "./harness/lab.js";
import { isAlive } from "./harness/procs.js";
import {
  ensureBundle,
  guardLog,
  guardPids,
  plannedStop,
  manifestFor,
  metric,
  pathFrom,
  startSupervisor,
  summarise,
  reportEvidence,
  svcroute,
  torLogMark,
  torUpdatesSince,
  waitSupervisorUp,
  watchRoute,
  writeAtomic,
  type Supervised,
  type SupervisedOptions,
} from "./harness/supervised.js";
import { caseDaemons } from "./harness/matrix.js";
import { waitFor } from "./harness/wait.js";

type Daemon = "bird" | "frr";
/** the hosts whose cases this run generates (harness/matrix.ts) */
const DAEMONS: Daemon[] = caseDaemons("supervisor-faults");
const HOST: Record<Daemon, string> = { bird: "fb", frr: "ff" };
const P: Record<Daemon, { web: string; base: string }> = {
  bird: { web: "192.0.2.30/32", base: "192.0.2.31/32" },
  frr: { web: "192.0.2.40/32", base: "192.0.2.41/32" },
};
/** added by hand on the host: outside allowed_prefixes (the ToR takes it), and inside them but no service */
const ROGUE = { outside: "203.0.113.77/32", inside: "192.0.2.42/32" };
const GRACE_MS = 3000;
const QUICK_GRACE_MS = 10_000;
const GSHUT = "graceful-shutdown";

let lab: Lab;
const sup = {} as Record<Daemon, Supervised>;
const figures: Record<string, number[]> = {};
const note = (k: string, ms: number) => (figures[k] ??= []).push(ms);

const options = (d: Daemon, baseCommunity?: string): SupervisedOptions => ({
  services: [
    { name: "web", prefixes: [P[d].web], extra: ["    flap: {max_transitions: 1000}"] },
    { name: "base", prefixes: [P[d].base], noChecks: true, extra: baseCommunity ? [`    communities: [${baseCommunity}]`] : [] },
  ],
  guardGrace: `${GRACE_MS}ms`,
  stopGrace: "1s",
  // the lab machine is busy: see SupervisedOptions.checkTimeout
  checkTimeout: "150ms",
});

const status = (d: Daemon): Promise<SupervisorStatus> => fetchStatus(sup[d].socket);
const metrics = async (d: Daemon): Promise<string> => (await callSupervisor(sup[d].socket, "GET", "/metrics")).body;

async function start(d: Daemon, keepManifest = false): Promise<Supervised> {
  sup[d] = startSupervisor(lab, HOST[d], { ...options(d), keepManifest });
  await waitSupervisorUp(sup[d]);
  return sup[d];
}

/** the supervisor's JSON log lines */
function supervisorLog(s: Supervised): { ts: string; level: string; msg: string; code?: string; op?: string; triggers?: string }[] {
  return readFileSync(s.logFile, "utf8")
    .split("\n")
    .filter((l) => l.startsWith("{"))
    .map((l) => JSON.parse(l) as { ts: string; level: string; msg: string; code?: string; op?: string; triggers?: string });
}

beforeAll(async () => {
  ensureBundle();
  lab = await createLab({
    tors: [{ name: "tor1", asn: 65001, timers: { keepalive: 1, hold: 3 }, debugUpdates: true }],
    // every service address on the host: each service is announced only with its address there
    hosts: DAEMONS.map((d) => ({ name: HOST[d], daemon: d, links: ["tor1"], families: ["ipv4" as const], addresses: Object.values(P[d]) })),
  });
  await Promise.all(DAEMONS.map((d) => start(d)));
  await waitEstablished(lab, { timeout: 60_000 });
  for (const d of DAEMONS) for (const p of Object.values(P[d])) await waitRoute(lab, "tor1", p, "present");
});

afterAll(async () => {
  if (Object.keys(figures).length) console.info(`[supervisor fault figures, ms]\n${summarise(figures)}`);
  // unset when beforeAll failed
  if (!(lab as Lab | undefined)) return;
  // clean-up only: the planned stop is the last test; whatever is left goes down with the lab
  await plannedStop(lab, DAEMONS.filter((d) => d in sup).map((d) => sup[d].pid)).catch(() => undefined);
  await lab.down();
});

afterEach(async (ctx) => {
  if (ctx.task.result?.state === "fail" && (lab as Lab | undefined)) await reportEvidence(ctx.task.name, DAEMONS.filter((d) => d in sup).map((d) => sup[d]), 30, lab);
});

describe.each(DAEMONS)("supervisor faults on a %s host", (d) => {
  const host = () => HOST[d];
  /** the repair of `prefix` is the last drift in status, its table line, and doctor's DRIFT_REPAIRED */
  const expectDriftReported = async (prefix: string) => {
    // recorded once the repair is applied, a moment after config_drift_total counts the drift
    await waitFor(() => status(d), { what: `status: the last drift repaired names ${prefix}`, until: (x) => x.last_drift?.what.includes(prefix) === true });
    const text = await svcroute(lab, host(), ["status", "-m", sup[d].manifest]);
    expect(text.stdout).toMatch(new RegExp(`^drift repaired: \\d+ time\\(s\\), the last .* ago: .*${prefix.replace(/[./]/g, "\\$&")}`, "m"));
    const doc = await svcroute(lab, host(), ["doctor", "--json", "-m", sup[d].manifest]);
    const found = (JSON.parse(doc.stdout) as { findings: { code: string; result: string; finding: string }[] }).findings.filter((x) => x.code === "DRIFT_REPAIRED");
    expect(found, doc.stdout).toHaveLength(1);
    expect(found[0]).toMatchObject({ result: "WARN", finding: expect.stringContaining(prefix) });
  };

  it("drift behind svcroute's back (a prefix withdrawn by hand, the config file edited) is repaired; config_drift_total counts it", async () => {
    const c0 = (await status(d)).counters.config_drift_total;
    const mark = torLogMark(lab, "tor1");
    const t0 = performance.now();
    if (d === "bird") await lab.birdc(host(), "disable svc4_web");
    else await lab.vtysh(host(), "configure terminal", `router bgp ${lab.host(host()).asn}`, "address-family ipv4 unicast", `no network ${P[d].web}`, "end");
    // the ToR's update log, not a poll: a reverify that comes right after the edit repairs it
    // within a poll's interval on a busy machine. Withdrawn, then announced again: the repair has
    // reached the daemon, so its config file is written before the file is edited below.
    const repaired = (lines: string[]) => {
      const w = lines.findIndex((l) => /withdrawn/i.test(l));
      return w >= 0 && lines.slice(w + 1).some((l) => !/withdrawn/i.test(l));
    };
    await waitFor(() => torUpdatesSince(lab, "tor1", P[d].web, mark).lines, { what: `${P[d].web} withdrawn at tor1, then announced again (its update log)`, timeout: 10_000, until: repaired });
    await waitRoute(lab, "tor1", P[d].web, "present", 10_000);
    note(`${d} hand-withdrawn prefix → repaired (reverify 3s)`, Math.round(performance.now() - t0));
    const { value: st } = await waitFor(() => status(d), { what: "config_drift_total counted", until: (s) => s.counters.config_drift_total >= c0 + 1 });
    expect(metric(await metrics(d), "svcroute_config_drift_total")).toBe(st.counters.config_drift_total);

    const file = lab.host(host()).paths!.configFile;
    const text = readFileSync(file, "utf8");
    writeFileSync(file, `${text}\n# edited by hand\n`);
    await waitFor(() => readFileSync(file, "utf8"), { what: `${file} rewritten by the supervisor`, timeout: 10_000, until: (t) => t === text });
    await waitFor(() => status(d), { what: "the edit counted as drift", until: (s) => s.counters.config_drift_total >= st.counters.config_drift_total + 1 });
    expect(supervisorLog(sup[d]).some((l) => l.code === "E_VERIFY" && /changed by someone else/.test(l.msg))).toBe(true);
    await waitRoute(lab, "tor1", P[d].web, "present");
  });

  // FRR's export prefix-list is the allowed aggregates, not the service prefixes: a `network` added
  // by hand outside allowed_prefixes is stopped by bgpd's own filter, one inside them is the
  // supervisor's to withdraw (verify sees an advertised prefix nobody wants: drift)
  it.runIf(d === "frr")("a network added by hand: outside allowed_prefixes the daemon's filter never sends it; inside, no service, the supervisor withdraws it within one reverify", async () => {
    const asn = lab.host(host()).asn;
    const add = (p: string) => lab.vtysh(host(), "configure terminal", `router bgp ${asn}`, "address-family ipv4 unicast", `network ${p}`, "end");
    const outside = ROGUE.outside;
    const watch = watchRoute(lab, "tor1", outside);
    await add(outside);
    // bgpd originates it (its own table has it) ...
    await waitFor(() => lab.vtysh(host(), `show bgp ipv4 unicast ${outside} json`), { what: `${outside} in ${host()}'s BGP table`, timeout: 10_000, until: (t) => t.includes('"prefix"') || t.includes(`"${outside}"`) });
    const since = performance.now();
    // ... and the ToR, which takes 203.0.113.0/24, never gets it: watched over two reverify intervals
    await waitFor(() => performance.now() - since, { what: "the watch window (6 s)", timeout: 10_000, interval: 50, until: (ms) => ms >= 6000 });
    const seen = await watch.stop();
    expect(seen.samples, `samples of ${outside}`).toBeGreaterThan(5);
    expect(seen.maxGapMs, `the watch of ${outside} had a gap`).toBeLessThan(1500);
    expect(seen.present, `${outside} reached the ToR`).toBe(0);

    const c0 = (await status(d)).counters.config_drift_total;
    const inside = ROGUE.inside;
    const mark = torLogMark(lab, "tor1");
    const t0 = performance.now();
    await add(inside);
    // the daemon's filter lets it through (the supervisor names it unexpected at tor1) ...
    await waitFor(() => supervisorLog(sup[d]), {
      what: `the supervisor's verify to name ${inside} unexpected`,
      timeout: 15_000,
      until: (ls) => ls.some((l) => l.code === "E_VERIFY" && l.msg.includes(`unexpected ${inside}`)),
    });
    // ... and the repair withdraws it: the ToR's update log shows it withdrawn, its table lacks it
    await waitFor(() => torUpdatesSince(lab, "tor1", inside, mark), { what: `${inside} withdrawn at tor1 (its update log)`, timeout: 15_000, until: (u) => u.withdrawn.length > 0 });
    await waitRoute(lab, "tor1", inside, "absent", 10_000);
    note(`${d} hand-added ${inside} (inside allowed, no service) → withdrawn at tor1 (reverify 3s)`, Math.round(performance.now() - t0));
    const { value: st } = await waitFor(() => status(d), { what: "the repair counted in config_drift_total", until: (x) => x.counters.config_drift_total >= c0 + 1 });
    expect(metric(await metrics(d), "svcroute_config_drift_total")).toBe(st.counters.config_drift_total);
    // the repair re-applied svcroute's config: neither hand-added line is left in bgpd
    const running = await lab.vtysh(host(), "show running-config");
    expect(running).not.toContain(`network ${inside}`);
    expect(running).not.toContain(`network ${outside}`);
    await expectDriftReported(inside);
    await waitRoute(lab, "tor1", P[d].web, "present");
  });

  // BIRD's export filter is the exact set of service prefixes: a static route added by hand is
  // never sent, inside allowed_prefixes or outside; a DOWN service's protocol enabled by hand is
  // sent (its prefix is in the set), and the supervisor withdraws it within one reverify
  it.runIf(d === "bird")("routes added by hand through birdc: a static protocol of its own never reaches the ToR (outside allowed_prefixes or inside); a DOWN service enabled by hand is withdrawn within one reverify", async () => {
    const s = sup[d];
    const file = lab.host(host()).paths!.configFile;
    const rogue = `${file}.by-hand`;
    // svcroute's config back first, then web healthy, and web at the ToR before the next case
    const restore = async () => {
      await lab.birdc(host(), `configure "${file}"`).catch(() => "");
      s.setHealthy("web", true);
      rmSync(rogue, { force: true });
      await waitRoute(lab, "tor1", P[d].web, "present", 15_000);
    };
    onTestFailed(restore);
    // svcroute's config plus static protocols nobody asked for, named like a service's so that
    // only the prefix set stops them
    writeFileSync(rogue, `${readFileSync(file, "utf8")}\n${Object.entries(ROGUE).map(([k, p]) => `protocol static svc4_by_hand_${k} {\n  ipv4;\n  route ${p} blackhole;\n}\n`).join("\n")}`);
    const watches = Object.values(ROGUE).map((p) => [p, watchRoute(lab, "tor1", p)] as const);
    expect(await lab.birdc(host(), `configure "${rogue}"`)).toMatch(/Reconfigur/);
    // BIRD has them (its own table) ...
    for (const p of Object.values(ROGUE)) await waitFor(() => lab.birdc(host(), `show route ${p}`), { what: `${p} in ${host()}'s table`, timeout: 10_000, until: (t) => t.includes(p.split("/")[0]!) });
    const since = performance.now();
    // ... and the ToR, which takes 192.0.2.0/24 and 203.0.113.0/24, never gets them: two reverify intervals
    await waitFor(() => performance.now() - since, { what: "the watch window (6 s)", timeout: 10_000, interval: 50, until: (ms) => ms >= 6000 });
    for (const [p, w] of watches) {
      const seen = await w.stop();
      expect(seen.samples, `samples of ${p}`).toBeGreaterThan(5);
      expect(seen.maxGapMs, `the watch of ${p} had a gap`).toBeLessThan(1500);
      expect(seen.present, `${p} reached the ToR`).toBe(0);
    }
    expect(await lab.birdc(host(), `configure "${file}"`)).toMatch(/Reconfigur/);

    s.setHealthy("web", false);
    await waitRoute(lab, "tor1", P[d].web, "absent", 10_000);
    const c0 = (await status(d)).counters.config_drift_total;
    const mark = torLogMark(lab, "tor1");
    const t0 = performance.now();
    await lab.birdc(host(), "enable svc4_web");
    // sent (the ToR's update log has it), then withdrawn by the repair
    await waitFor(() => torUpdatesSince(lab, "tor1", P[d].web, mark), {
      what: `${P[d].web} announced at tor1, then withdrawn (its update log)`,
      timeout: 15_000,
      until: (u) => u.lines.some((l) => !/withdrawn/i.test(l)) && u.withdrawn.length > 0,
    });
    await waitRoute(lab, "tor1", P[d].web, "absent", 10_000);
    note(`${d} DOWN service enabled by hand → withdrawn at tor1 (reverify 3s)`, Math.round(performance.now() - t0));
    await waitFor(() => status(d), { what: "the repair counted in config_drift_total", until: (x) => x.counters.config_drift_total >= c0 + 1 });
    await expectDriftReported(P[d].web);
    await restore();
  });

  it("the routing daemon killed: retries back off (no hot loop), status says unreachable; restarted from the file on disk, the current health is re-applied", async () => {
    const s = sup[d];
    // a failure here must not leave the daemon down and web DOWN for the cases after it
    onTestFailed(async () => {
      s.setHealthy("web", true);
      await lab.startDaemon(host());
    });
    const failedBefore = supervisorLog(s).filter((l) => l.msg.startsWith("reconcile failed")).length;
    await lab.faults.kill(host());
    await waitRoute(lab, "tor1", P[d].base, "absent", 10_000);
    // health changes while the daemon is away: nothing can be applied now
    s.setHealthy("web", false);
    const { value: st } = await waitFor(() => status(d), { what: "status: daemon unreachable", timeout: 15_000, until: (x) => !x.daemon.reachable });
    expect(st.daemon.last_error).toBeTruthy();
    expect(metric(await metrics(d), "svcroute_daemon_reachable", `daemon="${d}"`)).toBe(0);
    // exponential backoff (capped at 30 s: test/unit/supervisor/loop.test.ts): the gaps between
    // failed attempts grow, never a hot loop
    const { value: fails } = await waitFor(() => supervisorLog(s).filter((l) => l.msg.startsWith("reconcile failed")).slice(failedBefore), {
      what: "four failed reconcile attempts",
      timeout: 20_000,
      interval: 100,
      until: (f) => f.length >= 4,
    });
    const at = fails.map((f) => Date.parse(f.ts));
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    note(`${d} retry gaps while the daemon is down`, gaps.at(-1)!);
    expect(gaps.every((g) => g >= 400), `gaps ${gaps.join(", ")} ms`).toBe(true);
    expect(gaps.at(-1)!, `gaps ${gaps.join(", ")} ms`).toBeGreaterThanOrEqual(1800);

    // the daemon comes back with the config file on disk: web must not be announced (it is DOWN)
    const watchWeb = watchRoute(lab, "tor1", P[d].web);
    const logBefore = supervisorLog(s).length;
    const t0 = performance.now();
    const startedAt = Date.now();
    await lab.startDaemon(host());
    await waitRoute(lab, "tor1", P[d].base, "present", 15_000);
    const back = Math.round(performance.now() - t0);
    await waitFor(() => status(d), { what: "status: daemon reachable, last reconcile ok", timeout: 15_000, until: (x) => x.daemon.reachable && x.last_reconcile?.result === "ok" && x.last_reconcile.at >= startedAt });
    const reapplied = Math.round(performance.now() - t0);
    note(`${d} daemon restarted → prefix back at ToR`, back);
    note(`${d} daemon restarted → supervisor re-applied`, reapplied);
    // re-applied because the daemon watch saw it return, not at the end of the (by now 4 s) backoff
    const applied = supervisorLog(s).slice(logBefore).find((l) => l.msg === "reconciled (full path)");
    expect(applied?.triggers ?? "", "the reconcile that re-applied").toMatch(/\bdaemon\b/);
    expect(reapplied).toBeLessThan(8000);
    const web = await watchWeb.stop();
    expect(web.present, `${P[d].web} (DOWN) was announced after the daemon restarted`).toBe(0);
    s.setHealthy("web", true);
    await waitRoute(lab, "tor1", P[d].web, "present");
  });

  it("the routing daemon restarted with a foreign config: the supervisor notices and applies its own again", async () => {
    const h = lab.host(host());
    await lab.faults.kill(host());
    await waitRoute(lab, "tor1", P[d].base, "absent", 10_000);
    const full0 = (await status(d)).counters.full_applies;
    const t0 = performance.now();
    await lab.startDaemon(host(), bareHostConfig(h, h.paths!));
    await waitRoute(lab, "tor1", P[d].base, "present", 20_000);
    await waitRoute(lab, "tor1", P[d].web, "present", 5000);
    note(`${d} daemon restarted with a foreign config → re-applied at ToR`, Math.round(performance.now() - t0));
    expect(readFileSync(h.paths!.configFile, "utf8")).toMatch(/svcroute-managed/);
    // the re-apply has finished (not just the reconcile before the restart)
    await waitFor(() => status(d), { what: "status: re-applied", until: (x) => x.daemon.reachable && x.counters.full_applies > full0 });
  });

  it("SIGTERM, even in the middle of a full apply: GRACEFUL_SHUTDOWN at the ToR for stop_grace, then withdrawn; exit 0; the guard leaves with it", async () => {
    const s = sup[d];
    const [guard] = guardPids(lab, s.manifest);
    expect(guard).toBeDefined();
    // a policy edit starts a full apply (validation and reload run as child processes: FRR's
    // take about a second); the signal lands while they run
    const logged = supervisorLog(s).length;
    writeAtomic(s.manifest, manifestFor(lab, host(), options(d, "65000:7")));
    await waitFor(() => supervisorLog(s).slice(logged), { what: "the full apply to start", timeout: 10_000, interval: 5, until: (l) => l.some((x) => x.msg.startsWith("full apply:")) });
    const t0 = performance.now();
    process.kill(s.pid, "SIGTERM");
    // the apply in flight finishes first (FRR's takes ~1 s on an idle machine, 7 s measured with
    // the CPUs saturated), then the graceful-shutdown apply
    await waitFor(() => pathFrom(lab, "tor1", host(), P[d].web), { what: `${P[d].web} with ${GSHUT}`, timeout: 15_000, interval: 10, until: (p) => p?.communities.includes(GSHUT) === true });
    note(`${d} SIGTERM → ${GSHUT} at ToR`, Math.round(performance.now() - t0));
    await waitRoute(lab, "tor1", P[d].web, "absent", 10_000);
    await waitRoute(lab, "tor1", P[d].base, "absent", 10_000);
    const gone = Math.round(performance.now() - t0);
    note(`${d} SIGTERM → withdrawn at ToR (stop_grace 1s)`, gone);
    expect(gone).toBeGreaterThanOrEqual(900);
    expect(await s.exited).toBe(0);
    expect(supervisorLog(s).slice(logged).map((l) => l.msg)).toEqual(expect.arrayContaining(["SIGTERM: stopping", "every prefix withdrawn"]));
    await waitFor(() => isAlive(guard!), { what: "the guard to exit", timeout: 5000, until: (a) => !a });
    expect(guardLog(s).some((l) => /guard done: planned-exit/.test(l.msg))).toBe(true);
    expect(guardPids(lab, s.manifest)).toEqual([]);
  });

  it("kill -9: the detached guard withdraws everything after guard_grace, and the file on disk says so", async () => {
    const s = await start(d, true);
    await waitRoute(lab, "tor1", P[d].web, "present");
    const [guard] = guardPids(lab, s.manifest);
    expect(guard).toBeDefined();
    const mark = torLogMark(lab, "tor1");
    const t0 = performance.now();
    process.kill(s.pid, "SIGKILL");
    await s.exited;
    expect(isAlive(guard!), "the guard died with the supervisor").toBe(true);
    await waitRoute(lab, "tor1", P[d].web, "absent", GRACE_MS + 10_000);
    const gone = Math.round(performance.now() - t0);
    note(`${d} kill -9 → withdrawn at ToR (guard_grace ${GRACE_MS} ms)`, gone);
    expect(gone).toBeGreaterThanOrEqual(GRACE_MS - 100);
    expect(gone).toBeLessThan(GRACE_MS + 3000);
    await waitRoute(lab, "tor1", P[d].base, "absent", 5000);
    // the ToR's update log saw the withdrawal (what the quick-restart test relies on to see none)
    expect(torUpdatesSince(lab, "tor1", P[d].web, mark).withdrawn.length).toBeGreaterThanOrEqual(1);
    await waitFor(() => isAlive(guard!), { what: "the guard to exit after withdrawing", timeout: 10_000, until: (a) => !a });
    const glog = guardLog(s).map((l) => l.msg);
    expect(glog.some((m) => /exited unexpectedly/.test(m))).toBe(true);
    expect(glog.some((m) => /guard done: withdrew/.test(m))).toBe(true);
    // a daemon restart must not bring the routes back: the config on disk is the withdrawn one
    const conf = readFileSync(lab.host(host()).paths!.configFile, "utf8");
    if (d === "bird") expect(conf).not.toMatch(/disabled no;/);
    else expect(conf).not.toMatch(/^\s+network /m);
  });

  it("SIGTERM while the routing daemon is down: the supervisor cannot withdraw, so it leaves the guard armed; the daemon comes back from a withdrawn file and the guard finishes the job", async () => {
    const s = await start(d, true);
    await waitRoute(lab, "tor1", P[d].web, "present");
    const [guard] = guardPids(lab, s.manifest);
    await lab.faults.kill(host());
    await waitRoute(lab, "tor1", P[d].web, "absent", 10_000);
    process.kill(s.pid, "SIGTERM");
    expect(await s.exited).toBe(0);
    expect(supervisorLog(s).some((l) => /leaving it to the fail-closed guard/.test(l.msg))).toBe(true);
    expect(isAlive(guard!), "the guard was told to stand down").toBe(true);
    // the daemon is restarted (as systemd would) from the file on disk: nothing may come back,
    // watched continuously from the restart until the session has been up for a while
    const watches = [P[d].web, P[d].base].map((p) => ({ p, w: watchRoute(lab, "tor1", p) }));
    await lab.startDaemon(host());
    await waitFor(() => guardLog(s).map((l) => l.msg), { what: "the guard to withdraw", timeout: GRACE_MS + 10_000, until: (m) => m.some((x) => /guard done: /.test(x)) });
    await waitEstablished(lab, { hosts: [host()] });
    const up = performance.now();
    // a daemon announces what its file says right after the session comes up (BIRD may wait a few seconds)
    await waitFor(() => performance.now() - up, { what: "the watch window (session up + 5 s)", timeout: 10_000, interval: 50, until: (ms) => ms >= 5000 });
    for (const { p, w } of watches) {
      const seen = await w.stop();
      // the watch proves absence at its resolution (each sample is a vtysh call on a busy machine)
      expect(seen.samples, `samples of ${p}`).toBeGreaterThan(5);
      expect(seen.maxGapMs, `the watch of ${p} had a gap`).toBeLessThan(1500);
      expect(seen.present, `${p} came back after the daemon restarted`).toBe(0);
    }
    const glog = guardLog(s).map((l) => l.msg);
    expect(glog.some((m) => /exited unexpectedly/.test(m))).toBe(true);
    expect(glog.some((m) => /guard done: withdrew/.test(m)), glog.join("\n")).toBe(true);
    await waitFor(() => isAlive(guard!), { what: "the guard to exit", timeout: 5000, until: (a) => !a });
  });

  it("a quick restart within guard_grace never takes the route off the ToR; the old guard stands down", async () => {
    // run alone (-t), the suite's first supervisor still runs: only one may hold the lock
    if (isAlive(sup[d].pid)) {
      const first = sup[d];
      process.kill(first.pid, "SIGTERM");
      await first.exited;
      await waitFor(() => guardPids(lab, first.manifest), { what: "the first supervisor's guard to leave", timeout: 10_000, until: (p) => p.length === 0 });
    }
    // a grace that a start-up on a busy machine stays well within: "quick" is relative to it
    sup[d] = startSupervisor(lab, HOST[d], { ...options(d), guardGrace: `${QUICK_GRACE_MS}ms` });
    let s = sup[d];
    await waitSupervisorUp(s);
    await waitRoute(lab, "tor1", P[d].web, "present");
    const [oldGuard] = guardPids(lab, s.manifest);
    const mark = torLogMark(lab, "tor1");
    const watch = watchRoute(lab, "tor1", P[d].web);
    const t0 = performance.now();
    process.kill(s.pid, "SIGKILL");
    await s.exited;
    s = await start(d, true);
    const up = Math.round(performance.now() - t0);
    note(`${d} quick restart: kill -9 → new supervisor serving`, up);
    await waitFor(() => guardLog(s).map((l) => l.msg), { what: "the old guard to see the new supervisor", timeout: QUICK_GRACE_MS + 2000, until: (m) => m.some((x) => /guard done: taken-over/.test(x)) });
    await waitFor(() => isAlive(oldGuard!), { what: "the old guard to exit", timeout: 5000, until: (a) => !a });
    // the old guard is gone and the new supervisor has reconciled: keep watching 1.5 s more, and
    // for at least 30 samples (a busy ToR answers slower)
    const t1 = performance.now();
    await waitFor(() => ({ ms: performance.now() - t1, samples: watch.seen().samples }), {
      what: "the watch window (1.5 s after the old guard left, 30 samples)",
      timeout: 20_000,
      interval: 50,
      until: (w) => w.ms >= 1500 && w.samples >= 30,
    });
    const seen = await watch.stop();
    note(`${d} quick restart: watched window, samples`, seen.samples);
    note(`${d} quick restart: watch resolution (max gap)`, seen.maxGapMs);
    // the poll proves presence at its resolution (noted: over a second between samples when both
    // CPUs are saturated); the ToR's update log proves no withdrawal at all
    expect(seen.samples).toBeGreaterThan(20);
    expect(seen.absent, `${P[d].web} left the ToR during the restart`).toBe(0);
    const updates = torUpdatesSince(lab, "tor1", P[d].web, mark);
    expect(updates.withdrawn).toEqual([]);
    expect(guardPids(lab, s.manifest)).toHaveLength(1);
    const st = await status(d);
    expect(st.services.find((x) => x.name === "web")!.prefixes[0]!.advertised.tor1).toBe(true);
  });
});

// last: each supervisor withdraws and tells its guard; nothing of the run survives
it("a planned stop ends every supervisor, and every guard leaves", async () => {
  await plannedStop(lab, DAEMONS.map((d) => sup[d].pid));
  expect(DAEMONS.filter((d) => isAlive(sup[d].pid))).toEqual([]);
  expect(guardPids(lab)).toEqual([]);
});
