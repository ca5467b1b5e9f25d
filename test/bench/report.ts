// The results document (JSON under test/bench/results/) and the tables printed from it.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { CliRow } from "./cli.js";
import type { FootprintRow } from "./footprint.js";
import type { LatencyRow } from "./latency.js";
import type { Machine } from "./machine.js";
import type { ScaleRow } from "./scale.js";
import { CHANGE, type CliScaleRow, type ScaleChangeRow } from "./scale-changes.js";
import type { SoakRow } from "./soak.js";
import { soakSlope } from "./lib/soak-fit.js";
import { fmt, meanDiff, triple, type Summary } from "./lib/stats.js";
import type { StabilityRow } from "./stability.js";

export interface Goal {
  what: string;
  target: string;
  value: string;
  /**
   * undefined: not measured (or no goal); "noise": p50 above the target but within the run's
   * noise; "floor": not met, and bare Node doing the same work is above the target too
   */
  met: boolean | "noise" | "floor" | undefined;
  /** with "floor": what is above the target by itself (default: bare Node doing the same work) */
  floor?: string;
}

export interface Results {
  kind: "svcroute-bench";
  version: 1;
  mode: "quick" | "full";
  /** --trials / --changes: the run's caps on latency trials and stability changes */
  limits?: { trials?: number; changes?: number };
  startedAt: string;
  durationS: number;
  machine: Machine;
  latency: LatencyRow[];
  stability: StabilityRow[];
  scale: ScaleRow[];
  /** changes at scale, per build (runs since they were measured) */
  scaleChanges?: ScaleChangeRow[];
  /** `svcroute check` / `render` of many services, as processes */
  cliScale?: CliScaleRow[];
  /** one service's withdrawal pipeline with few and with many services configured, per build */
  pipeline?: LatencyRow[];
  footprint: FootprintRow[];
  cli: CliRow[];
  soak?: SoakRow;
  goals: Goal[];
  errors: string[];
}

export const RESULTS_DIR = resolve(import.meta.dirname, "results");

export function writeResults(r: Results): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${r.startedAt.replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, `${JSON.stringify(r, null, 1)}\n`);
  return file;
}

const table = (head: string[], rows: string[][]): string =>
  [`| ${head.join(" | ")} |`, `|${head.map((h, i) => (i === 0 ? "---" : "---:")).join("|")}|`, ...rows.map((r) => `| ${r.join(" | ")} |`)].join("\n");

const t = (s: Summary | undefined) => triple(s);

// ------------------------------------------------------------------------------- goals

const p50 = (s: Summary | undefined) => s?.p50;
const find = (rows: LatencyRow[], system: LatencyRow["system"], settings?: string) => rows.find((r) => r.system === system && (r.services ?? 1) === 1 && (!settings || r.settings === settings));

