// 1. Withdrawal latency at the ToR, side by side on one fabric: svcroute (BIRD and FRR hosts,
// the real `svcroute run` with a file check), baseline A (ExaBGP's healthcheck) at the same check
// interval/rise/fall, and baseline B (the naive re-render + full reload per change).
import { join } from "node:path";
import type { Lab } from "../lab/harness/lab.js";
import { exabgpConfig, startExabgp } from "./lib/exabgp.js";
import { manifestYaml, v6 } from "./lib/manifest.js";
import { birdWithoutExport, frrExactExport, frrWithoutExport, naiveDriver, renderFor } from "./lib/naive.js";
import { summarise, type Summary } from "./lib/stats.js";
import { startSupervisor } from "./lib/sup.js";
import type { TorLog } from "./lib/torlog.js";
import { checkedTrials, naiveTrials, type TrialSeries } from "./lib/trials.js";

export const LATENCY_TOR = "tor1";
/** hosts of this measurement and the prefix each toggles */
export const LAT = {
  bird: { host: "sb", prefix: "192.0.2.10/32" },
  frr: { host: "sf", prefix: "192.0.2.20/32" },
  exa: { host: "ex", prefix: "192.0.2.30/32" },
  naiveBird: { host: "nb", prefix: "192.0.2.40/32", keep: "192.0.2.41/32" },
  naiveFrr: { host: "nf", prefix: "192.0.2.50/32", keep: "192.0.2.51/32" },
} as const;

export interface CheckSettings {
  id: string;
  label: string;
  intervalS: number;
  fastS: number;
  rise: number;
  fall: number;
}

export const SETTINGS: Record<"i1" | "i01" | "defaults", CheckSettings> = {
  i1: { id: "i1", label: "interval 1 s, rise 1, fall 1", intervalS: 1, fastS: 1, rise: 1, fall: 1 },
  i01: { id: "i01", label: "interval 0.1 s, rise 1, fall 1", intervalS: 0.1, fastS: 0.1, rise: 1, fall: 1 },
  defaults: { id: "defaults", label: "interval 5 s, fast 1 s, rise 3, fall 3 (ExaBGP's defaults)", intervalS: 5, fastS: 1, rise: 3, fall: 3 },
};

export interface LatencyRow {
  system: "svcroute-bird" | "svcroute-frr" | "exabgp" | "naive-bird" | "naive-frr" | "rerender-bird" | "rerender-frr";
  label: string;
  settings: string;
  /** services in the supervisor's manifest (svcroute rows) */
  services?: number;
  /** the daemon build, "FRR 10.3" (pipeline rows, measured on every build) */
  build?: string;
  trials: number;
  misses: number;
  failReceived?: Summary;
  failGone?: Summary;
  decidedReceived?: Summary;
  decidedGone?: Summary;
  restoreReceived?: Summary;
  restoreInstalled?: Summary;
  upReceived?: Summary;
  reloadMs?: Summary;
  raw: TrialSeries;
}

function row(system: LatencyRow["system"], label: string, settings: string, s: TrialSeries): LatencyRow {
  return {
    system,
    label,
    settings,
    trials: s.trials,
    misses: s.misses,
    failReceived: summarise(s.failReceived),
    failGone: summarise(s.failGone),
    decidedReceived: summarise(s.decidedReceived),
    decidedGone: summarise(s.decidedGone),
    restoreReceived: summarise(s.restoreReceived),
    restoreInstalled: summarise(s.restoreInstalled),
    upReceived: summarise(s.upReceived),
    reloadMs: summarise(s.reloadMs),
    raw: s,
  };
}

const dur = (s: number) => (s >= 1 ? `${s}s` : `${Math.round(s * 1000)}ms`);

function svcTiming(c: CheckSettings) {
  // the check itself is a stat(): any timeout below the intervals will do
  const timeoutS = Math.min(0.5, c.fastS / 2);
  return { interval: dur(c.intervalS), fast: dur(c.fastS), timeout: dur(timeoutS), rise: c.rise, fall: c.fall };
}

export interface LatencyContext {
  lab: Lab;
  tor: TorLog;
  log: (msg: string) => void;
}

const hasRoute = (ctx: LatencyContext, prefix: string) => () => ctx.lab.observe.hasRoute(LATENCY_TOR, prefix);
const timeoutFor = (c: CheckSettings) => (c.intervalS + (c.fall - 1) * c.fastS) * 1000 + 5000;

/**
 * svcroute on one host: start `svcroute run` with one file-checked service (and `others` more,
 * always healthy, announced over the IPv6 session: the fast path renders the whole config before
 * it toggles), run the trials, stop it.
 */
export async function svcrouteLatency(ctx: LatencyContext, daemon: "bird" | "frr", c: CheckSettings, n: number, warmup: number, others = 0): Promise<LatencyRow> {
  const { host, prefix } = LAT[daemon];
  const h = ctx.lab.host(host);
  const healthFile = join(h.dir, "health-web");
  const extra = Array.from({ length: others }, (_, i) => ({ name: `o${i}`, prefixes: [v6(i, daemon === "bird" ? 4 : 5)] }));
  const manifest = manifestYaml(ctx.lab, host, {
    services: [{ name: "web", prefixes: [prefix], file: healthFile, timing: svcTiming(c) }, ...extra],
    tors: [LATENCY_TOR],
    families: others ? ["ipv4", "ipv6"] : ["ipv4"],
  });
  const { writeFileSync } = await import("node:fs");
  writeFileSync(healthFile, "");
  const sup = await startSupervisor(ctx.lab, host, manifest, { logName: `svcroute-${c.id}${others ? `-${others}` : ""}.log`, timeoutMs: 120_000 });
  try {
    ctx.log(`svcroute + ${daemon.toUpperCase()}, ${c.label}: ${n} trials (+${warmup} warm-up)`);
    const s = await checkedTrials(
      { tor: ctx.tor, prefix, healthFile, intervalMs: c.intervalS * 1000, timeoutMs: timeoutFor(c), sup: { log: sup.log, service: "web" } },
      n,
      warmup,
      hasRoute(ctx, prefix),
    );
    const label = `svcroute + ${daemon === "bird" ? "BIRD" : "FRR"}${others ? `, ${(others + 1).toLocaleString("en-US")} services configured` : ""}`;
    return { ...row(`svcroute-${daemon}`, label, c.label, s), services: others + 1 };
  } finally {
    await sup.stop();
  }
}

