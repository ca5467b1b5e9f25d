// Health monitor benchmark (printed, not asserted): `npx tsx test/bench/health.ts [seconds]`.
// Every check has its own name, so no two services share one (identical checks run once for all).
//
//   1. 1,000 services (500 TCP, 500 HTTP checks) at a 1 s interval against local listeners
//   2. 100 exec checks (/bin/true, as nobody when root) at a 1 s interval
//   (`... health.ts SECONDS file` runs 1,000 file checks: the scheduler's own cost)
//
// The listeners run in a separate process, so the CPU measured (process.cpuUsage) is the
// monitor's alone: scheduler, runners, sockets. For exec the children's CPU (fork/exec of
// /bin/true, from /proc/self/stat cutime+cstime) is printed separately. Goals: ≤ 1 ms of monitor
// CPU per check run, RSS ≤ 60 MB.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire, syncBuiltinESMExports } from "node:module";
import { createHealthMonitor } from "../../src/health/index.js";
import type { CheckSpec, Service } from "../../src/manifest/types.js";
import { service as baseService } from "../helpers/service.js";

const service = (name: string, check: CheckSpec) => baseService(name, { checks: [check], source: "bench" });

const SECONDS = Number(process.argv[2] ?? 15);
const WARMUP_S = 3;
const PORTS = 8;

const TARGETS = `
const net = require("node:net"), http = require("node:http");
const listen = (srv) => new Promise((r) => srv.listen(0, "127.0.0.1", 4096, () => r(srv.address().port)));
(async () => {
  const tcp = [], web = [];
  for (let i = 0; i < ${PORTS}; i++) {
    tcp.push(await listen(net.createServer((s) => { s.on("error", () => {}); s.end(); })));
    web.push(await listen(http.createServer((q, r) => r.end("ok"))));
  }
  process.stdout.write(JSON.stringify({ tcp, web }) + "\\n");
})();
process.stdin.on("end", () => process.exit(0)); process.stdin.resume();
`;

function childrenCpuMs(): number {
  // /proc/self/stat fields 16, 17: cutime, cstime of waited-for children, in clock ticks (100 Hz)
  const f = readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ");
  return (Number(f[13]) + Number(f[14])) * 10;
}

const mb = (n: number) => (n / 1048576).toFixed(1);

/** CPU spent inside child_process.spawn (libuv's fork + exec, synchronous in the monitor's thread). */
let spawnMs = 0;
function timeSpawns(): void {
  const cp = createRequire(import.meta.url)("node:child_process") as typeof import("node:child_process");
  const orig = cp.spawn;
  cp.spawn = ((...args: Parameters<typeof orig>) => {
    const c = process.cpuUsage();
    try {
      return orig(...args);
    } finally {
      const d = process.cpuUsage(c);
      spawnMs += (d.user + d.system) / 1000;
    }
  }) as typeof orig;
  syncBuiltinESMExports();
}

async function measure(label: string, services: Service[]): Promise<void> {
  (globalThis as { gc?: () => void }).gc?.();
  const rss0 = process.memoryUsage().rss;
  const heap0 = process.memoryUsage().heapUsed;
  const m = createHealthMonitor({ services });
  m.start();
  await new Promise((r) => setTimeout(r, WARMUP_S * 1000));
  const runs = () => m.snapshot().reduce((n, s) => n + s.counters.checkRuns, 0);
  const fails = () => m.snapshot().reduce((n, s) => n + s.counters.checkFailures, 0);
  const runs0 = runs();
  const fails0 = fails();
  const cpu0 = process.cpuUsage();
  const kids0 = childrenCpuMs();
  const spawn0 = spawnMs;
  const t0 = performance.now();
  let rssMax = 0;
  let heapMax = 0;
  let extMax = 0;
  const lagSamples: number[] = [];
  let last = performance.now();
  const sampler = setInterval(() => {
    const mu = process.memoryUsage();
    rssMax = Math.max(rssMax, mu.rss);
    heapMax = Math.max(heapMax, mu.heapTotal);
    extMax = Math.max(extMax, mu.external + mu.arrayBuffers);
    const now = performance.now();
    lagSamples.push(now - last - 100);
    last = now;
  }, 100);
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  clearInterval(sampler);
  const wallS = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const kidsMs = childrenCpuMs() - kids0;
  const inSpawn = spawnMs - spawn0;
  const n = runs() - runs0;
  const failed = fails() - fails0;
  const states = new Map<string, number>();
  for (const s of m.snapshot()) states.set(s.state, (states.get(s.state) ?? 0) + 1);
  const g = (globalThis as { gc?: () => void }).gc;
  g?.();
  const live = g ? ` live heap after GC ${mb(process.memoryUsage().heapUsed)} MB (${mb(process.memoryUsage().heapUsed - heap0)} MB of it the monitor's),` : "";
  m.stop();
  const cpuMs = (cpu.user + cpu.system) / 1000;
  lagSamples.sort((a, b) => a - b);
  console.log(`\n== ${label}`);
  console.log(`  window          ${wallS.toFixed(1)} s, ${n} check runs (${(n / wallS).toFixed(0)}/s), ${failed} failed`);
  console.log(`  states          ${[...states].map(([k, v]) => `${k} ${v}`).join(", ")}`);
  console.log(`  monitor CPU     ${cpuMs.toFixed(0)} ms (user ${(cpu.user / 1000).toFixed(0)}, system ${(cpu.system / 1000).toFixed(0)}) = ${((cpuMs / (wallS * 1000)) * 100).toFixed(1)}% of one core`);
  console.log(`  per check run   ${(cpuMs / n).toFixed(3)} ms CPU in the monitor (goal ≤ 1 ms)`);
  if (inSpawn > 0) {
    console.log(`  in spawn()      ${(inSpawn / n).toFixed(3)} ms per exec CPU (fork + exec of the child, charged to the monitor)`);
    console.log(`  beyond spawn()  ${((cpuMs - inSpawn) / n).toFixed(3)} ms per exec: the scheduler's own overhead (goal ≤ 1 ms)`);
  }
  if (kidsMs > 0) console.log(`  children CPU    ${kidsMs} ms (${(kidsMs / n).toFixed(2)} ms per exec, not the monitor's)`);
  console.log(`  RSS             max ${mb(rssMax)} MB (before the monitor: ${mb(rss0)} MB; goal ≤ 60 MB); V8 heap max ${mb(heapMax)} MB,${live} external ${mb(extMax)} MB`);
  console.log(`  timer lag       p50 ${lagSamples[Math.floor(lagSamples.length / 2)]!.toFixed(1)} ms, p99 ${lagSamples[Math.floor(lagSamples.length * 0.99)]!.toFixed(1)} ms`);
}

