// `npm run lab` end to end: the demo runs in a child process as a user would start it, prints the
// ECMP → failure → recovery story and leaves nothing of its run behind; `--keep` then `down`.
import { spawn } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, missingPackages, requireRoot } from "./harness/demo-setup.js";
import { LAB_PREFIX, runDir } from "./harness/naming.js";
import { cmdline, isAlive, listNetns } from "./harness/procs.js";

interface Ran {
  code: number | null;
  stdout: string;
  stderr: string;
}

function demo(args: string[], wrap: string[] = []): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const argv = [...wrap, process.execPath, "--import", "tsx", join(ROOT, "test/lab/harness/demo.ts"), ...args];
    const child = spawn(argv[0]!, argv.slice(1), { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill("SIGINT"), 100_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const runIdOf = (stdout: string): string => {
  const id = /namespaces svrl-([a-z0-9]{4})-\*/.exec(stdout)?.[1];
  if (!id) throw new Error(`no run id in the demo's output:\n${stdout}`);
  return id;
};
const nsOf = (id: string): string[] => listNetns().filter((n) => n.startsWith(`${LAB_PREFIX}-${id}-`));
/** live processes whose command line names the run's directory */
const procsOf = (id: string): number[] =>
  readdirSync("/proc")
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => isAlive(pid) && cmdline(pid).includes(`${runDir(id)}/`));

/** index of the first line matching `re` at or after `from`, -1 if none */
const lineAt = (lines: string[], re: RegExp, from = 0): number => {
  const i = lines.slice(from).findIndex((l) => re.test(l));
  return i < 0 ? -1 : i + from;
};

describe("npm run lab (the demo)", () => {
  it("narrates ECMP, a failure (2 → 1 path) and the recovery, then removes everything it made", async () => {
    const t0 = performance.now();
    const r = await demo(["--no-install"]);
    const seconds = (performance.now() - t0) / 1000;
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    const lines = r.stdout.split("\n");
    for (let n = 1; n <= 7; n++) expect(lineAt(lines, new RegExp(`^\\[${n}/7\\] `)), `step ${n}`).toBeGreaterThanOrEqual(0);

    const ecmp = lineAt(lines, /^\s+192\.0\.2\.100\/32\s+2\s+hbird 169\.254\.1\.1, hfrr 169\.254\.3\.1\s+\(ECMP\)$/);
    expect(ecmp, r.stdout).toBeGreaterThan(0);
    const down = lineAt(lines, /192\.0\.2\.100\/32 at tor1: 2 → 1 path in \d+ ms \(left: hfrr\)/, ecmp);
    expect(down, r.stdout).toBeGreaterThan(ecmp);
    expect(lineAt(lines, /192\.0\.2\.100\/32 at tor2: 1 → 0 paths in \d+ ms/, ecmp)).toBeGreaterThan(ecmp);
    expect(lineAt(lines, /^\s+web\s+DOWN\s/, down), "svcroute status shows web DOWN").toBeGreaterThan(down);
    const back = lineAt(lines, /192\.0\.2\.100\/32 at tor1: 1 → 2 paths in \d+ ms \(hbird, hfrr, ECMP\)/, down);
    expect(back, r.stdout).toBeGreaterThan(down);
    expect(lineAt(lines, /^\[7\/7\] tearing down \.\.\. 4 namespaces and \d+ processes removed/, back)).toBeGreaterThan(back);
    expect(r.stderr).not.toMatch(/error|warn/i);

    const id = runIdOf(r.stdout);
    expect(nsOf(id)).toEqual([]);
    expect(existsSync(runDir(id))).toBe(false);
    expect(procsOf(id)).toEqual([]);
    expect(seconds).toBeLessThan(60);
  });

  it("--keep leaves the fabric up with a cheat sheet; `down ID` removes it", async () => {
    const r = await demo(["--no-install", "--keep"]);
    const id = runIdOf(r.stdout);
    try {
      expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
      expect(r.stdout).toMatch(/^\[7\/7\] keeping the fabric up/m);
      expect(r.stdout).toContain(`ip netns exec svrl-${id}-tor1 bash`);
      expect(r.stdout).toContain(`vtysh --vty_socket ${runDir(id)}/tor1/run -c 'show bgp ipv4 unicast'`);
      expect(r.stdout).toContain(`birdc -s ${runDir(id)}/hbird/bird.ctl`);
      expect(r.stdout).toContain(`status --socket ${runDir(id)}/hbird/svcroute.sock`);
      expect(r.stdout).toContain(`rm ${runDir(id)}/hbird/health/web`);
      expect(r.stdout).toContain("npm run lab -- down");
      expect(nsOf(id).sort()).toEqual(["hbird", "hfrr", "tor1", "tor2"].map((n) => `${LAB_PREFIX}-${id}-${n}`));
      // both supervisors outlived the demo process
      expect(procsOf(id).filter((p) => cmdline(p).includes("svcroute.cjs run")).length).toBe(2);
    } finally {
      const d = await demo(["down", id]);
      expect(d.code, `${d.stdout}\n${d.stderr}`).toBe(0);
      expect(d.stdout).toMatch(new RegExp(`removed demo fabric ${id}: 4 namespaces`));
    }
    expect(nsOf(id)).toEqual([]);
    expect(existsSync(runDir(id))).toBe(false);
    expect(procsOf(id)).toEqual([]);
  });

  it("refuses to run as an ordinary user and says why", async () => {
    const r = await demo([], ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^error: npm run lab must run as root: it creates network namespaces/);
    expect(r.stderr).toMatch(/hint: .*sudo npm run lab/);
  });

  it("names the packages to install for missing programs", () => {
    expect(() => requireRoot(1000)).toThrow(/must run as root/);
    expect(() => requireRoot(0)).not.toThrow();
    expect(missingPackages(() => "/usr/bin/x")).toEqual([]);
    expect(missingPackages(() => undefined)).toEqual(["frr", "frr-pythontools", "bird2", "iproute2", "procps", "util-linux"]);
    expect(missingPackages((p) => (p === "birdc" || p.endsWith("frr-reload.py") ? undefined : "/x"))).toEqual(["frr-pythontools", "bird2"]);
  });
});
