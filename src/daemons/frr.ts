// FRR driver. Full path: a change of policy objects and networks only goes to the daemons as
// vty commands in one vtysh call (frr-incremental.ts); any other, and every rollback, is
// frr-reload.py --reload with --confdir beside the config file (so its `write` never lands in
// /etc/frr by surprise). Fast path: `[no] network P [route-map X]` in one session on bgpd's vty
// socket (vtysh if it cannot be had): bgpd originates or withdraws the prefix, sessions and
// policy untouched. Observing goes over the same session.
import { promises as fsp } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { SvcrouteError, isSvcrouteError } from "../errors.js";
import type { Exec } from "../effects/exec.js";
import type { RoutingModel } from "../core/model.js";
import type { DaemonConfig } from "../manifest/types.js";
import { absentPeer, type AppliedConfig, type ConfigDiff, type Driver, type Observed, type ObservedPeer, type ToggleOp } from "./driver.js";
import { diffIsEmpty, type FrrNeighborInfo, parseAdvertised, parseAdvertisedTo, parseBfdPeers, parseNeighbors, parseReloadDiff, jsonOrUndefined, splitJsonDocuments, withoutPamComplaint } from "./frr-parse.js";
import { maskSecrets } from "./config-read.js";
import { parseGrSessions, sessionsToReset } from "./frr-reset.js";
import { incrementalCommands } from "./frr-incremental.js";
import { FRR_COMMAND_TIMEOUT_MS, FrrVty } from "./frr-vty.js";
import { assertDaemonAccepts } from "./validate.js";
import { binaryVersion, cachedCapabilities } from "./version-probe.js";
import { parseFrrVersion } from "./versions.js";
import { frrNames } from "../core/names.js";
import { orphanCommands, refreshCommands, sweepCommands, toggleCommands } from "./frr-commands.js";

/** the header names hashes of the manifest and health: it changes, the running state does not */
const HEADER = /^[#!] (svcroute-managed |svcroute-checksum |Written by svcroute |and health state sha256:)/;

/** The config with what toggle() switches (`network` statements) and what FRR ignores (the header, comments naming services) removed. */
export function frrFastKey(text: string): string {
  return text
    .split("\n")
    .filter((l) => !/^\s+network \S+( route-map \S+)?\s*$/.test(l) && !HEADER.test(l) && !/^\s*!/.test(l))
    .join("\n");
}

/** bgpd's answer to `no network P` for a P it does not originate */
const ALREADY_WITHDRAWN = /Can't find static route specified/;

/** vtysh prints "% ..." for a command it could not run; some lines are harmless noise */
export function vtyshErrors(output: string): string[] {
  return output
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => /^(line \d+: )?%/.test(l) && !/Can't open configuration file|vtysh\.conf/.test(l));
}

/** whether a unix socket takes a connection (within a second) */
function listening(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(path);
    const done = (ok: boolean) => {
      c.destroy();
      resolve(ok);
    };
    c.setTimeout(1000, () => done(false));
    c.once("connect", () => done(true));
    c.once("error", () => done(false));
  });
}

/** the size of an incremental change's vtysh command line beyond which the whole file is loaded instead */
export const INCREMENTAL_MAX_BYTES = 1_000_000;

/** how long bgpd is given to reset the sessions whose graceful-restart mode changed before the driver resets them */
export const GR_SETTLE_MS = 3000;

/** a model neighbour's session as bgpd reports it (what it is sent left to the caller: null); undefined when bgpd does not run it */
function sessionOf(n: { key: string; peer: string }, info: FrrNeighborInfo[]): ObservedPeer | undefined {
  const i = info.find((x) => x.key === n.key);
  if (!i) return undefined;
  const { key: _key, ...session } = i;
  return { ...session, name: n.peer, advertised: null };
}

const notRunning = (peer: string) => absentPeer(peer, "neighbor not in the running config");

