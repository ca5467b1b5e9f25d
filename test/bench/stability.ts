// 2. Session stability: BGP session resets at the ToR across many health and policy changes.
// svcroute (both daemons, the real supervisor): 10 file-checked services whose health the bench
// flips one at a time, and every 20th change a policy change — a service added to or removed from
// the manifest (a full apply: render, validate, write, reload). Every change is awaited at the
// ToR (its UPDATE in the ToR's log) before the next. Beside it, baseline B: the naive pipeline's
// filter/prefix-list edit + full reload per change. Resets are counted from the ToR's own counters
// (connections established/dropped) and its %ADJCHANGE log lines.
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Lab } from "../lab/harness/lab.js";
import { sleep } from "./lib/clock.js";
import { manifestYaml, v4, type BenchService } from "./lib/manifest.js";
import { birdWithoutExport, frrExactExport, frrWithoutExport, naiveDriver, renderFor } from "./lib/naive.js";
import { summarise, type Summary } from "./lib/stats.js";
import { startSupervisor, writeAtomic } from "./lib/sup.js";
import type { TorLog } from "./lib/torlog.js";

const TOR = "tor1";
const POLICY_EVERY = 20;

export interface StabilityRow {
  system: "svcroute-bird" | "svcroute-frr" | "naive-bird" | "naive-frr";
  label: string;
  changes: number;
  healthChanges: number;
  policyChanges: number;
  /** changes not seen at the ToR within their timeout */
  missed: number;
  /** session resets: connections dropped at the ToR during the run */
  resets: number;
  /** %ADJCHANGE Down lines for the host's session in the ToR's log */
  adjDown: number;
  /** change → its UPDATE at the ToR, ms (health / policy) */
  healthMs?: Summary;
  policyMs?: Summary;
  /** svcroute's own counters over the run */
  fastApplies?: number;
  fullApplies?: number;
  reconcileFailures?: number;
  durationS: number;
}

async function counters(lab: Lab, host: string): Promise<{ est: number; dropped: number }> {
  const s = await lab.observe.session(TOR, host, "ipv4");
  return { est: s?.connectionsEstablished ?? 0, dropped: s?.connectionsDropped ?? 0 };
}

function hostAddr(lab: Lab, host: string): string {
  return lab.link(host, TOR).host4;
}

/** svcroute on `host`: health flips and manifest edits, each awaited at the ToR */
export async function svcrouteStability(lab: Lab, tor: TorLog, daemon: "bird" | "frr", n: number, log: (m: string) => void): Promise<StabilityRow> {
  const host = daemon === "bird" ? "sb" : "sf";
  const base = daemon === "bird" ? 0 : 100;
  const h = lab.host(host);
  const svc: BenchService[] = Array.from({ length: 10 }, (_, i) => ({
    name: `h${i}`,
    prefixes: [v4(256 + base + i)],
    file: join(h.dir, `stab-h${i}`),
    timing: { interval: "100ms", fast: "100ms", timeout: "50ms", rise: 1, fall: 1 },
  }));
  const policyPrefix = v4(512 + base);
  const manifest = (withPolicy: boolean) =>
    manifestYaml(lab, host, { services: withPolicy ? [...svc, { name: "pol", prefixes: [policyPrefix] }] : svc, tors: [TOR] });
  for (const s of svc) writeFileSync(s.file!, "");
  const sup = await startSupervisor(lab, host, manifest(false), { logName: "svcroute-stability.log" });
  const up = new Set(svc.map((s) => s.name));
  let withPolicy = false;
  const healthMs: number[] = [];
  const policyMs: number[] = [];
  let missed = 0;
  let hc = 0;
  let pc = 0;
  try {
    // every service announced before counting
    const deadline = performance.now() + 30_000;
    for (;;) {
      const rcv = await lab.observe.received(TOR, host).catch(() => [] as string[]);
      if (svc.every((s) => rcv.includes(s.prefixes[0]!))) break;
      if (performance.now() > deadline) throw new Error(`${host}: not every stability prefix reached ${TOR}`);
      await sleep(100);
    }
    const st0 = await sup.status();
    const c0 = await counters(lab, host);
    const mark0 = tor.mark();
    const t0 = performance.now();
    log(`stability svcroute + ${daemon.toUpperCase()}: ${n} changes (every ${POLICY_EVERY}th a manifest change)`);
    for (let i = 0; i < n; i++) {
      const m = tor.mark();
      const t = performance.now();
      if (i % POLICY_EVERY === POLICY_EVERY - 1) {
        withPolicy = !withPolicy;
        pc++;
        writeAtomic(sup.manifest, manifest(withPolicy));
        const e = await tor.waitEvent(m, withPolicy ? "announced" : "withdrawn", policyPrefix, 20_000);
        if (e) policyMs.push(performance.now() - t);
        else missed++;
      } else {
        const s = svc[Math.floor(Math.random() * svc.length)]!;
        const nowUp = !up.has(s.name);
        if (nowUp) writeFileSync(s.file!, "");
        else rmSync(s.file!, { force: true });
        if (nowUp) up.add(s.name);
        else up.delete(s.name);
        hc++;
        const e = await tor.waitEvent(m, nowUp ? "announced" : "withdrawn", s.prefixes[0]!, 10_000);
        if (e) healthMs.push(performance.now() - t);
        else missed++;
      }
    }
    const durationS = (performance.now() - t0) / 1000;
    await sleep(500);
    const c1 = await counters(lab, host);
    const st1 = await sup.status();
    const addr = hostAddr(lab, host);
    return {
      system: `svcroute-${daemon}`,
      label: `svcroute + ${daemon === "bird" ? "BIRD" : "FRR"}`,
      changes: n,
      healthChanges: hc,
      policyChanges: pc,
      missed,
      resets: Math.max(c1.dropped - c0.dropped, c1.est - c0.est),
      adjDown: tor.since(mark0, ["down"]).filter((e) => e.key === addr).length,
      healthMs: summarise(healthMs),
      policyMs: summarise(policyMs),
      fastApplies: st1.counters.fast_applies - st0.counters.fast_applies,
      fullApplies: st1.counters.full_applies - st0.counters.full_applies,
      reconcileFailures: st1.counters.reconcile_failures - st0.counters.reconcile_failures,
      durationS,
    };
  } finally {
    await sup.stop();
  }
}

