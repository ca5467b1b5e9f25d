// A running fabric: created from a topology, torn down with everything it started.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { birdc } from "./bird.js";
import { track, untrack } from "./cleanup.js";
import { bareHostConfig, livePids, signalDaemons, startHost, startTor, type StartedDaemon } from "./daemons.js";
import { nsArgv, run, spawnLogged, type RunOptions, type RunResult } from "./exec.js";
import { LabError } from "./errors.js";
import { Faults } from "./faults.js";
import { vtysh, vtyshJson } from "./frr.js";
import { buildNetwork } from "./netns.js";
import { Observers } from "./observe.js";
import { preflight } from "./preflight.js";
import { claimRun, saveState, type RunState } from "./state.js";
import { daemonSetFromEnv, type DaemonSet } from "./daemon-sets.js";
import { hostTools, type DaemonTools } from "./tools.js";
import { teardownRunSync, type TeardownReport } from "./teardown.js";
import { resolveTopology, type BirdPaths, type DaemonPaths, type FabricPlan, type FrrPaths, type HostPlan, type LinkPlan, type Topology, type TorPlan } from "./topology.js";

// The CLI's code cache (src/code-cache.ts) is never the machine's /var/cache: runs that name no
// directory of their own (runtimeEnv gives each host one) keep none.
process.env.SVCROUTE_CODE_CACHE ??= "none";

export interface LabOptions {
  /** keep configs and logs after teardown (default: env SVRL_KEEP=1) */
  keepDir?: boolean;
  /** start the hosts' daemons during create (default true) */
  startHosts?: boolean;
  /** the builds of FRR and BIRD the hosts run (default: SVRL_DAEMONS, else debian12) */
  daemons?: DaemonSet;
}

export interface LabProcess {
  pid: number;
  child: ChildProcess;
  /** resolves with the exit code (null when killed by a signal) */
  exited: Promise<number | null>;
}

export class Lab {
  readonly plan: FabricPlan;
  readonly observe: Observers = new Observers(this);
  readonly faults: Faults = new Faults(this);
  private readonly state: RunState;
  private readonly keepDir: boolean;
  /** hosts whose daemon was started once: later starts reuse the file on disk */
  private readonly started = new Set<string>();
  private report: TeardownReport | undefined;

  private constructor(plan: FabricPlan, state: RunState, keepDir: boolean) {
    this.plan = plan;
    this.state = state;
    this.keepDir = keepDir;
  }

  static async create(topology: Topology, opts: LabOptions = {}): Promise<Lab> {
    const daemons = opts.daemons ?? daemonSetFromEnv();
    // the ToRs run this machine's FRR; BIRD hosts need this machine's BIRD unless it comes from a root
    const needsBird = daemons.bird.root === null && topology.hosts.some((h) => h.daemon === "bird");
    preflight({ frr: true, bird: needsBird });
    const state = claimRun();
    const keepDir = opts.keepDir ?? process.env.SVRL_KEEP === "1";
    let lab: Lab | undefined;
    try {
      const plan = resolveTopology(topology, state.id, state.dir, daemons);
      lab = new Lab(plan, state, keepDir);
      track(lab);
      await buildNetwork(plan, (ns) => lab!.recordNamespace(ns));
      for (const h of plan.hosts) mkdirSync(h.dir, { recursive: true });
      await settleAll(plan.tors.map(async (t) => lab!.record(t.name, await startTor(t))));
      if (opts.startHosts ?? true) await settleAll(plan.hosts.map((h) => lab!.startDaemon(h.name)));
      return lab;
    } catch (e) {
      if (lab) lab.downSync();
      else teardownRunSync(state, { keepDir });
      throw e;
    }
  }

  get id(): string {
    return this.plan.id;
  }

  get dir(): string {
    return this.plan.dir;
  }

  /** the builds of FRR and BIRD this lab's hosts run */
  get daemons(): DaemonSet {
    return this.plan.daemons;
  }

  /** the daemon programs svcroute should run for a host (its manifest's daemon.* paths) */
  tools(host: string): DaemonTools {
    return hostTools(this.host(host));
  }

  tor(name: string): TorPlan {
    const t = this.plan.tors.find((x) => x.name === name);
    if (!t) throw new LabError(`no ToR named ${name} (ToRs: ${this.plan.tors.map((x) => x.name).join(", ")})`);
    return t;
  }

  host(name: string): HostPlan {
    const h = this.plan.hosts.find((x) => x.name === name);
    if (!h) throw new LabError(`no host named ${name} (hosts: ${this.plan.hosts.map((x) => x.name).join(", ")})`);
    return h;
  }

  link(host: string, tor: string): LinkPlan {
    const l = this.host(host).links.find((x) => x.tor === tor);
    if (!l) throw new LabError(`host ${host} has no link to ${tor}`);
    return l;
  }

  /** network namespace of a node */
  ns(node: string): string {
    return (this.plan.tors.find((t) => t.name === node) ?? this.host(node)).ns;
  }

