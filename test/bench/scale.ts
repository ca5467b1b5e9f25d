// 3. Scale: a full apply of N service prefixes, stage by stage, with svcroute's own code — the
// functions the supervisor's engine calls on its full path (load the manifest, build the model and
// render, the daemon's parser judges the text, atomic write, reload, observe until the daemon
// advertises exactly the desired set, confirm) — and the time until the ToR holds every route.
// Each trial starts from an applied config with no services and ends by going back to it.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Lab } from "../lab/harness/lab.js";
import { buildModel } from "../../src/core/build-model.js";
import { render } from "../../src/core/render.js";
import { makeDriver } from "../../src/daemons/make.js";
import type { Driver } from "../../src/daemons/driver.js";
import { atomicWrite } from "../../src/effects/fs.js";
import { loadManifest } from "../../src/manifest/load.js";
import type { Manifest } from "../../src/manifest/types.js";
import { formatProblem, type SvcrouteError } from "../../src/errors.js";
import { verify } from "../../src/supervisor/verify.js";
import { sleep } from "./lib/clock.js";
import { manifestYaml, v4, v6 } from "./lib/manifest.js";
import { confirmTimeoutS, protocolsIn } from "../../src/daemons/bird.js";
import { summarise, type Summary } from "./lib/stats.js";

export const SCALE_TOR = "tor2";
export const SCALE_HOSTS = { bird: "kb", frr: "kf" } as const;
const STAGES = ["load", "render", "validate", "write", "reload", "verify"] as const;
type Stage = (typeof STAGES)[number];

export interface ScaleRow {
  daemon: "bird" | "frr";
  /** the build the host ran, "FRR 10.3" (the lab's daemon set); absent in runs before it was recorded */
  build?: string;
  prefixes: number;
  trials: number;
  stages: Record<Stage, Summary | undefined>;
  /** load → confirmed */
  apply?: Summary;
  /** load → the ToR holds every prefix */
  tor?: Summary;
  /** the ToR poll's resolution (ms between the last two polls), worst case */
  torResolutionMs: number;
  configBytes: number;
  failures: string[];
  /** svcroute's validation refused the config (the supervisor would apply nothing) */
  refused: string | undefined;
  /** why this size was not run (runs that ended a series at a slow size) */
  skipped?: string | undefined;
}

/** n prefixes: IPv4 /32s for half of them (at most 384), IPv6 /128s for the rest */
export function scalePrefixes(n: number): string[] {
  const nv4 = Math.min(Math.ceil(n / 2), 384);
  return Array.from({ length: n }, (_, i) => (i < nv4 ? v4(i) : v6(i - nv4, 2)));
}

/** services per drop-in file: a manifest file may hold 1 MiB, and 10,000 services as JSON are less than half of it */
const PER_DROP_IN = 10_000;

export interface ScaleManifest {
  /** the manifest without services */
  main: string;
  /** drop-in files (JSON), each with up to PER_DROP_IN services */
  dropIns: string[];
}

/** n services, in drop-ins as a host with thousands of them would hold them */
export function manifestText(lab: Lab, daemon: "bird" | "frr", n: number): ScaleManifest {
  // as serviceYaml writes them: announced without the address on the host
  const services = scalePrefixes(n).map((p, i) => ({ name: `s${i}`, prefixes: [p], address: "none" }));
  const dropIns: string[] = [];
  for (let i = 0; i < services.length; i += PER_DROP_IN) dropIns.push(JSON.stringify({ services: services.slice(i, i + PER_DROP_IN) }));
  return { main: manifestYaml(lab, SCALE_HOSTS[daemon], { services: [], families: ["ipv4", "ipv6"], tors: [SCALE_TOR] }), dropIns };
}

/** writes the manifest and its drop-ins (replacing the last ones) on the host; loads it */
async function loadScale(lab: Lab, hostName: string, s: ScaleManifest) {
  const dir = lab.host(hostName).dir;
  const file = join(dir, "scale.yaml");
  const dropInDir = join(dir, "scale.d");
  rmSync(dropInDir, { recursive: true, force: true });
  mkdirSync(dropInDir, { recursive: true });
  s.dropIns.forEach((t, i) => writeFileSync(join(dropInDir, `${String(i).padStart(3, "0")}.json`), t));
  writeFileSync(file, s.main);
  return loadManifest(file, { dropInDir });
}