/** baseline A: ExaBGP's healthcheck with the same interval/fast/rise/fall */
export async function exabgpLatency(ctx: LatencyContext, c: CheckSettings, n: number, warmup: number): Promise<LatencyRow> {
  const { host, prefix } = LAT.exa;
  const h = ctx.lab.host(host);
  const healthFile = join(h.dir, "health-svc");
  const { writeFileSync } = await import("node:fs");
  writeFileSync(healthFile, "");
  const exa = startExabgp(ctx.lab, host, exabgpConfig(ctx.lab, host, prefix, healthFile, { interval: c.intervalS, fast: c.fastS, rise: c.rise, fall: c.fall }), c.id);
  try {
    ctx.log(`ExaBGP healthcheck, ${c.label}: ${n} trials (+${warmup} warm-up)`);
    const s = await checkedTrials({ tor: ctx.tor, prefix, healthFile, intervalMs: c.intervalS * 1000, timeoutMs: timeoutFor(c) }, n, warmup, hasRoute(ctx, prefix));
    return row("exabgp", "ExaBGP 4.2 healthcheck", c.label, s);
  } finally {
    await exa.stop();
  }
}

/** Render the naive hosts' configs with svcroute's pipeline and load them (once per fabric). */
async function naiveSetup(ctx: LatencyContext, daemon: "bird" | "frr", routeMapDelay?: string) {
  const spec = daemon === "bird" ? LAT.naiveBird : LAT.naiveFrr;
  const manifest = manifestYaml(ctx.lab, spec.host, {
    services: [
      { name: "keep", prefixes: [spec.keep] },
      { name: "web", prefixes: [spec.prefix] },
    ],
    tors: [LATENCY_TOR],
    routeMapDelay,
  });
  const up = await renderFor(ctx.lab, spec.host, manifest);
  const down = await renderFor(ctx.lab, spec.host, manifest, { services: { web: "down" }, drained: [] });
  const driver = naiveDriver(ctx.lab, spec.host);
  // a fresh start on the rendered config (BIRD would lose its interfaces when a reload replaces
  // the bare config's device protocol; svcroute's driver rescans, the naive path does not)
  await ctx.lab.stopDaemon(spec.host);
  await ctx.lab.startDaemon(spec.host, up);
  const deadline = performance.now() + 30_000;
  while (!(await ctx.lab.observe.hasRoute(LATENCY_TOR, spec.prefix).catch(() => false))) {
    if (performance.now() > deadline) throw new Error(`${spec.prefix} never reached ${LATENCY_TOR} from ${spec.host}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { spec, up, down, driver };
}

/** baseline B: edit the export filter/prefix-list, full reload, per change */
export async function naiveLatency(ctx: LatencyContext, daemon: "bird" | "frr", n: number, warmup: number, routeMapDelayS = 1): Promise<LatencyRow> {
  const setup = await naiveSetup(ctx, daemon, daemon === "frr" ? `${routeMapDelayS}s` : undefined);
  const { spec, driver } = setup;
  // FRR: svcroute's export list is the allowed aggregates; the naive pipeline keeps one entry per service
  const up = daemon === "bird" ? setup.up : frrExactExport(setup.up, [spec.keep, spec.prefix]);
  const without = daemon === "bird" ? birdWithoutExport(up, spec.prefix) : frrWithoutExport(up, spec.prefix);
  const what = daemon === "bird" ? "BIRD filter set edit + birdc configure" : `FRR prefix-list edit + frr-reload.py (route-map delay-timer ${routeMapDelayS} s)`;
  ctx.log(`naive ${what}: ${n} trials (+${warmup} warm-up)`);
  const s = await naiveTrials({ tor: ctx.tor, prefix: spec.prefix, driver, withText: up, withoutText: without, timeoutMs: routeMapDelayS * 1000 + 8000 }, n, warmup);
  return row(`naive-${daemon}`, `naive: ${what}`, "per change, no health checker", s);
}

/** B′: svcroute's own rendered config for "web down" (no `network` line / `disabled yes`) + full reload, per change */
export async function rerenderLatency(ctx: LatencyContext, daemon: "bird" | "frr", n: number, warmup: number): Promise<LatencyRow> {
  const { spec, up, down, driver } = await naiveSetup(ctx, daemon);
  const what = daemon === "bird" ? "BIRD re-render (static disabled) + birdc configure" : "FRR re-render (network line dropped) + frr-reload.py";
  ctx.log(`naive ${what}: ${n} trials (+${warmup} warm-up)`);
  const s = await naiveTrials({ tor: ctx.tor, prefix: spec.prefix, driver, withText: up, withoutText: down, timeoutMs: 10_000 }, n, warmup);
  return row(`rerender-${daemon}`, `naive: ${what}`, "per change, no health checker", s);
}