  /** daemon paths of a node (ToR or host) */
  paths(node: string): DaemonPaths {
    const t = this.plan.tors.find((x) => x.name === node);
    if (t) return t.paths;
    const p = this.host(node).paths;
    if (!p) throw new LabError(`host ${node} runs no routing daemon`);
    return p;
  }

  frrPaths(node: string): FrrPaths {
    const p = this.paths(node);
    if (p.kind !== "frr") throw new LabError(`${node} runs BIRD, not FRR`);
    return p;
  }

  birdPaths(node: string): BirdPaths {
    const p = this.paths(node);
    if (p.kind !== "bird") throw new LabError(`${node} runs FRR, not BIRD`);
    return p;
  }

  vtysh(node: string, ...commands: string[]): Promise<string> {
    return vtysh(this.frrPaths(node), commands);
  }

  vtyshJson<T = unknown>(node: string, command: string): Promise<T> {
    return vtyshJson<T>(this.frrPaths(node), command);
  }

  birdc(host: string, command: string): Promise<string> {
    return birdc(this.birdPaths(host), command);
  }

  /** Runs a command inside the node's namespace and waits for it. */
  exec(node: string, cmd: string, args: readonly string[] = [], opts: RunOptions = {}): Promise<RunResult> {
    const [c, a] = nsArgv(this.ns(node), cmd, args);
    return run(c, a, opts);
  }

  /**
   * Starts a long-running command inside the node's namespace (e.g. `svcroute run`); teardown
   * ends it. Output goes to `logFile` (default <node dir>/<cmd basename>.out).
   */
  spawn(node: string, cmd: string, args: readonly string[] = [], opts: { logFile?: string; env?: NodeJS.ProcessEnv } = {}): LabProcess {
    this.assertUp();
    const dir = join(this.dir, node);
    mkdirSync(dir, { recursive: true });
    const logFile = opts.logFile ?? join(dir, `${cmd.split("/").pop()}.out`);
    const [c, a] = nsArgv(this.ns(node), cmd, args);
    const child = spawnLogged(c, a, logFile, opts.env);
    if (child.pid === undefined) throw new LabError(`could not start ${cmd} in ${node}`);
    this.record(node, [{ what: cmd, pid: child.pid }]);
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    return { pid: child.pid, child, exited };
  }

  /**
   * (Re)starts whichever of the node's daemons are not running, e.g. after faults.kill. For a host,
   * `config` replaces its config file first; without it the first start uses the topology's config
   * (or a bare one) and later starts the file on disk. Changing the config of a running daemon is
   * a reload (frr-reload.py / birdc configure), not a start.
   */
  async startDaemon(node: string, config?: string): Promise<void> {
    this.assertUp();
    const tor = this.plan.tors.find((t) => t.name === node);
    if (tor) {
      this.record(node, await startTor(tor, false));
      return;
    }
    const host = this.host(node);
    if (!host.paths) return;
    let text = config;
    if (text === undefined && !this.started.has(node)) {
      text = typeof host.config === "function" ? host.config(host) : host.config ?? bareHostConfig(host, host.paths);
    }
    this.started.add(node);
    this.record(node, await startHost(host, text));
  }

  /** Stops the node's daemons cleanly (SIGTERM) and waits until they are gone. */
  async stopDaemon(node: string): Promise<void> {
    await signalDaemons(this.paths(node), "SIGTERM");
  }

  /** pids of the node's daemons alive now, by daemon name (zebra, bgpd, …, bird) */
  daemonPids(node: string): Map<string, number> {
    return livePids(this.paths(node));
  }

  /** every pid this run started (for checks after teardown) */
  recordedPids(): number[] {
    return this.state.pids.map((p) => p.pid);
  }

  namespaces(): string[] {
    return [...this.state.namespaces];
  }

  private assertUp(): void {
    if (this.report) throw new LabError(`lab ${this.id} is already down`);
  }

  /**
   * Leaves the fabric running after this process exits (CLI `up --detach`); the next `lab down`
   * removes it, since its owner is gone by then.
   */
  detach(): void {
    untrack(this.id);
  }

  private recordNamespace(ns: string): void {
    this.state.namespaces.push(ns);
    saveState(this.state);
  }

  private record(node: string, started: StartedDaemon[]): void {
    for (const s of started) this.state.pids.push({ pid: s.pid, node, what: s.what });
    saveState(this.state);
  }

  /** Tears the fabric down: every process it started, every namespace, its directory. */
  async down(): Promise<TeardownReport> {
    return this.downSync();
  }

  downSync(): TeardownReport {
    if (!this.report) {
      untrack(this.id);
      this.report = teardownRunSync(this.state, { keepDir: this.keepDir });
    }
    return this.report;
  }
}

/** Like Promise.all, but waits for every start to finish before failing: teardown must not race a start. */
async function settleAll(work: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(work)).find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
}

export const createLab = (topology: Topology, opts?: LabOptions): Promise<Lab> => Lab.create(topology, opts);
