// A Debian root booted with systemd as PID 1 (systemd-nspawn --boot) inside a lab host's network
// namespace: its routing daemon speaks BGP to the lab's ToR over the host's links. The root is
// read-only (an overlay on tmpfs takes every change), so each boot starts from the same image.
// Commands run inside through nsenter (the host has no machined to ask).
import { mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { run, spawnLogged, type RunResult } from "../lab/harness/exec.js";
import type { Lab } from "../lab/harness/lab.js";
import { isAlive } from "../lab/harness/procs.js";
import { waitFor } from "../lab/harness/wait.js";

export interface Container {
  /** PID of the container's systemd, as the host sees it */
  leader: number;
  /** a shell command inside the container, as root */
  sh(cmd: string, opts?: { allowFail?: boolean; timeoutMs?: number }): Promise<RunResult>;
  /** `systemctl show UNIT -p …` as a record */
  show(unit: string, props: string[]): Promise<Record<string, string>>;
  stop(): Promise<void>;
}

/** the container's systemd: nspawn's child once it runs systemd (nspawn forks short-lived helpers first) */
function systemdChildOf(pid: number): number | undefined {
  for (const e of readdirSync("/proc")) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, "utf8");
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[1]) === pid && comm === "systemd") return Number(e);
    } catch {
      // gone meanwhile
    }
  }
  return undefined;
}

/**
 * Boot `root` in lab host `host`'s network namespace; `binds` are host paths made visible
 * read-only inside (host path → container path). Resolves once systemd says the boot is over.
 */
export async function bootContainer(lab: Lab, host: string, root: string, binds: Record<string, string>): Promise<Container> {
  const name = `svcr-${lab.id}-${host}`;
  // joined to the namespace by path: under `ip netns exec` nspawn would find no cgroup file system
  // the network capabilities the routing daemons need (nspawn keeps CAP_NET_ADMIN only for a
  // network namespace it made itself; without it BIRD dies at start on capset)
  const caps = "--capability=CAP_NET_ADMIN,CAP_NET_RAW,CAP_NET_BROADCAST";
  const args = ["-q", "-D", root, "--boot", "--volatile=overlay", "--register=no", "--keep-unit", "-M", name, caps, `--network-namespace-path=/run/netns/${lab.ns(host)}`];
  args.push(...Object.entries(binds).map(([h, c]) => `--bind-ro=${h}:${c}`));
  const dir = join(lab.dir, host);
  mkdirSync(dir, { recursive: true });
  const child = spawnLogged("systemd-nspawn", args, join(dir, "nspawn.out"));
  const p = { pid: child.pid! };
  const kill = () => isAlive(p.pid) && process.kill(p.pid, "SIGKILL");
  const leader = await waitFor(() => systemdChildOf(p.pid), { what: `${name}: the container's systemd (log: ${join(dir, "nspawn.out")})`, timeout: 30_000, until: (x) => x !== undefined })
    .then((w) => w.value)
    .catch((e: unknown) => {
      kill();
      throw e;
    });
  const sh = (cmd: string, opts: { allowFail?: boolean; timeoutMs?: number } = {}) =>
    run("nsenter", ["-t", String(leader), "-a", "sh", "-c", cmd], { timeoutMs: opts.timeoutMs ?? 120_000, allowFail: opts.allowFail ?? false, env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", LANG: "C.UTF-8" } });
  // "running", or "degraded" when a unit failed: either way the boot is over
  await waitFor(() => sh("systemctl is-system-running", { allowFail: true }), {
    what: `${name}: the boot to finish`,
    timeout: 90_000,
    interval: 250,
    until: (r) => /^(running|degraded)$/m.test(r.stdout),
  }).catch((e: unknown) => {
    kill();
    throw e;
  });
  return {
    leader: leader!,
    sh,
    async show(unit, props) {
      const r = await sh(`systemctl show ${unit} ${props.map((x) => `-p ${x}`).join(" ")}`);
      return Object.fromEntries(r.stdout.trim().split("\n").map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]));
    },
    async stop() {
      if (!isAlive(p.pid)) return;
      await sh("systemctl poweroff --no-block", { allowFail: true });
      await waitFor(() => isAlive(p.pid), { what: `${name} to power off`, timeout: 60_000, until: (alive) => !alive }).catch(() => process.kill(p.pid, "SIGKILL"));
    },
  };
}
