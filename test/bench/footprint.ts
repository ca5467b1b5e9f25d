// 4. Footprint of the real supervisor (`svcroute run` on a BIRD host): RSS and CPU at idle and
// under health-check load, read from /proc/<pid> of the supervisor process (its own threads;
// exec checks' children are reported apart). Check runs are services × window ÷ interval: the
// scheduler runs each service at a fixed rate (status confirms every service is UP at the end).
// The TCP checks go to distinct addresses (127.1.x.y, 8 listening ports), so no two services share
// a check; the "shared" scenario gives 1,000 services 10 checks and counts the connections the
// listeners accept: identical checks run once per interval, not once per service.
// The bare-Node references for tcp1000 and exec100 run beside the supervisor, measured over the
// same window: a ratio of two windows taken a minute apart moves with the machine's load (the
// connect reference alone ranged over ±14 % from run to run), one of two processes measured side
// by side does not. The connect reference probes its own listeners, so the supervisor's count of
// accepted connections stays its own.
// 5. CLI start-up (cli.ts), against the idle supervisor.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import type { Lab } from "../lab/harness/lab.js";
import { bundleFor } from "../lab/harness/supervised.js";
import { timeCli, type CliRow } from "./cli.js";
import { sleep } from "./lib/clock.js";
import { manifestYaml, v6, type BenchService } from "./lib/manifest.js";
import { summarise, type Summary } from "./lib/stats.js";
import { startSupervisor, type RunningSupervisor } from "./lib/sup.js";
import { printed } from "../helpers/printed.js";
import launcherEnv from "../../packaging/launcher-env.json" with { type: "json" };

const ROOT = join(import.meta.dirname, "../..");

export const FOOTPRINT_HOST = "fp";
const PORTS = 8;
const PORT0 = 9100;
/** the connect reference's own listeners */
const REF_PORT0 = 9200;
const TICK_MS = 1000 / 100; // USER_HZ

export interface FootprintRow {
  scenario: string;
  label: string;
  services: number;
  checksPerS: number;
  windowS: number;
  cpuPct: number;
  /** supervisor CPU per check run, ms */
  cpuPerCheckMs: number | undefined;
  /** CPU of exited exec children (fork+exec+run), % of one core */
  childCpuPct: number;
  rssMB: Summary | undefined;
  peakRssMB: number;
  notUp: number;
  /** connections the TCP listeners accepted per second during the window (the probes really run) */
  probesPerS?: number;
  /** reference rows measure something other than the supervisor, to show what bounds its figures */
  reference?: boolean;
  note?: string;
}

interface ProcSample {
  cpuTicks: number;
  childTicks: number;
  rssKB: number;
}

export function sample(pid: number): ProcSample {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields 14-17 (utime stime cutime cstime) are f[11..14] after "pid (comm) "
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return { cpuTicks: Number(f[11]) + Number(f[12]), childTicks: Number(f[13]) + Number(f[14]), rssKB: rss };
}

export const peakKB = (pid: number) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);

/** the n-th distinct TCP check target: its own address in 127.1.0.0/16, one of the listeners' ports */
export const target = (n: number, port0 = PORT0) => ({ host: `127.1.${Math.floor(n / 250)}.${(n % 250) + 1}`, port: port0 + (n % PORTS) });

/**
 * TCP listeners in the host's namespace (a separate process, so its CPU is not the supervisor's),
 * on every address; they print how many connections they have accepted, every 100 ms.
 */
export function startListeners(lab: Lab, port0 = PORT0): { accepted(): number; stop(): void } {
  const log = join(lab.host(FOOTPRINT_HOST).dir, `listeners-${port0}.out`);
  const js = `
const net = require("node:net");
let n = 0;
for (let i = 0; i < ${PORTS}; i++) net.createServer((s) => { n++; s.on("error", () => {}); s.end(); }).listen(${port0} + i, "0.0.0.0", 4096);
setInterval(() => process.stdout.write(n + "\\n"), 100);`;
  const p = lab.spawn(FOOTPRINT_HOST, process.execPath, ["-e", js], { logFile: log });
  return {
    accepted() {
      const lines = readFileSync(log, "utf8").trimEnd().split("\n");
      return Number(lines.at(-1)) || 0;
    },
    stop() {
      try {
        process.kill(p.pid, "SIGKILL");
      } catch {
        /* gone */
      }
    },
  };
}

