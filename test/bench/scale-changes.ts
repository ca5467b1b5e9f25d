// 3b. Changes at scale, on a host that already announces N services: the daemon's parser on that
// config (svcroute asks it before every full apply; bgpd does the same work at boot), its cold start with
// that config (a host reboots), 100 services added and the same 100 removed (full path, as the
// supervisor takes it after a drop-in change), each timed until the ToR holds exactly the new set;
// and `svcroute check` / `svcroute render` of N services in drop-ins, as a whole process.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Lab } from "../lab/harness/lab.js";
import { makeDriver } from "../../src/daemons/make.js";
import { sleep } from "./lib/clock.js";
import { summarise, type Summary } from "./lib/stats.js";
import { fullApply, manifestText, renderScale, reset, SCALE_HOSTS, SCALE_TOR, settled, torReceived } from "./scale.js";

/** services added and removed again at scale */
export const CHANGE = 100;

export interface ScaleChangeRow {
  daemon: "bird" | "frr";
  /** "FRR 10.3" */
  build: string;
  /** services announced before the change */
  prefixes: number;
  trials: number;
  /** the daemon's own parser judging the config of `prefixes` services (FRR: vtysh -C and bgpd -C; BIRD: bird -p) */
  validate?: Summary;
  /** daemon started with the config of `prefixes` services → the ToR holds every prefix */
  cold?: Summary;
  /** CHANGE services added (load → the ToR holds all of them) */
  add?: Summary;
  /** the same CHANGE services removed (load → the ToR holds none of them) */
  remove?: Summary;
  failures: string[];
}

async function until(what: string, f: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  for (;;) {
    if (await f().catch(() => false)) return performance.now() - t0;
    if (performance.now() - t0 > timeoutMs) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(25);
  }
}

export async function scaleChangeRow(lab: Lab, daemon: "bird" | "frr", n: number, trials: number, timeoutMs: number, log: (m: string) => void): Promise<ScaleChangeRow> {
  const host = SCALE_HOSTS[daemon];
  const build = lab.daemons[daemon].label;
  const base = manifestText(lab, daemon, n);
  const more = manifestText(lab, daemon, n + CHANGE);
  const { text: moreText } = await renderScale(lab, daemon, more);
  const { text: baseText, manifest } = await renderScale(lab, daemon, base);
  // the daemon's own parser on the config of n services, as svcroute asks it before every full apply
  const validate: number[] = [];
  const driver = makeDriver(manifest.daemon);
  try {
    for (let i = 0; i < trials + 1; i++) {
      const t0 = performance.now();
      await driver.validate(baseText);
      if (i > 0) validate.push(performance.now() - t0);
    }
  } finally {
    driver.close();
  }
  const cold: number[] = [];
  const add: number[] = [];
  const remove: number[] = [];
  const failures: string[] = [];
  log(`scale ${build} at ${n.toLocaleString("en-US")} prefixes: cold start, ${CHANGE} added, ${CHANGE} removed; ${trials} trial(s)`);
  for (let i = 0; i < trials; i++) {
    try {
      await lab.stopDaemon(host);
      // the ToR has seen the sessions go, so a count it still holds is not taken for the new one
      await until(`${host}'s sessions down at ${SCALE_TOR}`, async () => (await torReceived(lab, host)) === 0, 30_000);
      const t0 = performance.now();
      await lab.startDaemon(host, baseText);
      await until(`${n} routes at ${SCALE_TOR} after a start`, async () => (await torReceived(lab, host)) === n, timeoutMs);
      cold.push(performance.now() - t0);
      // as every full apply of the scale series: timed once the sessions have settled
      await settled(lab, daemon, n, timeoutMs);
      const a = await fullApply(lab, daemon, more, n + CHANGE, timeoutMs, baseText);
      if (a.tor === undefined) throw new Error(`${CHANGE} added: the ToR never held ${n + CHANGE} routes`);
      add.push(a.tor);
      const r = await fullApply(lab, daemon, base, n, timeoutMs, moreText);
      if (r.tor === undefined) throw new Error(`${CHANGE} removed: the ToR never held exactly ${n} routes`);
      remove.push(r.tor);
    } catch (e) {
      failures.push((e as Error).message.split("\n")[0]!);
    }
  }
  // the host goes back to no services, as the scale series leaves it: the next part shares the fabric
  await reset(lab, daemon, manifestText(lab, daemon, 0)).catch((e: unknown) => failures.push(`back to no services: ${(e as Error).message.split("\n")[0]}`));
  return { daemon, build, prefixes: n, trials: cold.length, validate: summarise(validate), cold: summarise(cold), add: summarise(add), remove: summarise(remove), failures };
}

export interface CliScaleRow {
  command: "check" | "render";
  services: number;
  runs: number;
  /** whole process, ms */
  wallMs: Summary | undefined;
  failures: string[];
}

/** `svcroute check` and `svcroute render` of n services in drop-ins (the scale series' files), `runs` times each after one warm-up */
export function cliScaleRows(lab: Lab, bundle: string, n: number, runs: number): CliScaleRow[] {
  const dir = mkdtempSync(join(lab.host(SCALE_HOSTS.bird).dir, "cli-scale-"));
  try {
    const s = manifestText(lab, "bird", n);
    const file = join(dir, "svcroute.yaml");
    const dropIns = join(dir, "services.d");
    mkdirSync(dropIns);
    writeFileSync(file, s.main);
    s.dropIns.forEach((t, i) => writeFileSync(join(dropIns, `${String(i).padStart(3, "0")}.json`), t));
    return (["check", "render"] as const).map((command) => {
      const args = command === "check" ? [bundle, "check", file, "--drop-ins", dropIns] : [bundle, "render", "-m", file, "--drop-ins", dropIns];
      const wall: number[] = [];
      const failures: string[] = [];
      for (let i = 0; i <= runs; i++) {
        const t = performance.now();
        const r = spawnSync(process.execPath, args, { stdio: ["ignore", "ignore", "pipe"], encoding: "utf8", timeout: 60_000 });
        const ms = performance.now() - t;
        if (r.status !== 0) failures.push(`exit ${r.status ?? r.signal}: ${r.stderr.split("\n")[0]}`);
        else if (i > 0) wall.push(ms);
      }
      return { command, services: n, runs: wall.length, wallMs: summarise(wall), failures: [...new Set(failures)] };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
