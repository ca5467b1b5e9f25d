// `npm run bench [-- --quick] [-- --only latency,stability,scale,changes,pipeline,footprint,soak] [-- --scenarios idle,tcp1000,...]
//   [-- --trials N] [-- --changes N] [-- --soak-min N] [-- --daemons debian12,debian13|all]`
//
// --daemons names the daemon sets whose builds the scale, changes and pipeline sections measure, side by side in one
// run (default: debian12 and debian13, so FRR 8.4 and 10.3, BIRD 2.0.12 and 3.1; --quick: the
// lab's own set); a build already measured in the run is not measured again. The other sections
// run on the lab's own set (SVRL_DAEMONS, else debian12).
// --trials caps every latency series at N trials and --changes sets the session-stability changes
// per system, so that the parts of a full run fit a short hold of the shared lab. --soak-min sets
// the soak's length (30 min; 3 with --quick): a longer one tells a plateau from a slow leak.
//
// Runs svcroute's benchmark on one lab fabric (network namespaces, real FRR/BIRD/ExaBGP; root
// only): withdrawal latency against two baselines measured in the same run, session stability,
// scale of a full apply, the supervisor's footprint, the CLI's start-up and a soak. Prints the tables
// (markdown) and writes everything, with the machine it ran on, to test/bench/results/<time>.json.
// Nothing is asserted: the goals are printed as met / not met.
import { existsSync } from "node:fs";
import { createLab, installSignalHandlers, type Lab } from "../lab/harness/index.js";
import { DAEMON_SET_NAMES, DAEMON_SETS, isDaemonSetName, type DaemonSetName } from "../lab/harness/daemon-sets.js";
import { checkPrograms, checkRoot, findProgram } from "../lab/harness/preflight.js";
import { bundleFor, ensureBundle } from "../lab/harness/supervised.js";
import { FABRIC } from "./fabric.js";
import type { CliRow } from "./cli.js";
import { footprint, SCENARIOS, type FootprintRow } from "./footprint.js";
import { exabgpLatency, naiveLatency, rerenderLatency, SETTINGS, svcrouteLatency, LATENCY_TOR, type LatencyContext, type LatencyRow } from "./latency.js";
import { PYTHON } from "./lib/exabgp.js";
import { TorLog } from "./lib/torlog.js";
import { loadNow, machine } from "./machine.js";
import { goals, renderTables, writeResults, type Results } from "./report.js";
import { scaleRows, type ScaleRow } from "./scale.js";
import { cliScaleRows, scaleChangeRow, type CliScaleRow, type ScaleChangeRow } from "./scale-changes.js";
import { soak, type SoakRow } from "./soak.js";
import { naiveStability, svcrouteStability, type StabilityRow } from "./stability.js";

const SECTIONS = ["latency", "stability", "scale", "changes", "pipeline", "footprint", "soak"] as const;
type Section = (typeof SECTIONS)[number];

const USAGE = `npm run bench [-- --quick] [-- --only ${SECTIONS.join(",")}] [-- --scenarios idle,tcp1000,...] [-- --trials N] [-- --changes N] [-- --soak-min N] [-- --daemons ${DAEMON_SET_NAMES.join(",")}|all]`;