export async function torReceived(lab: Lab, host: string): Promise<number> {
  const sessions = await lab.observe.sessions(SCALE_TOR);
  return sessions.filter((s) => s.host === host && s.state === "Established").reduce((a, s) => a + s.pfxRcd, 0);
}

export interface Applied {
  stages: Record<Stage, number>;
  apply: number;
  tor: number | undefined;
  torResolution: number;
  bytes: number;
  /** the daemon's parser refused the config (svcroute would apply nothing): why */
  refused: string | undefined;
}

/**
 * One full apply of `text`'s manifest with the shipped driver, timed by stage; `expect` is the
 * ToR's prefix count when done. When the parser refuses the config, the supervisor would stop
 * there; the bench notes why and goes on, to time what the daemon itself needs.
 */
export async function fullApply(lab: Lab, daemon: "bird" | "frr", text: ScaleManifest, expect: number, timeoutMs: number, from: string): Promise<Applied> {
  const hostName = SCALE_HOSTS[daemon];
  const stages = {} as Record<Stage, number>;
  const t0 = performance.now();
  let last = t0;
  const lap = (s: Stage) => {
    const now = performance.now();
    stages[s] = now - last;
    last = now;
  };
  // the ToR is watched from the start
  let torAt: number | undefined;
  let torRes = 0;
  const watching = new AbortController();
  const watch = (async () => {
    let prev = performance.now();
    while (!watching.signal.aborted) {
      const got = await torReceived(lab, hostName).catch(() => -1);
      const now = performance.now();
      if (got === expect) {
        torAt = now - t0;
        torRes = now - prev;
        return;
      }
      prev = now;
      await sleep(25);
    }
  })();
  let d: Driver | undefined;
  try {
    const r = await loadScale(lab, hostName, text);
    if (!r.manifest) throw new Error(`scale manifest invalid: ${r.problems.slice(0, 3).map(formatProblem).join("; ")}`);
    const m: Manifest = r.manifest;
    lap("load");
    d = makeDriver(m.daemon);
    const model = buildModel(m);
    const out = render(model, m.daemon.type, { showSecrets: true }).text;
    lap("render");
    let refused: string | undefined;
    try {
      await d.validate(out);
    } catch (e) {
      const err = e as SvcrouteError;
      refused = `${err.message}${err.details ? `: ${err.details.split("\n")[0]}` : ""}`;
    }
    lap("validate");
    await atomicWrite(m.daemon.configFile, out, { keepPrevious: true, mode: 0o640 });
    lap("write");
    // told what the daemon instance runs, as the engine tells it (FRR then sends only the change);
    // the engine knows the instance from its last observation, the bench asks (a pid file's read)
    await d.reload({ text: from, instance: await d.instance() });
    lap("reload");
    // BIRD goes back to the config it ran unless `configure confirm` comes within its timeout:
    // waiting longer would wait for a config it no longer runs
    const reloaded = performance.now();
    const confirmS = confirmTimeoutS(protocolsIn(out));
    const proveMs = daemon === "bird" ? Math.min(timeoutMs, confirmS * 1000) : timeoutMs;
    for (;;) {
      const v = verify(m, model, await d.observe(model));
      if (v.ok && v.down.length === 0) break;
      if (daemon === "bird" && performance.now() - reloaded > proveMs) {
        throw new Error(`not every route exported ${confirmS} s after BIRD took the config (${v.mismatches.length} peer(s) differ, down: ${v.down.join(",") || "none"}): BIRD goes back to the config before, as svcroute's apply would fail its verification`);
      }
      if (performance.now() - t0 > timeoutMs) throw new Error(`not verified after ${timeoutMs} ms (${v.mismatches.length} peer(s) differ, down: ${v.down.join(",") || "none"})`);
      await sleep(25);
    }
    lap("verify");
    await d.confirm();
    const apply = performance.now() - t0;
    const deadline = performance.now() + timeoutMs;
    while (torAt === undefined && performance.now() < deadline) await sleep(10);
    return { stages, apply, tor: torAt, torResolution: torRes, bytes: Buffer.byteLength(out), refused };
  } finally {
    watching.abort();
    await watch;
    d?.close();
  }
}

/** how long the sessions have been up before an apply is timed (see reset) */
const SESSION_SETTLED_MS = 2_000;

