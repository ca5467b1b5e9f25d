// Render benchmark (printed, not asserted): buildModel + render for 10 / 1,000 / 10,000 services,
// each with one IPv4 and one IPv6 prefix, two ToRs, a mix of health states.
// Run: npx tsx test/bench/render.ts   (goal: ≤ 200 ms per daemon at 10,000 services)
// BENCH_V8_FLAGS="--optimize-for-size ..." sets V8 flags at run time first, as `svcroute run` sets its own.
// The daemon views are built on first use, so "render" includes building the FRR or BIRD view.
import { buildModel } from "../../src/core/build-model.js";
import type { HealthInput } from "../../src/core/desired.js";
import { render } from "../../src/core/render.js";
import { formatIPv6 } from "../../src/manifest/ip.js";
import type { DaemonType, Manifest } from "../../src/manifest/types.js";
import { manifestFromData } from "../golden/support.js";
import { setFlagsFromString } from "node:v8";

if (process.env.BENCH_V8_FLAGS) setFlagsFromString(process.env.BENCH_V8_FLAGS);

function manifest(n: number): Manifest {
  const services = Array.from({ length: n }, (_, i) => ({
    name: `svc-${i}`,
    // 10.0.0.0/8 holds up to 16M /32s; 2001:db8:100::/48 likewise
    prefixes: [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`, `${formatIPv6(0x20010db80100n << 80n | BigInt(i + 1))}/128`],
    ...(i % 3 === 0 ? { on_failure: "deprefer", communities: ["65000:100"] } : {}),
  }));
  const r = manifestFromData({
    version: 1,
    daemon: "bird",
    router: { asn: 4200000101, router_id: "192.0.2.1" },
    peers: [
      { name: "tor1", address: "169.254.0.1", remote_asn: 65000, bfd: true },
      { name: "tor1-v6", address: "fd00:1::1", remote_asn: 65000, bfd: true },
      { name: "tor2", address: "169.254.0.5", remote_asn: 65000, bfd: true },
      { name: "tor2-v6", address: "fd00:2::1", remote_asn: 65000, bfd: true },
    ],
    policy: { allowed_prefixes: ["10.0.0.0/8", "2001:db8:100::/48"], accept: "default-only" },
    services,
  });
  if (!r.manifest) throw new Error(JSON.stringify(r.problems.slice(0, 3)));
  return r.manifest;
}

function health(m: Manifest): HealthInput {
  const h: HealthInput = { services: {}, drained: [] };
  m.services.forEach((s, i) => {
    if (i % 7 === 0) h.services[s.name] = "down";
    if (i % 11 === 0 && h.drained !== "all") h.drained.push(s.name);
  });
  return h;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const ms = (x: number) => `${x.toFixed(1).padStart(7)} ms`;
// CPU time (user + system, all threads, so garbage collection included) shows the cost without
// the waiting a busy machine adds to wall time.
console.log("services  daemon  buildModel    render  total(median)  total(best)   cpu(median)     lines     bytes");
for (const n of [10, 1_000, 10_000]) {
  const m = manifest(n);
  const h = health(m);
  const reps = n >= 10_000 ? 5 : 15;
  for (const daemon of ["frr", "bird"] as DaemonType[]) {
    render(buildModel(m, h), daemon); // warm up: template compile, JIT
    const b: number[] = [];
    const r: number[] = [];
    const cpu: number[] = [];
    let text = "";
    for (let i = 0; i < reps; i++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const model = buildModel(m, h);
      const t1 = performance.now();
      text = render(model, daemon).text;
      const t2 = performance.now();
      const c = process.cpuUsage(c0);
      b.push(t1 - t0);
      r.push(t2 - t1);
      cpu.push((c.user + c.system) / 1000);
    }
    const totals = b.map((x, i) => x + r[i]!);
    const total = median(totals);
    console.log(
      `${String(n).padStart(8)}  ${daemon.padEnd(6)} ${ms(median(b))} ${ms(median(r))}     ${ms(total)}   ${ms(Math.min(...totals))}    ${ms(median(cpu))} ${String(text.split("\n").length).padStart(9)} ${String(text.length).padStart(9)}${total > 200 ? "  (over the 200 ms goal)" : ""}`,
    );
  }
}
