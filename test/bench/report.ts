// The results document (JSON under test/bench/results/) and the tables printed from it.
import { mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { FootprintRow, CliRow } from "./footprint.js";
import type { LatencyRow } from "./latency.js";
import type { Machine } from "./machine.js";
import type { ScaleRow } from "./scale.js";
import { fmt, meanDiff, triple, type Summary } from "./lib/stats.js";
import type { StabilityRow } from "./stability.js";

export interface Goal {
  what: string;
  target: string;
  value: string;
  /** undefined: not measured (or no goal); "noise": p50 above the target but within the run's noise */
  met: boolean | "noise" | undefined;
}

export interface Results {
  kind: "svcroute-bench";
  version: 1;
  mode: "quick" | "full";
  startedAt: string;
  durationS: number;
  machine: Machine;
  latency: LatencyRow[];
  stability: StabilityRow[];
  scale: ScaleRow[];
  footprint: FootprintRow[];
  cli: CliRow[];
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
  add("pipeline FRR: DOWN decided → withdraw received, p50", "≤ 90 ms", pf, (v) => v <= 90);
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
  for (const [n, lim] of [
    [1000, 1000],
    [10000, 5000],
  ] as const) {
    for (const d of ["bird", "frr"] as const) {
      const row = r.scale.find((x) => x.daemon === d && x.prefixes === n);
      const v = row?.tor?.p50;
      out.push({
        what: `scale ${d === "bird" ? "BIRD" : "FRR"}, ${n.toLocaleString("en-US")} prefixes: full apply → all routes at the ToR, p50`,
        target: `≤ ${lim / 1000} s`,
        value: row?.skipped ?? (v === undefined ? (row ? `failed: ${row.failures[0] ?? "?"}` : "not measured") : `${fmt(v)} ms${row!.refused ? " (refused by validation)" : ""}`),
        met: row ? (v === undefined || row.refused ? false : v <= lim) : undefined,
      });
    }
  }
  const sup = r.footprint.filter((x) => !x.reference);
  for (const x of sup) add(`supervisor peak RSS, ${x.label}`, "≤ 60 MB", x.peakRssMB, (v) => v <= 60, " MB");
  for (const x of sup.filter((y) => y.cpuPerCheckMs !== undefined && y.scenario !== "exec100")) add(`supervisor CPU per check run, ${x.label}`, "≤ 1 ms", x.cpuPerCheckMs, (v) => v <= 1);
  const ex = r.footprint.find((x) => x.scenario === "exec100");
  add("supervisor CPU per exec check run, fork + exec included", "≤ 1 ms", ex?.cpuPerCheckMs, (v) => v <= 1);
  const mon = r.footprint.find((x) => x.scenario === "monitor-exec");
  add("scheduler CPU per exec check run, fork + exec excluded (health.ts)", "≤ 1 ms", mon?.cpuPerCheckMs, (v) => v <= 1);
  for (const c of r.cli.filter((x) => x.command !== "svcroute --version")) add(`${c.command} wall time, p50`, "≤ 300 ms", c.wallMs?.p50, (v) => v <= 300);
  return out;
}

// ------------------------------------------------------------------------------- tables

export function renderTables(r: Results): string {
  const m = r.machine;
  const parts: string[] = [];
  parts.push(
    `Run ${r.startedAt} (${r.mode}, ${Math.round(r.durationS)} s) on ${m.cpus} × ${m.cpuModel}, ${m.memGB} GB, Linux ${m.kernel}, Node ${m.node}; ` +
      `${m.versions.frr}, ${m.versions.bird}, ${m.versions.exabgp}; load average ${m.loadBefore.join(" ")} → ${m.loadAfter.join(" ")}.` +
      (m.commit ? ` svcroute ${m.svcroute} at ${m.commit}${m.dirty ? " (uncommitted changes)" : ""}.` : ""),
  );
  if (r.latency.length) {
    parts.push(
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
    );
  }
  if (r.stability.length) {
    parts.push(
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
    );
  }
  if (r.scale.length) {
    const st = (x: ScaleRow, s: keyof ScaleRow["stages"]) => fmt(x.stages[s]?.p50);
    parts.push(
      "**3. Scale: full apply** (ms, p50 of n trials; each from a running config with no services; apply = load → confirmed; ToR = load → the ToR holds every prefix)",
      table(
        ["daemon", "prefixes", "n", "load", "render", "validate", "write", "reload", "verify", "apply (p50 / max)", "all routes at ToR (p50 / max)", "notes"],
        r.scale.map((x) => [
          x.daemon === "bird" ? "BIRD" : "FRR",
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
    );
  }
  if (r.footprint.length) {
    parts.push(
      "**4. Footprint of `svcroute run`** (BIRD host; CPU from /proc over the window, % of one core; reference rows are not svcroute)",
      table(
        ["scenario", "checks/s", "window", "CPU", "CPU per check", "RSS p50 / max", "peak RSS (VmHWM)", "exec children CPU", "not UP"],
        r.footprint.filter((x) => x.scenario !== "monitor-exec").map((x) => [
          x.label,
          String(x.checksPerS),
          `${Math.round(x.windowS)} s`,
          `${x.cpuPct.toFixed(2)} %`,
          x.cpuPerCheckMs === undefined ? "–" : `${x.cpuPerCheckMs.toFixed(3)} ms`,
          x.rssMB ? `${x.rssMB.p50.toFixed(1)} / ${x.rssMB.max.toFixed(1)} MB` : "–",
          `${x.peakRssMB.toFixed(1)} MB`,
          x.childCpuPct ? `${x.childCpuPct.toFixed(1)} %` : "–",
          String(x.notUp),
        ]),
      ),
      ...r.footprint.filter((x) => x.scenario === "monitor-exec").map((x) => `Exec checks, ${x.label}: ${x.note}.`),
    );
  }
  if (r.cli.length) {
    parts.push("**5. CLI start-up** (wall time of the bundled CLI, ms)", table(["command", "n", "p50 / p95 / max"], r.cli.map((x) => [x.command, String(x.runs), t(x.wallMs)])));
  }
  parts.push(
    "**Goals**",
    table(
      ["goal", "target", "this run", ""],
      r.goals.map((g) => [g.what, g.target, g.value, g.met === undefined ? "" : g.met === "noise" ? "within noise" : g.met ? "met" : "**not met**"]),
    ),
  );
  if (r.errors.length) parts.push("**Errors**", ...r.errors.map((e) => `- ${e}`));
  return parts.join("\n\n");
}