export function goals(r: Omit<Results, "goals">): Goal[] {
  const out: Goal[] = [];
  const add = (what: string, target: string, value: number | undefined, met: (v: number) => boolean, unit = " ms") =>
    out.push({ what, target, value: value === undefined ? "not measured" : `${fmt(value)}${unit}`, met: value === undefined ? undefined : met(value) });
  // pipeline: the median over every svcroute row of that daemon
  const pipe = (system: LatencyRow["system"]) => {
    const xs = r.latency.filter((x) => x.system === system && (x.services ?? 1) === 1).flatMap((x) => x.raw.decidedReceived);
    return xs.length ? [...xs].sort((a, b) => a - b)[Math.ceil(xs.length / 2) - 1] : undefined;
  };
  const pb = pipe("svcroute-bird");
  const pf = pipe("svcroute-frr");
  add("pipeline BIRD: DOWN decided → withdraw received, p50", "≤ 10 ms", pb, (v) => v <= 10);
  add("pipeline FRR: DOWN decided → withdraw received, p50", "≤ 50 ms", pf, (v) => v <= 50);
  for (const row of r.latency.filter((x) => x.system === "exabgp")) {
    for (const sys of ["svcroute-bird", "svcroute-frr"] as const) {
      const s = find(r.latency, sys, row.settings);
      const A = s?.failReceived;
      const B = row.failReceived;
      if (!A || !B) {
        out.push({ what: `end to end vs ExaBGP (${row.settings})`, target: "no slower than ExaBGP", value: "not measured", met: undefined });
        continue;
      }
      const d = meanDiff(A, B);
      // the check schedule's phase dominates: a p50 above ExaBGP's but a mean difference whose
      // 95% interval includes zero is noise, and is called so
      const noise = A.p50 > B.p50 && d.diff - d.ci <= 0;
      out.push({
        what: `end to end, ${sys === "svcroute-bird" ? "svcroute + BIRD" : "svcroute + FRR"} vs ExaBGP (${row.settings}): failure → received`,
        target: sys === "svcroute-bird" ? "no slower than ExaBGP" : "(no goal)",
        value: `p50 ${fmt(A.p50)} vs ${fmt(B.p50)} ms; mean ${fmt(A.mean)} vs ${fmt(B.mean)} ms (difference ${d.diff >= 0 ? "+" : ""}${fmt(d.diff)} ± ${fmt(d.ci)}, 95%)`,
        met: sys === "svcroute-frr" ? undefined : A.p50 <= B.p50 ? true : noise ? "noise" : false,
      });
    }
  }
  for (const naive of r.latency.filter((x) => x.system === "naive-frr")) {
    const b = p50(naive.decidedReceived);
    out.push({
      what: `FRR vs baseline B (${naive.label.replace(/^naive: /, "")}): pipeline p50`,
      target: "≥ 10× faster",
      value: pf !== undefined && b !== undefined ? `${fmt(pf)} vs ${fmt(b)} ms (×${(b / pf).toFixed(1)})` : "not measured",
      met: pf !== undefined && b !== undefined ? b / pf >= 10 : undefined,
    });
  }
  const nb = find(r.latency, "naive-bird");
  if (nb && pb !== undefined && nb.decidedReceived) {
    out.push({ what: "BIRD vs baseline B (filter edit + birdc configure): pipeline p50", target: "(no goal)", value: `${fmt(pb)} vs ${fmt(nb.decidedReceived.p50)} ms (×${(nb.decidedReceived.p50 / pb).toFixed(1)})`, met: undefined });
  }
  const fast = r.footprint.find((x) => x.scenario === "tcp100fast");
  add("100 services, TCP check every 100 ms: supervisor CPU", "≤ 5% of one core", fast?.cpuPct, (v) => v <= 5, " %");
  const svcStab = r.stability.filter((x) => x.system.startsWith("svcroute"));
  if (svcStab.length) {
    const resets = svcStab.reduce((a, x) => a + x.resets, 0);
    out.push({ what: `session resets at the ToR across ${svcStab.map((x) => x.changes).join(" + ")} changes`, target: "0", value: String(resets), met: resets === 0 });
  } else out.push({ what: "session resets at the ToR", target: "0", value: "not measured", met: undefined });
  // every build the run measured; a run without scale rows says "not measured" for BIRD and FRR
  const builds = r.scale.length ? [...new Set(r.scale.map(scaleBuild))] : ["BIRD", "FRR"];
  for (const [n, lim] of [
    [1000, 1000],
    [10000, 5000],
  ] as const) {
    for (const b of builds) {
      const row = r.scale.find((x) => scaleBuild(x) === b && x.prefixes === n);
      const v = row?.tor?.p50;
      out.push({
        what: `scale ${b}, ${n.toLocaleString("en-US")} prefixes: full apply → all routes at the ToR, p50`,
        target: `≤ ${lim / 1000} s`,
        value: row?.skipped ?? (v === undefined ? (row ? `failed: ${row.failures[0] ?? "?"}` : "not measured") : `${fmt(v)} ms${row!.refused ? " (refused by validation)" : ""}`),
        met: row ? (v === undefined || row.refused ? false : v <= lim) : undefined,
      });
    }
  }
  for (const b of builds) {
    const row = r.scale.find((x) => scaleBuild(x) === b && x.prefixes === 100_000);
    const v = row?.tor?.p50;
    out.push({
      what: `scale ${b}, 100,000 prefixes: full apply → all routes at the ToR (measured, no goal: it must finish)`,
      target: "finishes",
      value: row ? (v === undefined ? `failed: ${row.failures[0] ?? "?"}` : `${fmt(v)} ms`) : "not measured",
      met: row ? v !== undefined : undefined,
    });
  }
  out.push(...frrChangeGoals(r));
  out.push(...scaleChangeGoals(r));
  out.push(...footprintGoals(r));
  return out;
}