interface Scenario {
  id: string;
  label: string;
  services: BenchService[];
  checksPerS: number;
}

export const SCENARIOS = ["idle", "idle10k", "tcp1000", "shared1000", "exec100", "tcp100fast"] as const;

/** `checks` distinct TCP checks among `n` services (service i gets check i mod checks) */
export const tcpServices = (n: number, interval: string, timeout: string, checks = n): BenchService[] =>
  Array.from({ length: n }, (_, i) => ({
    name: `t${i}`,
    prefixes: [v6(i, 3)],
    tcp: target(i % checks),
    timing: { interval, timeout, rise: 1, fall: 2 },
  }));

const idle = (n: number): BenchService[] => Array.from({ length: n }, (_, i) => ({ name: `i${i}`, prefixes: [v6(i, 3)] }));

function scenarios(): Scenario[] {
  return [
    { id: "idle", label: "idle: 10 services, no checks", services: idle(10), checksPerS: 0 },
    { id: "idle10k", label: "idle: 10,000 services, no checks", services: idle(10_000), checksPerS: 0 },
    { id: "tcp1000", label: "1,000 services, TCP check every 1 s (1,000 distinct checks)", services: tcpServices(1000, "1s", "500ms"), checksPerS: 1000 },
    { id: "shared1000", label: "1,000 services sharing 10 TCP checks, every 1 s", services: tcpServices(1000, "1s", "500ms", 10), checksPerS: 1000 },
    {
      id: "exec100",
      label: "100 services, exec check (/bin/true) every 1 s",
      // an argument /bin/true ignores makes each check distinct (identical ones would run once for all)
      services: Array.from({ length: 100 }, (_, i) => ({ name: `e${i}`, prefixes: [v6(i, 3)], exec: ["/bin/true", `e${i}`], timing: { interval: "1s", timeout: "500ms", rise: 1, fall: 2 } })),
      checksPerS: 100,
    },
    { id: "tcp100fast", label: "100 services, TCP check every 100 ms", services: tcpServices(100, "100ms", "50ms"), checksPerS: 1000 },
  ];
}

/** the supervisor's status, asked again until it answers (10,000 services keep it busy for a while) */
async function statusWithin(sup: RunningSupervisor, timeoutMs: number) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const st = await sup.status().catch(() => undefined);
    if (st || performance.now() > deadline) return st;
    await sleep(500);
  }
}

async function allUp(sup: RunningSupervisor, n: number, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const st = await sup.status().catch(() => undefined);
    const notUp = st ? st.services.filter((s) => s.state !== "UP").length : n;
    if ((st && notUp === 0) || performance.now() > deadline) return notUp;
    await sleep(250);
  }
}

/** CPU and RSS of one process over a window: begin(), sample() every 250 ms, end(). */
function meter(pid: number) {
  let s0 = sample(pid);
  let t0 = performance.now();
  const rss: number[] = [];
  return {
    begin() {
      s0 = sample(pid);
      t0 = performance.now();
      rss.length = 0;
    },
    sample() {
      rss.push(sample(pid).rssKB / 1024);
    },
    end() {
      const s1 = sample(pid);
      const wallS = (performance.now() - t0) / 1000;
      return { wallS, cpuMs: (s1.cpuTicks - s0.cpuTicks) * TICK_MS, childMs: (s1.childTicks - s0.childTicks) * TICK_MS, rss: summarise(rss), peakRssMB: peakKB(pid) / 1024 };
    },
  };
}

interface Reference {
  id: string;
  label: string;
  js: string;
  checksPerS: number;
  note: string;
  env?: NodeJS.ProcessEnv;
}