/** baseline B: remove/restore one prefix in the export filter/prefix-list, full reload per change */
export async function naiveStability(lab: Lab, tor: TorLog, daemon: "bird" | "frr", n: number, log: (m: string) => void): Promise<StabilityRow> {
  const host = daemon === "bird" ? "nb" : "nf";
  const keep = v4(600 + (daemon === "bird" ? 0 : 10));
  const web = v4(601 + (daemon === "bird" ? 0 : 10));
  const manifest = manifestYaml(lab, host, {
    services: [
      { name: "keep", prefixes: [keep] },
      { name: "web", prefixes: [web] },
    ],
    tors: [TOR],
  });
  const rendered = await renderFor(lab, host, manifest);
  // FRR's rendered export list holds the allowed aggregates: the baseline keeps one exact entry per prefix, as latency.ts's does
  const up = daemon === "bird" ? rendered : frrExactExport(rendered, [keep, web]);
  const down = daemon === "bird" ? birdWithoutExport(up, web) : frrWithoutExport(up, web);
  await lab.stopDaemon(host);
  await lab.startDaemon(host, up);
  const driver = naiveDriver(lab, host);
  const deadline = performance.now() + 30_000;
  while (!(await lab.observe.hasRoute(TOR, web).catch(() => false))) {
    if (performance.now() > deadline) throw new Error(`${web} never reached ${TOR} from ${host}`);
    await sleep(50);
  }
  const c0 = await counters(lab, host);
  const mark0 = tor.mark();
  const t0 = performance.now();
  const ms: number[] = [];
  let missed = 0;
  log(`stability naive ${daemon.toUpperCase()}: ${n} filter edits + full reloads`);
  for (let i = 0; i < n; i++) {
    const announce = i % 2 === 1;
    const m = tor.mark();
    const t = performance.now();
    await driver.apply(announce ? up : down);
    // BIRD applies at once: await the UPDATE. FRR holds prefix-list changes for its route-map
    // delay timer (1 s), which would make 1,000 changes take 20 minutes: only the reload is awaited.
    if (daemon === "bird") {
      const e = await tor.waitEvent(m, announce ? "announced" : "withdrawn", web, 10_000);
      if (e) ms.push(performance.now() - t);
      else missed++;
    } else ms.push(performance.now() - t);
  }
  if (n % 2 === 1) await driver.apply(up);
  const durationS = (performance.now() - t0) / 1000;
  await sleep(1500);
  const c1 = await counters(lab, host);
  const addr = hostAddr(lab, host);
  return {
    system: `naive-${daemon}`,
    label: daemon === "bird" ? "naive: BIRD filter edit + birdc configure" : "naive: FRR prefix-list edit + frr-reload.py",
    changes: n,
    healthChanges: 0,
    policyChanges: n,
    missed,
    resets: Math.max(c1.dropped - c0.dropped, c1.est - c0.est),
    adjDown: tor.since(mark0, ["down"]).filter((e) => e.key === addr).length,
    policyMs: summarise(ms),
    durationS,
  };
}