/** FRR with a few services: a full apply, and a policy change of a running service (a manifest edit), each at the ToR within 300 ms */
export function frrChangeGoals(r: Pick<Results, "scale" | "stability">): Goal[] {
  const out: Goal[] = [];
  const builds = r.scale.length ? [...new Set(r.scale.map(scaleBuild))].filter((b) => b.startsWith("FRR")) : ["FRR"];
  for (const b of builds) {
    const row = r.scale.find((x) => scaleBuild(x) === b && x.prefixes === 10);
    const v = row?.tor?.p50;
    out.push({
      what: `scale ${b}, 10 prefixes: full apply → all routes at the ToR, p50`,
      target: "≤ 300 ms",
      value: row ? (v === undefined ? `failed: ${row.failures[0] ?? "?"}` : `${fmt(v)} ms`) : "not measured",
      met: row ? v !== undefined && !row.refused && v <= 300 : undefined,
    });
  }
  const stab = r.stability.find((x) => x.system === "svcroute-frr");
  const v = stab?.policyMs?.p50;
  out.push({ what: "FRR: a policy change (a manifest edit) → its UPDATE at the ToR, p50", target: "≤ 300 ms", value: v === undefined ? "not measured" : `${fmt(v)} ms`, met: v === undefined ? undefined : v <= 300 });
  return out;
}

/** the goals of a host that already announces thousands of services */
export function scaleChangeGoals(r: Pick<Results, "scaleChanges" | "cliScale" | "pipeline">): Goal[] {
  const out: Goal[] = [];
  const ms = (v: number | undefined, why?: string) => (v === undefined ? why ?? "not measured" : `${fmt(v)} ms`);
  for (const c of r.scaleChanges ?? []) {
    const at = c.prefixes.toLocaleString("en-US");
    const failed = c.failures.length ? `failed: ${c.failures[0]}` : undefined;
    const v = c.validate?.p50;
    out.push({ what: `scale ${c.build}, ${at} prefixes: the daemon's own parser judges the config, p50`, target: "≤ 2 s", value: ms(v), met: v === undefined ? undefined : v <= 2000 });
    for (const [what, s, lim] of [
      [`cold start of the daemon with ${at} prefixes → all routes at the ToR`, c.cold, 5000],
      [`${CHANGE} services added at ${at} → all at the ToR`, c.add, 1000],
      [`${CHANGE} services removed at ${at} → gone at the ToR`, c.remove, 1000],
    ] as const) {
      out.push({ what: `scale ${c.build}, ${what}, p50`, target: `≤ ${lim / 1000} s`, value: ms(s?.p50, failed), met: s ? s.p50 <= lim : failed ? false : undefined });
    }
  }
  const pipes = r.pipeline ?? [];
  for (const b of [...new Set(pipes.map((x) => x.build ?? x.label))]) {
    const rows = pipes.filter((x) => (x.build ?? x.label) === b).sort((x, y) => (x.services ?? 1) - (y.services ?? 1));
    const few = rows[0];
    const many = rows.at(-1);
    const a = few?.decidedReceived?.p50;
    const z = many?.decidedReceived?.p50;
    if (!few || !many || few === many) continue;
    const n = (x: LatencyRow) => (x.services ?? 1).toLocaleString("en-US");
    out.push({
      what: `pipeline ${b}: DOWN decided → withdraw received with ${n(many)} services configured ÷ with ${n(few)}, p50`,
      target: "≤ 2×",
      value: a !== undefined && z !== undefined ? `${(z / a).toFixed(2)}× (${fmt(z)} vs ${fmt(a)} ms)` : "not measured",
      met: a !== undefined && z !== undefined ? z / a <= 2 : undefined,
    });
  }
  for (const c of (r.cliScale ?? []).filter((x) => x.services === 10_000)) {
    const v = c.wallMs?.p50;
    out.push({ what: `svcroute ${c.command} of 10,000 services in drop-ins, whole process, median of ${c.runs}`, target: "≤ 1 s", value: ms(v, c.failures[0] && `failed: ${c.failures[0]}`), met: v === undefined ? (c.failures.length ? false : undefined) : v <= 1000 });
  }
  return out;
}