function count(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} takes a whole number of at least 1, not ${JSON.stringify(v)}`);
  return n;
}

function args(argv: string[]): { quick: boolean; only: Section[]; scenarios: string[] | undefined; trials: number | undefined; changes: number | undefined; soakMin: number | undefined; daemons: DaemonSetName[] | undefined } {
  let quick = false;
  let soakMin: number | undefined;
  let daemons: DaemonSetName[] | undefined;
  let trials: number | undefined;
  let changes: number | undefined;
  let only: Section[] = [...SECTIONS];
  let scenarios: string[] | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--quick") quick = true;
    else if (a === "--only" || a.startsWith("--only=")) {
      const v = a.includes("=") ? a.slice(7) : argv[++i] ?? "";
      only = v.split(",").map((s) => s.trim()) as Section[];
      const bad = only.filter((s) => !SECTIONS.includes(s));
      if (bad.length) throw new Error(`unknown section(s) ${bad.join(", ")}: choose from ${SECTIONS.join(", ")}`);
    } else if (a === "--scenarios" || a.startsWith("--scenarios=")) {
      const v = a.includes("=") ? a.slice(12) : argv[++i] ?? "";
      scenarios = v.split(",").map((x) => x.trim());
      const bad = scenarios.filter((x) => !(SCENARIOS as readonly string[]).includes(x));
      if (bad.length) throw new Error(`unknown footprint scenario(s) ${bad.join(", ")}: choose from ${SCENARIOS.join(", ")}`);
    } else if (a === "--trials" || a.startsWith("--trials=")) {
      trials = count("--trials", a.includes("=") ? a.slice(9) : argv[++i] ?? "");
    } else if (a === "--changes" || a.startsWith("--changes=")) {
      changes = count("--changes", a.includes("=") ? a.slice(10) : argv[++i] ?? "");
    } else if (a === "--soak-min" || a.startsWith("--soak-min=")) {
      soakMin = count("--soak-min", a.includes("=") ? a.slice(11) : argv[++i] ?? "");
    } else if (a === "--daemons" || a.startsWith("--daemons=")) {
      const v = a.includes("=") ? a.slice(10) : argv[++i] ?? "";
      const names = v === "all" ? [...DAEMON_SET_NAMES] : v.split(",").map((x) => x.trim());
      const bad = names.filter((x) => !isDaemonSetName(x));
      if (bad.length || !names.length) throw new Error(`--daemons: ${bad.join(", ") || "nothing"} is not one of ${DAEMON_SET_NAMES.join(", ")} (or all)`);
      daemons = names as DaemonSetName[];
    } else if (a === "--help" || a === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return { quick, only, scenarios, trials, changes, soakMin, daemons };
}

/** how many trials and how long: --quick is a smoke run of every part (a few minutes) */
function plan(quick: boolean) {
  return quick
    ? {
        latency: { settings: [SETTINGS.i01], trials: 20, warmup: 2, naiveBird: 12, naiveFrr: 5, rerender: 0, slow: false },
        stability: 100,
        // FRR 8.4 needs ~30 s for 1,000 (see the full run): not routine
        scale: { sizes: { bird: [10, 100, 1000], frr: [10, 100, 1000] }, trials: () => 1, timeoutMs: () => 60_000 },
        changes: { at: 1000, trials: 1, timeoutMs: 60_000, cli: [1000], cliRuns: 3 },
        pipeline: { services: [10, 1000], trials: 10 },
        footprint: { windowS: 5, warmupS: 2, cliRuns: 10, monitorS: 3 },
        soakMin: 3,
      }
    : {
        latency: { settings: [SETTINGS.i01, SETTINGS.i1], trials: { i01: 60, i1: 30 } as Record<string, number>, warmup: 3, naiveBird: 30, naiveFrr: 20, rerender: 20, slow: true },
        stability: 1000,
        scale: {
          // 100,000: measured, no goal (it must finish and not crash)
          sizes: { bird: [10, 100, 1000, 10_000, 100_000], frr: [10, 100, 1000, 10_000, 100_000] },
          trials: (n: number) => (n >= 100_000 ? 1 : n >= 10_000 ? 2 : n >= 1000 ? 3 : 5),
          timeoutMs: (n: number) => (n >= 100_000 ? 900_000 : 120_000),
        },
        // at 10,000 services: a cold start, 100 added and removed; check and render as processes
        changes: { at: 10_000, trials: 2, timeoutMs: 120_000, cli: [1000, 10_000], cliRuns: 5 },
        // one service's withdrawal pipeline with 10 and with 10,000 services configured
        pipeline: { services: [10, 10_000], trials: 20 },
        footprint: { windowS: 30, warmupS: 10, cliRuns: 30, monitorS: 15 },
        soakMin: 30,
      };
}

function preflight(): void {
  checkRoot();
  checkPrograms([
    { program: "ip", apt: "iproute2" },
    { program: "/usr/lib/frr/bgpd", apt: "frr" },
    { program: "vtysh", apt: "frr" },
    { program: "/usr/lib/frr/frr-reload.py", apt: "frr-pythontools" },
    { program: "bird", apt: "bird2" },
    { program: "birdc", apt: "bird2" },
    { program: PYTHON, apt: "python3" },
  ]);
  if (!existsSync("/usr/lib/python3/dist-packages/exabgp") || !findProgram("/usr/bin/exabgp-healthcheck")) {
    throw new Error("ExaBGP (baseline A) is not installed: run `npm run setup` (or apt-get install -y exabgp)");
  }
}

async function main(): Promise<void> {
  const o = args(process.argv.slice(2));
  const p = plan(o.quick);
  preflight();
  installSignalHandlers();
  const t0 = performance.now();
  const startedAt = new Date().toISOString();
  const log = (m: string) => console.log(`[${((performance.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${m}`);
  log(`svcroute bench (${o.quick ? "quick" : "full"}): ${o.only.join(", ")}`);
  const built = ensureBundle();
  log(`bundle ${built === "built" ? "rebuilt from the sources" : "is up to date"}`);
  const m = machine();
  const latency: LatencyRow[] = [];
  const stability: StabilityRow[] = [];
  const scale: ScaleRow[] = [];
  const scaleChanges: ScaleChangeRow[] = [];
  const cliScale: CliScaleRow[] = [];
  const pipeline: LatencyRow[] = [];
  let fp: FootprintRow[] = [];
  let cli: CliRow[] = [];
  let soakRow: SoakRow | undefined;
  const errors: string[] = [];
  const guard = async <T>(what: string, f: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await f();
    } catch (e) {
      const msg = `${what}: ${(e as Error).message.split("\n")[0]}`;
      errors.push(msg);
      log(`ERROR ${msg}`);
      return undefined;
    }
  };

  const teardown = async (l: Lab) => {
    const rep = await l.down();
    const left = [...rep.survivors.map((x) => `pid ${x} survived`), ...rep.errors];
    if (left.length) errors.push(`teardown: ${left.join("; ")}`);
    log(`fabric ${l.id} (${l.daemons.frr.label}, ${l.daemons.bird.label}) torn down: ${rep.killed.length} processes ended, ${rep.namespaces.length} namespaces deleted${left.length ? `; ${left.join("; ")}` : ""}`);
  };

  let lab: Lab | undefined;
  try {
    lab = await createLab(FABRIC);
    log(`fabric ${lab.id} up: ${FABRIC.tors.length} ToRs, ${FABRIC.hosts.length} hosts`);
    const tor = new TorLog(lab.tor(LATENCY_TOR).paths.logFile);
    const ctx: LatencyContext = { lab, tor, log };

    if (o.only.includes("latency")) {
      const L = p.latency;
      const cap = (n: number) => Math.min(n, o.trials ?? n);
      for (const c of L.settings) {
        const n = cap(typeof L.trials === "number" ? L.trials : L.trials[c.id] ?? 20);
        for (const d of ["bird", "frr"] as const) {
          const r = await guard(`latency svcroute ${d} ${c.id}`, () => svcrouteLatency(ctx, d, c, n, L.warmup));
          if (r) latency.push(r);
        }
        const r = await guard(`latency exabgp ${c.id}`, () => exabgpLatency(ctx, c, n, L.warmup));
        if (r) latency.push(r);
      }
      for (const [what, f] of [
        ["naive bird", () => naiveLatency(ctx, "bird", cap(L.naiveBird), 2)],
        ["naive frr (delay-timer 1 s)", () => naiveLatency(ctx, "frr", cap(L.naiveFrr), o.quick ? 0 : 1, 1)],
        ...(L.rerender
          ? ([
              ["re-render frr", () => rerenderLatency(ctx, "frr", cap(L.rerender), 1)],
              ["re-render bird", () => rerenderLatency(ctx, "bird", cap(L.rerender), 1)],
            ] as const)
          : []),
      ] as const) {
        const r = await guard(`latency ${what}`, f);
        if (r) latency.push(r);
      }
      if (L.slow) {
        // Seconds-long check intervals: the four systems run at once (their latency is the
        // checkers' schedule; milliseconds of contention do not show), 20 trials each (or --trials).
        log("latency, ExaBGP's default check settings: svcroute BIRD and FRR, ExaBGP and naive FRR (delay-timer 5 s) side by side");
        const c = SETTINGS.defaults;
        const rs = await Promise.all([
          guard("latency svcroute bird defaults", () => svcrouteLatency(ctx, "bird", c, cap(20), 1)),
          guard("latency svcroute frr defaults", () => svcrouteLatency(ctx, "frr", c, cap(20), 1)),
          guard("latency exabgp defaults", () => exabgpLatency(ctx, c, cap(20), 1)),
          guard("latency naive frr (delay-timer 5 s)", () => naiveLatency(ctx, "frr", cap(20), 0, 5)),
        ]);
        for (const r of rs) if (r) latency.push(r);
      }
    }

    if (o.only.includes("stability")) {
      const n = o.changes ?? p.stability;
      const rs = await Promise.all([
        guard("stability svcroute bird", () => svcrouteStability(lab!, tor, "bird", n, log)),
        guard("stability svcroute frr", () => svcrouteStability(lab!, tor, "frr", n, log)),
        guard("stability naive bird", () => naiveStability(lab!, tor, "bird", n, log)),
        guard("stability naive frr", () => naiveStability(lab!, tor, "frr", n, log)),
      ]);
      for (const r of rs) if (r) stability.push(r);
    }

    if (o.only.includes("scale") || o.only.includes("changes") || o.only.includes("pipeline")) {
      const measured = new Set<string>();
      for (const name of o.daemons ?? (o.quick ? [lab.daemons.name] : (["debian12", "debian13"] as const))) {
        // the lab's own set, or a fabric of that set's builds for as long as it is measured
        const set = DAEMON_SETS[name];
        const todo = (["bird", "frr"] as const).filter((d) => !measured.has(set[d].label));
        if (!todo.length) continue;
        const own = name === lab.daemons.name;
        const l = own ? lab : await guard(`scale fabric of ${name}`, () => createLab(FABRIC, { daemons: set }));
        if (!l) continue;
        try {
          for (const d of todo) {
            if (o.only.includes("scale")) {
              const rs = await guard(`scale ${set[d].label}`, () => scaleRows(l, d, { ...p.scale, sizes: p.scale.sizes[d] }, log));
              if (rs) scale.push(...rs);
            }
            if (o.only.includes("changes")) {
              const c = await guard(`scale changes ${set[d].label}`, () => scaleChangeRow(l, d, p.changes.at, p.changes.trials, p.changes.timeoutMs, log));
              if (c) scaleChanges.push(c);
            }
            if (o.only.includes("pipeline")) {
              const torLog = l === lab ? tor : new TorLog(l.tor(LATENCY_TOR).paths.logFile);
              try {
                for (const n of p.pipeline.services) {
                  const r = await guard(`pipeline ${set[d].label} with ${n} services`, () => svcrouteLatency({ lab: l, tor: torLog, log }, d, SETTINGS.i01, Math.min(p.pipeline.trials, o.trials ?? Infinity), 2, n - 1));
                  if (r) pipeline.push({ ...r, build: set[d].label });
                }
              } finally {
                if (torLog !== tor) torLog.close();
              }
            }
            measured.add(set[d].label);
          }
        } finally {
          if (!own) await teardown(l);
        }
      }
      if (o.only.includes("changes")) {
        const bundle = bundleFor(lab);
        for (const n of p.changes.cli) {
          log(`svcroute check and render of ${n.toLocaleString("en-US")} services in drop-ins: ${p.changes.cliRuns} runs each`);
          cliScale.push(...cliScaleRows(lab, bundle, n, p.changes.cliRuns));
        }
      }
    }

    if (o.only.includes("footprint")) {
      const r = await guard("footprint", () => footprint(lab!, { ...p.footprint, ...(o.scenarios ? { only: o.scenarios } : {}) }, log));
      if (r) {
        ({ rows: fp, cli } = r);
        errors.push(...r.errors);
      }
    }
    if (o.only.includes("soak")) soakRow = await guard("soak", () => soak(lab!, o.soakMin ?? p.soakMin, log));
    tor.close();
  } catch (e) {
    errors.push(`fabric: ${(e as Error).message}`);
    log(`ERROR fabric: ${(e as Error).message}`);
  } finally {
    if (lab) await teardown(lab);
  }

  m.loadAfter = loadNow();
  const body = { kind: "svcroute-bench" as const, version: 1 as const, mode: o.quick ? ("quick" as const) : ("full" as const), ...(o.trials || o.changes ? { limits: { ...(o.trials ? { trials: o.trials } : {}), ...(o.changes ? { changes: o.changes } : {}) } } : {}), startedAt, durationS: (performance.now() - t0) / 1000, machine: m, latency, stability, scale, scaleChanges, cliScale, pipeline, footprint: fp, cli, ...(soakRow ? { soak: soakRow } : {}), errors };
  const results: Results = { ...body, goals: goals(body) };
  const file = writeResults(results);
  console.log(`\n${renderTables(results)}\n`);
  log(`results: ${file}`);
}

main().catch((e: unknown) => {
  console.error(`bench: ${(e as Error).message}`);
  process.exit(1);
});