/** A plain node process in the host's namespace, measured like the supervisor: what Node itself costs. */
function startReference(lab: Lab, r: Reference) {
  const p = lab.spawn(FOOTPRINT_HOST, process.execPath, ["-e", r.js], { logFile: join(lab.host(FOOTPRINT_HOST).dir, `${r.id}.out`), env: r.env });
  const m = meter(p.pid);
  return {
    begin: () => m.begin(),
    sample: () => m.sample(),
    end(): FootprintRow {
      const x = m.end();
      return {
        scenario: r.id,
        label: r.label,
        services: 0,
        checksPerS: r.checksPerS,
        windowS: x.wallS,
        cpuPct: (x.cpuMs / (x.wallS * 1000)) * 100,
        cpuPerCheckMs: r.checksPerS ? x.cpuMs / (r.checksPerS * x.wallS) : undefined,
        childCpuPct: 0,
        rssMB: x.rss,
        peakRssMB: x.peakRssMB,
        notUp: 0,
        reference: true,
        note: r.note,
      };
    },
    stop() {
      try {
        process.kill(p.pid, "SIGKILL");
      } catch {
        /* gone */
      }
    },
  };
}

/** A reference on its own, for `windowS` after 1.5 s to start. */
async function reference(lab: Lab, r: Reference, windowS: number): Promise<FootprintRow> {
  const ref = startReference(lab, r);
  try {
    await sleep(1500);
    ref.begin();
    const t0 = performance.now();
    while (performance.now() - t0 < windowS * 1000) {
      await sleep(250);
      ref.sample();
    }
    return ref.end();
  } finally {
    ref.stop();
  }
}

const IDLE_NODE = "setInterval(() => {}, 1 << 30);";

/**
 * The packages the run command bundles (package.json's dependencies found in
 * dist/commands/run.cjs: dist/packages.json, written by the build), bundled as the build bundles
 * them into one file of their own: loaded by bare Node, and nothing run, they are the floor under
 * the idle supervisor's memory that svcroute's own code and work stand on.
 */
async function runDependencies(lab: Lab): Promise<{ file: string; names: string[] }> {
  const byFile = JSON.parse(readFileSync(join(dirname(bundleFor(lab)), "packages.json"), "utf8")) as Record<string, string[]>;
  const names = byFile["commands/run.cjs"] ?? [];
  const entry = join(lab.dir, "run-dependencies.entry.cjs");
  writeFileSync(entry, `globalThis.loaded = [${names.map((n) => `require(${JSON.stringify(n)})`).join(", ")}];\n`);
  const file = join(lab.dir, "run-dependencies.cjs");
  const { build } = await import("esbuild");
  await build({ entryPoints: [entry], outfile: file, bundle: true, platform: "node", format: "cjs", target: "node18", minifyWhitespace: true, legalComments: "none", nodePaths: [join(ROOT, "node_modules")], logLevel: "error" });
  return { file, names };
}
/** 1,000 timers every 1 s, each one TCP connect + close to its own target: the tcp1000 probes without svcroute (to its own listeners) */
const CONNECT_LOOP = `
const net = require("node:net");
const one = (host, port) => { const s = net.connect({ host, port, noDelay: true }); const done = () => s.destroy(); s.on("connect", done); s.on("error", done); };
${JSON.stringify(Array.from({ length: 1000 }, (_, i) => target(i, REF_PORT0)))}.forEach((t, i) => setTimeout(() => setInterval(() => one(t.host, t.port), 1000), i));`;

/** 100 timers every 1 s, each one spawn of /bin/true as the exec checks do it: own process group, as nobody, output piped */
const SPAWN_LOOP = `
const cp = require("node:child_process");
const one = () => { const c = cp.spawn("/bin/true", [], { stdio: ["ignore", "pipe", "pipe"], detached: true, cwd: "/", env: { PATH: "/usr/bin:/bin" }, uid: 65534, gid: 65534 });
  c.stdout.on("data", () => {}); c.stderr.on("data", () => {}); c.on("exit", () => { try { process.kill(-c.pid, "SIGKILL"); } catch {} }); };
for (let i = 0; i < 100; i++) setTimeout(() => setInterval(one, 1000), i * 10);`;