/** 3b. a host that already announces thousands of services: its changes, its pipeline, its CLI */
export function scaleChangesTable(r: Pick<Results, "scaleChanges" | "cliScale" | "pipeline">): string[] {
  const out: string[] = [];
  const ch = r.scaleChanges ?? [];
  const both = (s: Summary | undefined) => (s ? `${fmt(s.p50)} / ${fmt(s.max)}` : "–");
  if (ch.length) {
    out.push(
      `**3b. Changes at scale** (ms, p50 / max of n trials; parser = the daemon's own parser judging the config; cold start = the daemon started with the config → the ToR holds every prefix; ${CHANGE} added or removed = load → the ToR holds exactly the new set, through the supervisor's full path)`,
      table(
        ["daemon", "prefixes", "n", "parser", "cold start → ToR", `${CHANGE} added → ToR`, `${CHANGE} removed → ToR`, "notes"],
        ch.map((c) => [c.build, c.prefixes.toLocaleString("en-US"), String(c.trials), both(c.validate), both(c.cold), both(c.add), both(c.remove), c.failures.map((f) => `failed: ${f}`).join("; ")]),
      ),
    );
  }
  const pipes = r.pipeline ?? [];
  if (pipes.length) {
    out.push(
      "**3c. One service's withdrawal pipeline with many services configured** (ms, p50 / p95 / max; the other services always healthy)",
      table(
        ["daemon", "services configured", "check settings", "n", "DOWN decided → received", "UP decided → received"],
        pipes.map((x) => [x.build ?? x.label, (x.services ?? 1).toLocaleString("en-US"), x.settings, `${x.trials}${x.misses ? ` (${x.misses} missed)` : ""}`, t(x.decidedReceived), t(x.upReceived)]),
      ),
    );
  }
  const cli = r.cliScale ?? [];
  if (cli.length) {
    out.push(
      "**3d. The CLI on many services** (ms, whole process, p50 / max; services in JSON drop-ins)",
      table(
        ["command", "services", "runs", "wall", "notes"],
        cli.map((c) => [`svcroute ${c.command}`, c.services.toLocaleString("en-US"), String(c.runs), both(c.wallMs), c.failures.join("; ")]),
      ),
    );
  }
  return out;
}

const slopeText = (f: { slopeMBPerHour: number; slopeCI: number }) => `${f.slopeMBPerHour >= 0 ? "+" : ""}${f.slopeMBPerHour.toFixed(2)} ± ${f.slopeCI.toFixed(2)} MB/h`;

