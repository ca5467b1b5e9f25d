// Up/down leaves nothing behind, crashed runs are cleaned up by `lab down`, and failures explain
// themselves.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { labDown } from "./harness/down.js";
import { LabError } from "./harness/errors.js";
import { birdHostConfig, frrHostConfig } from "./harness/host-configs.js";
import { createLab } from "./harness/lab.js";
import { addNamespace } from "./harness/netns.js";
import { LAB_PREFIX } from "./harness/naming.js";
import { checkPrograms, checkRoot } from "./harness/preflight.js";
import { isAlive, listNetns } from "./harness/procs.js";
import { loadState } from "./harness/state.js";
import type { Topology } from "./harness/topology.js";
import { waitFor } from "./harness/wait.js";

const small: Topology = {
  tors: [{ name: "tor1", asn: 65001, bfd: true }],
  hosts: [
    { name: "h1", daemon: "frr", links: ["tor1"], addresses: ["192.0.2.31"], config: (h) => frrHostConfig(h, { bfd: true }) },
    { name: "h2", daemon: "bird", links: ["tor1"], addresses: ["192.0.2.32"], config: (h) => birdHostConfig(h, { bfd: true }) },
    { name: "h3", daemon: "none", links: ["tor1"] },
  ],
};

const nsOfRun = (id: string): string[] => listNetns().filter((n) => n.startsWith(`${LAB_PREFIX}-${id}-`));

describe("fabric lifecycle", () => {
  it("up then down leaves no namespace, process or directory behind", async () => {
    const lab = await createLab(small);
    const child = lab.spawn("h3", "sleep", ["600"]);
    expect(nsOfRun(lab.id).sort()).toEqual(["h1", "h2", "h3", "tor1"].map((n) => `${LAB_PREFIX}-${lab.id}-${n}`).sort());
    const pids = lab.recordedPids();
    // tor1: zebra bgpd bfdd; h1: zebra bgpd staticd bfdd; h2: bird; h3: sleep
    expect(pids.length).toBe(9);
    expect(pids.every(isAlive)).toBe(true);

    const report = await lab.down();
    expect(report.errors).toEqual([]);
    expect(report.survivors).toEqual([]);
    expect(nsOfRun(lab.id)).toEqual([]);
    expect(pids.filter(isAlive)).toEqual([]);
    expect(existsSync(lab.dir)).toBe(false);
    expect(await child.exited).toBe(null);
    await expect(lab.startDaemon("h1")).rejects.toThrow(/already down/);
  });

  it("a failed start tears down what it built", async () => {
    const bad: Topology = {
      tors: [{ name: "tor1", asn: 65001 }],
      hosts: [
        { name: "h1", daemon: "frr", links: ["tor1"], config: (h) => frrHostConfig(h) },
        { name: "h2", daemon: "bird", links: ["tor1"], config: "this is not a bird config;\n" },
      ],
    };
    const before = new Set(listNetns());
    const err = await createLab(bad).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LabError);
    expect((err as LabError).message).toMatch(/bird did not start.*\n.*syntax error/is);
    expect(listNetns().filter((n) => !before.has(n) && n.startsWith(`${LAB_PREFIX}-`))).toEqual([]);
  });

  it("`lab down` removes what a killed run left behind, a mount in its directory too", async () => {
    // a real crash: the CLI's node process dies by SIGKILL, so none of its cleanup runs
    const child = spawn(process.execPath, ["--import", "tsx", "test/lab/harness/cli.ts", "up"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (out += d));
    const { value: id } = await waitFor(() => /"id": "([a-z0-9]{4})"/.exec(out)?.[1], { what: "the CLI to print the run id", timeout: 60_000 });
    await waitFor(() => /\n}\n?$/.test(out), { what: "the CLI to finish its report" });
    const exited = new Promise((r) => child.on("exit", r));
    child.kill("SIGKILL");
    await exited;
    const left = nsOfRun(id!);
    expect(left.length).toBe(4);
    // a mount a suite made in the run's directory (reliability's tmpfs) and never took down
    const dir = loadState(id!)!.dir;
    const mount = join(dir, "h3", "conf");
    mkdirSync(mount, { recursive: true });
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "svrl-lifecycle", mount]);

    const reports = labDown();
    const mine = reports.find((r) => r.id === id);
    expect(mine?.namespaces.sort()).toEqual(left.sort());
    expect(mine?.killed.length).toBeGreaterThanOrEqual(9);
    expect(mine?.errors).toEqual([]);
    expect(nsOfRun(id!)).toEqual([]);
    expect(existsSync(dir), `${dir} removed, its mount with it`).toBe(false);
  });

  it("`lab down` leaves runs of live processes alone", async () => {
    const lab = await createLab({ tors: [{ name: "tor1", asn: 65001 }], hosts: [] });
    try {
      expect(labDown().map((r) => r.id)).not.toContain(lab.id);
      expect(nsOfRun(lab.id)).toEqual([lab.ns("tor1")]);
    } finally {
      await lab.down();
    }
  });
});

describe("clear errors", () => {
  it("refuses to run without root", () => {
    expect(() => checkRoot(1000)).toThrow(/must run as root/);
  });

  it("names missing programs and the apt packages that provide them", () => {
    const find = (p: string): string | undefined => (p === "bird" || p.endsWith("frr-reload.py") ? undefined : p);
    expect(() => checkPrograms([{ program: "bird", apt: "bird2" }, { program: "/usr/lib/frr/frr-reload.py", apt: "frr-pythontools" }], find)).toThrow(
      /missing programs: bird, \/usr\/lib\/frr\/frr-reload\.py\nhint: apt-get install -y bird2 frr-pythontools/,
    );
  });

  it("explains a failing `ip netns add`", async () => {
    const lab = await createLab({ tors: [{ name: "tor1", asn: 65001 }], hosts: [] });
    try {
      await expect(addNamespace(lab.ns("tor1"))).rejects.toThrow(/ip netns add .* failed\n.*exists.*\nhint: .*cli\.ts down/s);
    } finally {
      await lab.down();
    }
  });
});