/** The health monitor alone, in-process (test/bench/health.ts): how much of an exec check is fork + exec. */
function monitorExecBreakdown(seconds: number): { perCheckMs?: number; inSpawnMs?: number; beyondSpawnMs?: number; childMs?: number; raw: string } {
  const r = spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", join(import.meta.dirname, "health.ts"), String(seconds), "exec"], { encoding: "utf8", timeout: (seconds + 30) * 1000 });
  const out = printed(r);
  const num = (re: RegExp) => {
    const m = re.exec(out);
    return m ? Number(m[1]) : undefined;
  };
  return {
    perCheckMs: num(/per check run\s+([\d.]+) ms/),
    inSpawnMs: num(/in spawn\(\)\s+([\d.]+) ms/),
    beyondSpawnMs: num(/beyond spawn\(\)\s+([\d.]+) ms/),
    childMs: num(/children CPU\s+\d+ ms \(([\d.]+) ms per exec/),
    raw: out.trim(),
  };
}

export async function footprint(
  lab: Lab,
  o: { windowS: number; warmupS: number; only?: string[]; cliRuns: number; monitorS: number },
  log: (m: string) => void,
): Promise<{ rows: FootprintRow[]; cli: CliRow[]; errors: string[] }> {
  const listeners = startListeners(lab);
  const refListeners = startListeners(lab, REF_PORT0);
  const rows: FootprintRow[] = [];
  log("footprint references: an idle node process (the references for tcp1000 and exec100 run beside the supervisor)");
  rows.push(await reference(lab, { id: "node-idle", label: "reference: node with an empty event loop", js: IDLE_NODE, checksPerS: 0, note: "what any Node process costs" }, Math.min(o.windowS, 5)));
  const want = (id: string) => !o.only || o.only.includes(id);
  if (want("idle")) {
    const deps = await runDependencies(lab);
    rows.push(
      await reference(
        lab,
        {
          id: "node-deps",
          label: `reference: node with the run command's dependencies loaded (${deps.names.join(", ")}), nothing run`,
          js: `require(${JSON.stringify(deps.file)});${IDLE_NODE}`,
          checksPerS: 0,
          note: "the floor under the idle supervisor: the code of the packages it is built on",
          env: { ...launcherEnv, ...process.env },
        },
        Math.min(o.windowS, 5),
      ),
    );
  }
  /** the bare-Node process measured beside a scenario, over the same window */
  const beside: Record<string, Reference> = {
    exec100: { id: "node-spawn", label: "reference: bare Node, the exec100 spawns (100 /bin/true per s, no svcroute), beside the supervisor", js: SPAWN_LOOP, checksPerS: 100, note: "the floor under an exec check: spawn and reap in Node" },
    tcp1000: { id: "node-connect", label: "reference: bare Node, the tcp1000 probes (1,000 TCP connects/s, no svcroute), beside the supervisor", js: CONNECT_LOOP, checksPerS: 1000, note: "the floor under a TCP check: net.connect + close in Node" },
  };
  let cli: CliRow[] = [];
  const errors: string[] = [];
  try {
    for (const sc of scenarios().filter((s) => want(s.id))) {
      const manifest = manifestYaml(lab, FOOTPRINT_HOST, { services: sc.services, families: ["ipv6"], tors: ["tor2"] });
      log(`footprint: ${sc.label} (${o.warmupS} s warm-up, ${o.windowS} s window)`);
      let sup: RunningSupervisor;
      try {
        sup = await startSupervisor(lab, FOOTPRINT_HOST, manifest, { logName: `svcroute-${sc.id}.log`, timeoutMs: 180_000 });
      } catch (e) {
        errors.push(`footprint ${sc.id}: ${(e as Error).message}`);
        log(`ERROR footprint ${sc.id}: ${(e as Error).message}`);
        continue;
      }
      const paired = beside[sc.id];
      const ref = paired && startReference(lab, paired);
      try {
        const notUp0 = sc.checksPerS ? await allUp(sup, sc.services.length, 60_000) : 0;
        if (notUp0) log(`  ${notUp0} service(s) not UP after 60 s`);
        if (paired) log(`  ${paired.id} runs beside it`);
        await sleep(o.warmupS * 1000);
        const m = meter(sup.pid);
        m.begin();
        ref?.begin();
        const accepted0 = listeners.accepted();
        const refAccepted0 = refListeners.accepted();
        const t0 = performance.now();
        while (performance.now() - t0 < o.windowS * 1000) {
          await sleep(250);
          m.sample();
          ref?.sample();
        }
        const x = m.end();
        if (ref) {
          const r = ref.end();
          const probes = (refListeners.accepted() - refAccepted0) / r.windowS;
          rows.push(sc.id === "tcp1000" ? { ...r, probesPerS: probes } : r);
        }
        const runs = sc.checksPerS * x.wallS;
        const st = await statusWithin(sup, 60_000);
        rows.push({
          scenario: sc.id,
          label: sc.label,
          services: sc.services.length,
          checksPerS: sc.checksPerS,
          windowS: x.wallS,
          cpuPct: (x.cpuMs / (x.wallS * 1000)) * 100,
          cpuPerCheckMs: runs ? x.cpuMs / runs : undefined,
          childCpuPct: (x.childMs / (x.wallS * 1000)) * 100,
          rssMB: x.rss,
          peakRssMB: x.peakRssMB,
          notUp: st ? st.services.filter((s) => s.state !== "UP").length : sc.services.length,
          ...(sc.services.some((s) => s.tcp) ? { probesPerS: (listeners.accepted() - accepted0) / x.wallS } : {}),
        });
        if (sc.id === "idle" && o.cliRuns > 0) {
          const bundle = bundleFor(lab);
          log(`CLI start-up against node -e 0: --version, --help, status, check; ${o.cliRuns} pairs each`);
          // the code cache in the fabric's directory, gone with it (0755: one no one else may write)
          const cache = join(lab.host(FOOTPRINT_HOST).dir, "code-cache");
          mkdirSync(cache, { recursive: true });
          chmodSync(cache, 0o755);
          cli = [
            timeCli(bundle, "--version", ["--version"], o.cliRuns, cache),
            timeCli(bundle, "--help", ["--help"], o.cliRuns, cache),
            timeCli(bundle, "status", ["status", "--manifest", sup.manifest], o.cliRuns, cache),
            timeCli(bundle, "check", ["check", "--manifest", sup.manifest], o.cliRuns, cache),
          ];
        }
      } catch (e) {
        errors.push(`footprint ${sc.id}: ${(e as Error).message}`);
        log(`ERROR footprint ${sc.id}: ${(e as Error).message}`);
      } finally {
        ref?.stop();
        await sup.stop();
      }
    }
    if (o.monitorS > 0 && want("exec100")) {
      log(`footprint: the health monitor alone, 100 exec checks/s (test/bench/health.ts, ${o.monitorS} s)`);
      const b = monitorExecBreakdown(o.monitorS);
      rows.push({
        scenario: "monitor-exec",
        label: "health monitor alone (test/bench/health.ts), 100 exec checks every 1 s",
        services: 100,
        checksPerS: 100,
        windowS: o.monitorS,
        cpuPct: b.perCheckMs !== undefined ? b.perCheckMs * 10 : Number.NaN,
        cpuPerCheckMs: b.beyondSpawnMs,
        childCpuPct: b.childMs !== undefined ? b.childMs * 10 : 0,
        rssMB: undefined,
        peakRssMB: 0,
        notUp: 0,
        reference: true,
        note:
          b.perCheckMs !== undefined
            ? `per exec: ${b.perCheckMs} ms in the monitor, of which ${b.inSpawnMs} ms inside spawn() (fork + exec); ${b.beyondSpawnMs} ms outside it (Node's child-process handling and the scheduler)`
            : `health.ts did not report: ${b.raw.slice(-300)}`,
      });
    }
  } finally {
    listeners.stop();
    refListeners.stop();
  }
  return { rows, cli, errors };
}