/** The supervisor's and the CLI's footprint, each against its bare-Node reference of the same run. */
export function footprintGoals(r: Pick<Results, "footprint" | "cli" | "soak">): Goal[] {
  const out: Goal[] = [];
  const fp = (id: string) => r.footprint.find((x) => x.scenario === id);
  const mb = (v: number) => `${fmt(v)} MB`;
  for (const c of r.cli) {
    const v = c.ratio?.p50;
    out.push({
      what: `${c.command} start-up ÷ \`node -e 0\`, median of ${c.runs} pairs`,
      target: c.goal === undefined ? "(no goal)" : `≤ ${c.goal}×`,
      value: v === undefined ? "not measured" : `${v.toFixed(2)}× (${fmt(c.wallMs?.p50)} vs ${fmt(c.nodeMs?.p50)} ms)`,
      met: v === undefined || c.goal === undefined ? undefined : v <= c.goal,
    });
  }
  const rss = (id: string, limit: number, under?: FootprintRow) => {
    const x = fp(id);
    const v = x?.rssMB?.max;
    const floor = under?.rssMB?.max;
    out.push({
      what: `supervisor RSS, ${x?.label ?? id}: largest in the window`,
      target: `≤ ${limit} MB`,
      value: v === undefined ? "not measured" : `${mb(v)}${floor !== undefined ? `; its dependencies alone, loaded by bare Node: ${mb(floor)}` : ""}`,
      met: v === undefined ? undefined : v <= limit ? true : floor !== undefined && floor > limit ? "floor" : false,
      floor: "its dependencies alone are above it",
    });
  };
  // the floor under the idle supervisor: the packages the run command is built on (footprint.ts)
  rss("idle", 50, fp("node-deps"));
  rss("idle10k", 150);
  const t = fp("tcp1000");
  const ref = fp("node-connect");
  // the floor under a peak: bare Node doing the same probes (the reference row of the same run)
  const peak = (v: number | undefined, limit: number): Pick<Goal, "value" | "met"> =>
    v === undefined
      ? { value: "not measured", met: undefined }
      : { value: `${mb(v)}${ref ? `; bare Node doing the same probes: ${mb(ref.peakRssMB)}` : ""}`, met: v <= limit ? true : ref && ref.peakRssMB > limit ? "floor" : false };
  out.push({ what: `supervisor peak RSS (VmHWM), ${t?.label ?? "tcp1000"}`, target: "≤ 80 MB", ...peak(t?.peakRssMB, 80) });
  const ratio = t?.cpuPerCheckMs !== undefined && ref?.cpuPerCheckMs ? t.cpuPerCheckMs / ref.cpuPerCheckMs : undefined;
  out.push({
    what: "CPU per TCP check ÷ bare Node doing the same probes (tcp1000)",
    target: "≤ 1.2×",
    value: ratio === undefined ? "not measured" : `${ratio.toFixed(2)}× (${t!.cpuPerCheckMs!.toFixed(3)} vs ${ref!.cpuPerCheckMs!.toFixed(3)} ms)`,
    met: ratio === undefined ? undefined : ratio <= 1.2,
  });
  const sh = fp("shared1000");
  out.push({
    what: "1,000 services sharing 10 TCP checks: connections the listeners accept",
    target: "10 per s (once per interval)",
    value: sh?.probesPerS === undefined ? "not measured" : `${fmt(sh.probesPerS)} per s`,
    met: sh?.probesPerS === undefined ? undefined : sh.probesPerS <= 11,
  });
  // whole-process CPU from /proc for both, in the same run: what the supervisor spends on an exec
  // check beyond what Node itself spends on the same spawn (the spawn's cost, reported apart)
  const ex = fp("exec100");
  const sp = fp("node-spawn");
  const own = ex?.cpuPerCheckMs !== undefined && sp?.cpuPerCheckMs !== undefined ? ex.cpuPerCheckMs - sp.cpuPerCheckMs : undefined;
  out.push({
    what: "exec check: the supervisor's CPU per check beyond bare Node's for the same spawn (exec100 − bare Node doing the same spawns)",
    target: "≤ 0.5 ms",
    value: own === undefined ? "not measured" : `${own.toFixed(3)} ms (${ex!.cpuPerCheckMs!.toFixed(3)} − ${sp!.cpuPerCheckMs!.toFixed(3)} ms)`,
    met: own === undefined ? undefined : own <= 0.5,
  });
  const so = r.soak;
  out.push({ what: `soak, ${so ? `${so.minutes} min` : "30 min"} of tcp1000: peak RSS`, target: "≤ 80 MB", ...peak(so?.peakRssMB, 80) });
  const fit = so && soakSlope(so.samples, so.minutes);
  out.push({
    what: "soak: RSS slope after the first 2 minutes",
    target: "flat (0 within its 95% interval, or ≤ 1 MB/h)",
    value: fit ? slopeText(fit) : "not measured",
    met: fit ? fit.slopeMBPerHour - fit.slopeCI <= 0 || fit.slopeMBPerHour <= 1 : undefined,
  });
  return out;
}

// ------------------------------------------------------------------------------- tables