/** Back to a config without services: restart the daemon on it (a reload of thousands of removals is not what is measured) and wait for the sessions. */
export async function reset(lab: Lab, daemon: "bird" | "frr", emptyText: ScaleManifest): Promise<string> {
  const hostName = SCALE_HOSTS[daemon];
  const { text } = await renderScale(lab, daemon, emptyText);
  await lab.stopDaemon(hostName);
  await lab.startDaemon(hostName, text);
  await settled(lab, daemon, 0);
  return text;
}

/** the config the scale manifest `s` renders to (its files written on the host, as loadScale writes them) */
export async function renderScale(lab: Lab, daemon: "bird" | "frr", s: ScaleManifest): Promise<{ text: string; manifest: Manifest }> {
  const r = await loadScale(lab, SCALE_HOSTS[daemon], s);
  if (!r.manifest) throw new Error(`scale manifest invalid: ${r.problems.slice(0, 3).map(formatProblem).join("; ")}`);
  return { text: render(buildModel(r.manifest), daemon, { showSecrets: true }).text, manifest: r.manifest };
}

/** waits until both sessions to the ToR are up, carry `prefixes` routes and have been up SESSION_SETTLED_MS */
export async function settled(lab: Lab, daemon: "bird" | "frr", prefixes: number, timeoutMs = 60_000): Promise<void> {
  const hostName = SCALE_HOSTS[daemon];
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const sessions = (await lab.observe.sessions(SCALE_TOR).catch(() => [])).filter((s) => s.host === hostName);
    // settled: FRR holds a new session's first updates for its update-group coalesce time (1 s,
    // and 50 ms more per peer), so an apply timed sooner measures that timer, not the apply
    const up = sessions.length === 2 && sessions.every((s) => s.state === "Established" && s.uptimeMs >= SESSION_SETTLED_MS);
    if (up && sessions.reduce((a, s) => a + s.pfxRcd, 0) === prefixes) return;
    if (performance.now() > deadline) throw new Error(`${hostName}: sessions to ${SCALE_TOR} not up with ${prefixes} routes within ${timeoutMs / 1000} s`);
    await sleep(100);
  }
}

export interface ScaleOptions {
  sizes: number[];
  trials: (n: number) => number;
  /** how long one apply of n prefixes may take before it counts as failed */
  timeoutMs: (n: number) => number;
}

export async function scaleRows(lab: Lab, daemon: "bird" | "frr", o: ScaleOptions, log: (m: string) => void): Promise<ScaleRow[]> {
  const empty = manifestText(lab, daemon, 0);
  const rows: ScaleRow[] = [];
  // warm-up: one small apply (templates compiled, daemon binaries in the page cache)
  const running = await reset(lab, daemon, empty);
  await fullApply(lab, daemon, manifestText(lab, daemon, 10), 10, o.timeoutMs(10), running).catch(() => undefined);
  const build = lab.daemons[daemon].label;
  // every size runs, however slow the one before it was: a slow size is a figure, not a reason to stop
  for (const n of o.sizes) {
    const text = manifestText(lab, daemon, n);
    const got: Applied[] = [];
    const failures: string[] = [];
    log(`scale ${build} ${n.toLocaleString("en-US")} prefixes: ${o.trials(n)} trial(s)`);
    for (let i = 0; i < o.trials(n); i++) {
      const from = await reset(lab, daemon, empty);
      try {
        got.push(await fullApply(lab, daemon, text, n, o.timeoutMs(n), from));
      } catch (e) {
        failures.push((e as Error).message.split("\n")[0]!);
      }
    }
    rows.push({
      daemon,
      build,
      prefixes: n,
      trials: got.length,
      stages: Object.fromEntries(STAGES.map((s) => [s, summarise(got.map((g) => g.stages[s]))])) as Record<Stage, Summary | undefined>,
      apply: summarise(got.map((g) => g.apply)),
      tor: summarise(got.flatMap((g) => (g.tor === undefined ? [] : [g.tor]))),
      torResolutionMs: Math.max(0, ...got.map((g) => g.torResolution)),
      configBytes: got[0]?.bytes ?? 0,
      failures,
      refused: got.find((g) => g.refused)?.refused,
    });
  }
  await reset(lab, daemon, empty).catch(() => undefined);
  return rows;
}