async function scenario(name: string): Promise<void> {
  if (process.env.BENCH_V8_FLAGS) (await import("node:v8")).setFlagsFromString(process.env.BENCH_V8_FLAGS);
  const targets = spawn(process.execPath, ["-e", TARGETS], { stdio: ["pipe", "pipe", "inherit"] });
  const ports = await new Promise<{ tcp: number[]; web: number[] }>((resolve) => {
    let buf = "";
    targets.stdout.on("data", (d: Buffer) => {
      buf += d.toString();
      if (buf.includes("\n")) resolve(JSON.parse(buf) as { tcp: number[]; web: number[] });
    });
  });
  if (name.startsWith("tcp") || name === "http") {
    const tcpHttp: Service[] = [];
    for (let i = 0; i < 1000; i++) {
      const p = i % PORTS;
      const check: CheckSpec =
        (name === "tcp-http" ? i % 2 === 0 : name === "tcp")
          ? { type: "tcp", name: `tcp${i}`, timeoutMs: 500, host: "127.0.0.1", port: ports.tcp[p]!, send: undefined, expect: undefined }
          : { type: "http", name: `http${i}`, timeoutMs: 500, url: `http://127.0.0.1:${ports.web[p]}/health`, method: "GET", expectStatus: [200], bodyRegex: undefined, hostHeader: undefined, tlsVerify: true };
      tcpHttp.push(service(`svc-${i}`, check));
    }
    await measure("1,000 services: 500 TCP + 500 HTTP checks at 1 s", tcpHttp);
  } else if (name === "file") {
    const files = Array.from({ length: 1000 }, (_, i) => service(`file-${i}`, { type: "file", name: `f${i}`, timeoutMs: 500, path: "/etc/hostname", healthyWhen: "exists" }));
    await measure("1,000 file checks at 1 s (the scheduler alone, almost no I/O)", files);
  } else {
    timeSpawns();
    const user = process.getuid?.() === 0 ? "nobody" : (await import("node:os")).userInfo().username;
    const execs = Array.from({ length: 100 }, (_, i) =>
      service(`exec-${i}`, { type: "exec", name: `true${i}`, timeoutMs: 500, command: ["/bin/true"], user, userFromManifest: true, group: undefined, env: {}, cwd: "/" }),
    );
    await measure(`100 exec checks (/bin/true as ${user}) at 1 s`, execs);
  }
  targets.stdin.end();
}

// Each scenario runs in a fresh process (same runtime flags), so RSS and fork costs are its own.
async function main(): Promise<void> {
  const only = process.argv[3];
  if (only) return scenario(only);
  console.log(`node ${process.version}, ${SECONDS} s per scenario after ${WARMUP_S} s warm-up, listeners in a separate process`);
  for (const name of ["tcp-http", "exec"]) {
    const child = spawn(process.execPath, [...process.execArgv, process.argv[1]!, String(SECONDS), name], { stdio: "inherit" });
    await new Promise((r) => child.on("exit", r));
  }
}

await main();