/** the run and the machine it ran on, with the load before and after (others share these machines) */
export function runHeader(r: Results): string {
  const m = r.machine;
  return (
    `Run ${r.startedAt} (${r.mode}${r.limits?.trials ? `, at most ${r.limits.trials} latency trials per series` : ""}${r.limits?.changes ? `, ${r.limits.changes} stability changes per system` : ""}, ${Math.round(r.durationS)} s) on ${m.cpus} × ${m.cpuModel}, ${m.memGB} GB, Linux ${m.kernel}, Node ${m.node}; ` +
    `${m.versions.frr}, ${m.versions.bird}, ${m.versions.exabgp}; load average ${m.loadBefore.join(" ")} → ${m.loadAfter.join(" ")}.` +
    (m.commit ? ` svcroute ${m.svcroute} at ${m.commit}${m.dirty ? " (uncommitted changes)" : ""}.` : "")
  );
}

/** 1. withdrawal latency: one row per system and check setting, with its footnote */
export function latencyTable(r: Pick<Results, "latency">): string[] {
  if (!r.latency.length) return [];
  return [
    "**1. Withdrawal latency at the ToR** (ms, p50 / p95 / max; \"received\" = the ToR's `debug bgp updates in` line, \"gone\" = the ToR's bgpd hands the delete to zebra)",
    table(
      ["system", "check settings", "n", "failure → received", "failure → gone", "DOWN decided → received", "re-announce: check passes → received", "UP decided → received"],
      r.latency.map((x) => [
        x.label,
        x.settings,
        `${x.trials}${x.misses ? ` (${x.misses} missed)` : ""}`,
        t(x.failReceived),
        t(x.failGone),
        x.system.startsWith("svcroute") ? t(x.decidedReceived) : x.system === "exabgp" ? "–" : `${t(x.decidedReceived)} ¹`,
        t(x.restoreReceived),
        x.system.startsWith("svcroute") ? t(x.upReceived) : "–",
      ]),
    ),
    "¹ naive rows: no health checker; the change is decided when the bench starts the edit, so both columns are edit start → received (the reload command alone: " +
      r.latency
        .filter((x) => x.reloadMs)
        .map((x) => `${x.label.replace(/^naive: /, "")} ${fmt(x.reloadMs!.p50)} ms`)
        .join("; ") +
      ").",
  ];
}

/** 2. session stability across many changes */
export function stabilityTable(r: Pick<Results, "stability">): string[] {
  if (!r.stability.length) return [];
  return [
    "**2. Session stability** (resets of the host's session at the ToR)",
    table(
      ["system", "changes (health + policy)", "session resets", "%ADJCHANGE down", "missed", "health change → ToR (p50 / p95 / max ms)", "policy change → ToR", "svcroute applies (fast / full)"],
      r.stability.map((x) => [
        x.label,
        `${x.changes} (${x.healthChanges} + ${x.policyChanges})`,
        String(x.resets),
        String(x.adjDown),
        String(x.missed),
        t(x.healthMs),
        t(x.policyMs),
        x.fastApplies !== undefined ? `${x.fastApplies} / ${x.fullApplies}${x.reconcileFailures ? ` (${x.reconcileFailures} failed)` : ""}` : "–",
      ]),
    ),
  ];
}

/** "FRR 10.3": the build a scale row measured ("BIRD", "FRR" in runs before builds were recorded) */
export const scaleBuild = (x: Pick<ScaleRow, "daemon" | "build">): string => x.build ?? (x.daemon === "bird" ? "BIRD" : "FRR");