export function createFrrDriver(cfg: DaemonConfig, deps: { exec: Exec; timeoutMs?: number; grSettleMs?: number }): Driver {
  const timeoutMs = deps.timeoutMs ?? FRR_COMMAND_TIMEOUT_MS;
  const grSettleMs = deps.grSettleMs ?? GR_SETTLE_MS;
  const vtysh = async (cmds: string[], what: string, ms = timeoutMs) => {
    const r = await deps.exec(cfg.vtysh, ["--vty_socket", cfg.socket, ...cmds.flatMap((c) => ["-c", c])], { timeoutMs: ms });
    if (r.notFound) throw new SvcrouteError("E_DAEMON_MISSING", `${cfg.vtysh} is not installed`, { hint: "apt-get install frr" });
    if (r.timedOut) throw new SvcrouteError("E_TIMEOUT", `vtysh (${what}) did not finish within ${ms} ms`, { hint: "bgpd may be stopped (SIGSTOP) or overloaded" });
    r.stderr = withoutPamComplaint(r.stderr);
    const all = `${r.stdout}\n${r.stderr}`;
    if (r.code !== 0 && /(failed to connect|Exiting: failed|No such file or directory|Connection refused)/i.test(all)) {
      throw new SvcrouteError("E_DAEMON_UNAVAILABLE", `FRR is not reachable through ${cfg.socket}: ${all.trim().split("\n")[0]}`, {
        hint: "is bgpd running? svcroute needs to be root or in the frrvty group",
      });
    }
    // With bgpd gone but zebra still up, vtysh fails its BGP commands with a bare exit 1
    if (r.code !== 0 && !(await listening(join(cfg.socket, "bgpd.vty")))) {
      throw new SvcrouteError("E_DAEMON_UNAVAILABLE", `bgpd is not running (${join(cfg.socket, "bgpd.vty")} takes no connection)`, { hint: "is bgpd running?" });
    }
    return r;
  };
  // bgpd's commands go over one vty session kept open; vtysh is the fallback when it cannot be
  // had (bgpd away, a socket this process may not open), and vtysh's errors then say why
  const vty = new FrrVty(join(cfg.socket, "bgpd.vty"), timeoutMs);
  const bgpd = async (cmds: string[], what: string, goOn?: (output: string) => boolean) => {
    try {
      const r = await vty.run(cmds, goOn);
      return { stdout: r.output, outputs: r.outputs, stderr: "", code: r.code === 0 ? 0 : 1, via: "socket" as const };
    } catch (e) {
      if (!isSvcrouteError(e) || e.code !== "E_DAEMON_UNAVAILABLE") throw e;
      return { ...(await vtysh(cmds, what)), outputs: undefined, via: "program" as const };
    }
  };

  const instance = async () => {
    try {
      return (await fsp.readFile(join(cfg.socket, "bgpd.pid"), "utf8")).trim();
    } catch {
      throw new SvcrouteError("E_DAEMON_UNAVAILABLE", `bgpd is not running (no ${join(cfg.socket, "bgpd.pid")})`);
    }
  };
  /**
   * `show bgp neighbors json`, parsed. A bgpd busy with a reload sometimes answers vtysh with
   * nothing at all: asked again (3 times, 200 ms apart) before that counts as the daemon away.
   */
  const neighborsJson = async (): Promise<unknown> => {
    for (let attempt = 1; ; attempt++) {
      const out = (await bgpd(["show bgp neighbors json"], "sessions")).stdout;
      try {
        return JSON.parse(out) as unknown;
      } catch {
        if (attempt >= 3) throw new SvcrouteError("E_DAEMON_UNAVAILABLE", `bgpd answered \`show bgp neighbors json\` with no JSON 3 times (${JSON.stringify(out.slice(0, 80))})`, { hint: "bgpd may be overloaded" });
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  };
  /** show commands in one session: one JSON document per command (undefined for one that printed none), and bgpd's pid */
  const ask = async (cmds: string[], what: string) => {
    const r = await bgpd(cmds, what);
    // one document per command from the socket: nothing to scan for where each ends
    const docs = r.outputs ? r.outputs.map(jsonOrUndefined) : splitJsonDocuments(r.stdout);
    const instance = await fsp.readFile(join(cfg.socket, "bgpd.pid"), "utf8").then(
      (t) => t.trim(),
      () => null,
    );
    return { docs, instance, via: r.via };
  };
  const capabilities = cachedCapabilities({
    instance,
    running: async () => parseFrrVersion((await bgpd(["show version"], "version")).stdout),
    binary: () => binaryVersion(cfg, deps.exec),
  });

  /**
   * The change from `from` to the file as vty commands (frr-incremental.ts), when it is one of
   * policy objects and networks and bgpd is known to be the instance that was given `from` (an
   * unknown instance may have restarted from another file). undefined: not such a change; ok
   * false: a command was refused, and frr-reload.py then makes the running config equal the file
   * whatever part of the change took. Sent through one vtysh process, not bgpd's vty socket: zebra
   * keeps its own copy of every route-map and prefix-list, and vtysh gives each daemon its part.
   */
  const incrementally = async (from: AppliedConfig): Promise<{ ok: boolean; output: string } | undefined> => {
    if (from.instance === null || from.instance !== (await instance().catch(() => null))) return undefined;
    const cmds = incrementalCommands(from.text, await fsp.readFile(cfg.configFile, "utf8"));
    // past INCREMENTAL_MAX_BYTES the command line nears the kernel's limit on arguments
    if (cmds === null || cmds.reduce((n, c) => n + c.length + 16, 0) > INCREMENTAL_MAX_BYTES) return undefined;
    if (cmds.length === 0) return { ok: true, output: "incremental: nothing to change" };
    let r: Awaited<ReturnType<typeof vtysh>>;
    try {
      // vtysh runs some thousands of commands a second: the usual limit, and a millisecond for each
      r = await vtysh(cmds, "incremental apply", timeoutMs + cmds.length);
    } catch (e) {
      // a timeout may have left part of the change: the whole file makes the running config right
      if (isSvcrouteError(e) && e.code === "E_TIMEOUT") return { ok: false, output: `incremental: ${e.message}; the whole file follows` };
      throw e;
    }
    const errs = vtyshErrors(`${r.stdout}\n${r.stderr}`);
    if (errs.length === 0 && r.code === 0) return { ok: true, output: `incremental: ${cmds.length - 2} command(s) in one vtysh call` };
    return { ok: false, output: maskSecrets(`incremental: refused ${errs.join("; ") || `exit ${r.code}`}; the whole file follows`) };
  };

  /** frr-reload.py on a file: --confdir beside it, --rundir (its scratch file) out of FRR's run directory */
  const frrReload = async (mode: "--reload" | "--test", file: string, timeoutMs = 60_000) => {
    const r = await deps.exec(cfg.frrReload, [mode, "--stdout", "--confdir", dirname(file), "--vty_socket", cfg.socket, "--rundir", tmpdir(), file], { timeoutMs });
    if (r.notFound) throw new SvcrouteError("E_DAEMON_MISSING", `${cfg.frrReload} is not installed`, { hint: "apt-get install frr-pythontools" });
    return { ...r, output: withoutPamComplaint(`${r.stdout}\n${r.stderr}`) };
  };

  /** `frr-reload.py --test`: what it would change in the running config to make it equal the file */
  const diffAgainst = async (file: string, timeoutMs?: number): Promise<ConfigDiff> => {
    const r = await frrReload("--test", file, timeoutMs);
    if (!/Lines To (Delete|Add)/.test(r.output)) {
      throw new SvcrouteError("E_DAEMON_UNAVAILABLE", (r.stderr || r.stdout).trim().split("\n").pop() || `frr-reload.py --test: exit ${r.code ?? "killed"}`);
    }
    const d = parseReloadDiff(r.output);
    return diffIsEmpty(d) ? { toDelete: [], toAdd: [] } : d;
  };

  return {
    type: "frr",
    async validate(text) {
      await assertDaemonAccepts("frr", text, cfg.configFile, { exec: deps.exec, binaries: { vtysh: cfg.vtysh, bgpd: cfg.bgpd } });
    },
    async reload(from?: AppliedConfig) {
      const t0 = performance.now();
      const inc = from ? await incrementally(from) : undefined;
      if (inc?.ok) return { output: inc.output, sessionsRestarted: false, durationMs: performance.now() - t0, how: "incremental" as const };
      // the sessions before the apply: which of them a graceful-restart change must reset (frr-reset.ts)
      const grSessions = async () => parseGrSessions(await neighborsJson());
      const before = await grSessions().catch(() => []);
      const r = await frrReload("--reload", cfg.configFile);
      const out = r.output.trim();
      if (/failed to connect to any daemons|Connection refused|No such file or directory.*vty/i.test(out)) {
        throw new SvcrouteError("E_DAEMON_UNAVAILABLE", `FRR is not reachable through ${cfg.socket}`, { details: maskSecrets(out.split("\n").slice(-5).join("\n")), hint: "is bgpd running?" });
      }
      if (r.code !== 0) {
        // frr-reload counts a command's warning as a failure (e.g. "Graceful restart configuration
        // changed, reset all peers to take effect") although the line was applied: what matters is
        // whether the running config now equals the file.
        const diff = parseReloadDiff((await frrReload("--test", cfg.configFile)).output);
        if (!diffIsEmpty(diff)) {
          const detail = [...diff.toDelete.map((l) => `- ${l}`), ...diff.toAdd.map((l) => `+ ${l}`)].slice(0, 20).join("\n");
          // the lines quoted back may hold a password: evidence never shows it
          throw new SvcrouteError("E_APPLY", `frr-reload.py could not apply ${cfg.configFile} (exit ${r.code ?? "killed"}); still different:`, {
            details: maskSecrets(`${detail}\n--- frr-reload said:\n${out.split("\n").filter((l) => /line \d+:|WARNING|ERROR|%/.test(l)).slice(-10).join("\n")}`),
          });
        }
      }
      // a graceful-restart change takes effect in a new session: only the sessions up before the
      // apply whose mode changed are reset, never one that came up under the new config
      let reset = sessionsToReset(before, await grSessions());
      // FRR 10 resets such a session itself (Cease "Other Configuration Change"), possibly after
      // frr-reload has returned: bgpd gets grSettleMs, and only a session it left alone all that
      // time (FRR 8.4 leaves every one) is reset
      const step = grSettleMs / 4;
      for (let waited = 0; reset.length > 0 && waited < grSettleMs; waited += step) {
        await new Promise((r) => setTimeout(r, step));
        const still = sessionsToReset(before, await grSessions());
        reset = reset.filter((k) => still.includes(k));
      }
      if (reset.length) await bgpd(reset.map((k) => `clear bgp ${k}`), "reset for a graceful-restart change");
      const said = [...(inc ? [inc.output] : []), reset.length ? `${out}\nreset for a graceful-restart change: ${reset.join(", ")}` : out].join("\n");
      return { output: said, sessionsRestarted: reset.length > 0, durationMs: r.durationMs, how: "whole" as const };
    },
    async confirm() {},
    fastKey: frrFastKey,
    async toggle(model: RoutingModel, ops: ToggleOp[]) {
      const t0 = performance.now();
      const cmds = toggleCommands(model, ops);
      // withdrawing a network that is not there (a retry after a toggle that reached the daemon
      // but not the file) is done already: the session goes on to the next line
      const r = await bgpd(cmds, "toggle", (out) => ALREADY_WITHDRAWN.test(out));
      const errs = vtyshErrors(`${r.stdout}\n${r.stderr}`);
      // the verification after every toggle proves the rest
      const real = errs.filter((l) => !ALREADY_WITHDRAWN.test(l));
      if (real.length || (r.code !== 0 && errs.length === 0)) throw new SvcrouteError("E_APPLY", `vtysh refused the change: ${real.join("; ") || `exit ${r.code}`}`);
      return { durationMs: performance.now() - t0 };
    },
    async observe(model) {
      const t0 = performance.now();
      const neighbors = model.frr.bgp.neighbors;
      const afs = model.frr.bgp.addressFamilies;
      const cmds = ["show bgp neighbors json"];
      const advIndex: { key: string; family: 4 | 6 }[] = [];
      for (const af of afs) {
        for (const n of af.neighbors) {
          cmds.push(`show bgp ${af.name} neighbors ${n.key} advertised-routes json`);
          advIndex.push({ key: n.key, family: af.family });
        }
      }
      const { docs, instance, via } = await ask(cmds, "observe");
      const info = parseNeighbors(docs[0]);
      const peers: ObservedPeer[] = neighbors.map((n) => {
        const p = sessionOf(n, info);
        if (!p) return notRunning(n.peer);
        const adv: Record<"4" | "6", string[]> = { "4": [], "6": [] };
        advIndex.forEach((a, k) => {
          if (a.key === n.key && p.state === "Established") adv[String(a.family) as "4" | "6"].push(...parseAdvertised(docs[k + 1]));
        });
        return { ...p, advertised: { "4": adv["4"].sort(), "6": adv["6"].sort() } };
      });
      return { instance, peers, durationMs: performance.now() - t0, via } satisfies Observed;
    },
    async observePrefixes(model, prefixes) {
      const t0 = performance.now();
      const cmds = ["show bgp neighbors json", ...prefixes.map((p) => `show bgp ${frrNames.addressFamily(p.family)} ${p.prefix} json`)];
      const { docs, instance, via } = await ask(cmds, "observe prefixes");
      const info = parseNeighbors(docs[0]);
      const peerOf = new Map(model.frr.bgp.neighbors.map((n) => [n.key, n.peer]));
      const peers = model.frr.bgp.neighbors.map((n) => sessionOf(n, info) ?? notRunning(n.peer));
      const sentTo = new Map<string, Set<string>>();
      prefixes.forEach((p, k) => {
        const to = sentTo.get(p.prefix) ?? new Set<string>();
        for (const key of parseAdvertisedTo(docs[k + 1])) {
          const peer = peerOf.get(key);
          if (peer !== undefined) to.add(peer);
        }
        sentTo.set(p.prefix, to);
      });
      return { instance, peers, sentTo, durationMs: performance.now() - t0, via };
    },
    async sessions(model) {
      const info = parseNeighbors(await neighborsJson());
      return model.frr.bgp.neighbors.map((n) => ({ name: n.peer, state: info.find((x) => x.key === n.key)?.state ?? "Idle" }));
    },
    instance,
    capabilities,
    async resend(model, stale) {
      const orphans = orphanCommands(model, stale);
      const problems: string[] = [];
      if (orphans.length) {
        const r = await bgpd(orphans, "orphan withdrawal");
        const errs = vtyshErrors(`${r.stdout}\n${r.stderr}`);
        if (errs.length) problems.push(`refused taking ${orphans.filter((l) => l.startsWith("no network")).map((l) => l.slice(11)).join(", ")} out of its table: ${errs.join("; ")}`);
      }
      // the refresh is sent whatever became of the step above
      const cmds = refreshCommands(model, stale.map((x) => x.peer));
      if (cmds.length) {
        const r = await bgpd(cmds, "route refresh out");
        const errs = vtyshErrors(r.stdout);
        if (errs.length) problems.push(`refused the route refresh: ${errs.join("; ")}`);
      }
      if (problems.length) throw new SvcrouteError("E_APPLY", `bgpd ${problems.join("; and ")}`);
    },
    async withdrawAllNow() {
      const r = await vtysh(["show running-config"], "sweep");
      const cmds = sweepCommands(r.stdout);
      if (cmds.length) await vtysh(cmds, "sweep");
    },
    version: async () => (await capabilities()).version,
    // FRR does not say when it loaded its config, and has no protocols: diffAgainst() compares
    running: async () => ({ loadedAtMs: null, protocols: null }),
    diffAgainst,
    async bfdPeers() {
      return parseBfdPeers(JSON.parse((await vtysh(["show bfd peers json"], "bfd peers")).stdout) as unknown);
    },
    close() {
      vty.close();
    },
  };
}