/** 3. scale of a full apply, per daemon build and size */
export function scaleTable(r: Pick<Results, "scale">): string[] {
  if (!r.scale.length) return [];
  const st = (x: ScaleRow, s: keyof ScaleRow["stages"]) => fmt(x.stages[s]?.p50);
  return [
    "**3. Scale: full apply** (ms, p50 of n trials; each from a running config with no services; apply = load → confirmed; ToR = load → the ToR holds every prefix)",
    table(
      ["daemon", "prefixes", "n", "load", "render", "validate", "write", "reload", "verify", "apply (p50 / max)", "all routes at ToR (p50 / max)", "notes"],
      r.scale.map((x) => [
        scaleBuild(x),
        x.prefixes.toLocaleString("en-US"),
        String(x.trials),
        st(x, "load"),
        st(x, "render"),
        st(x, "validate"),
        st(x, "write"),
        st(x, "reload"),
        st(x, "verify"),
        x.apply ? `${fmt(x.apply.p50)} / ${fmt(x.apply.max)}` : "–",
        x.tor ? `${fmt(x.tor.p50)} / ${fmt(x.tor.max)}` : "–",
        [x.skipped, x.refused ? `validation refused it: ${x.refused}` : undefined, ...x.failures.map((f) => `failed: ${f}`)].filter(Boolean).join("; ") || "",
      ]),
    ),
  ];
}

/** a goal's last column */
export const verdict = (met: Goal["met"], floor = "bare Node alone is above it"): string =>
  met === undefined ? "" : met === true ? "met" : met === "noise" ? "within noise" : met === "floor" ? `**not met**: ${floor}` : "**not met**";

export function goalsTable(goals: Goal[]): string {
  return table(
    ["goal", "target", "this run", ""],
    goals.map((g) => [g.what, g.target, g.value, verdict(g.met, g.floor)]),
  );
}

export function renderTables(r: Results): string {
  const parts: string[] = [runHeader(r), ...latencyTable(r), ...stabilityTable(r), ...scaleTable(r), ...scaleChangesTable(r)];
  if (r.footprint.length) {
    parts.push(
      "**4. Footprint of `svcroute run`** (BIRD host; CPU from /proc over the window, % of one core; reference rows are not svcroute)",
      table(
        ["scenario", "checks/s", "window", "CPU", "CPU per check", "RSS p50 / max", "peak RSS (VmHWM)", "exec children CPU", "probes/s", "not UP"],
        r.footprint.filter((x) => x.scenario !== "monitor-exec").map((x) => [
          x.label,
          String(x.checksPerS),
          `${Math.round(x.windowS)} s`,
          `${x.cpuPct.toFixed(2)} %`,
          x.cpuPerCheckMs === undefined ? "–" : `${x.cpuPerCheckMs.toFixed(3)} ms`,
          x.rssMB ? `${x.rssMB.p50.toFixed(1)} / ${x.rssMB.max.toFixed(1)} MB` : "–",
          `${x.peakRssMB.toFixed(1)} MB`,
          x.childCpuPct ? `${x.childCpuPct.toFixed(1)} %` : "–",
          x.probesPerS === undefined ? "–" : fmt(x.probesPerS),
          String(x.notUp),
        ]),
      ),
      ...r.footprint.filter((x) => x.scenario === "monitor-exec").map((x) => `Exec checks, ${x.label}: ${x.note}.`),
    );
  }
  if (r.cli.length) {
    parts.push(
      "**5. CLI start-up** (wall time, ms, p50 / p95 / max; each run paired with a bare `node -e 0` run next to it)",
      table(
        ["command", "n", "svcroute", "node -e 0", "ratio p50 / p95"],
        r.cli.map((x) => [x.command, String(x.runs), t(x.wallMs), t(x.nodeMs), x.ratio ? `${x.ratio.p50.toFixed(2)} / ${x.ratio.p95.toFixed(2)}` : "–"]),
      ),
    );
  }
  if (r.soak) {
    const so = r.soak;
    parts.push(
      `**6. Soak**: 1,000 services, each its own TCP check every 1 s, ${so.minutes} min: RSS ${fmt(Math.min(...so.samples.map((p) => p[1])))}–${fmt(Math.max(...so.samples.map((p) => p[1])))} MB, ` +
        `peak ${fmt(so.peakRssMB)} MB, slope ${slopeText(soakSlope(so.samples, so.minutes))} (${so.samples.length} samples), ${so.notUp} not UP at the end.`,
    );
  }
  parts.push("**Goals**", goalsTable(r.goals));
  if (r.errors.length) parts.push("**Errors**", ...r.errors.map((e) => `- ${e}`));
  return parts.join("\n\n");
}
