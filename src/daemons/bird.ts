// BIRD 2 driver. Full path: `configure "FILE" timeout N` (BIRD reverts by itself unless svcroute
// confirms after verifying), reading the reply text, because birdc's exit code says nothing.
// Fast path: `disable` / `enable` of a service's static protocol over the control socket.
import { promises as fsp } from "node:fs";
import { SvcrouteError } from "../errors.js";
import type { Exec } from "../effects/exec.js";
import { serviceNamed, type RoutingModel } from "../core/model.js";
import { birdNames } from "../core/names.js";
import type { DaemonConfig } from "../manifest/types.js";
import { BIRD_COMMAND_TIMEOUT_MS, BirdSocket } from "./bird-socket.js";
import { bootIdentity, normaliseBgpState, parseBfdSessions, parseInterfaces, parseProtocolsAll, parseRoutePrefixes, parseStatus, uptimeMs, type BootMemo } from "./bird-parse.js";
import { absentPeer, type Driver, type Observed, type ObservedPeer, type ToggleOp } from "./driver.js";
import { assertDaemonAccepts } from "./validate.js";
import { binaryVersion, cachedCapabilities } from "./version-probe.js";
import { parseBirdVersion } from "./versions.js";

/** seconds BIRD keeps a new config before undoing it on its own, unless confirmed (the least: see confirmTimeoutS) */
export const CONFIRM_TIMEOUT_S = 30;
/** how long `configure` may take to answer at the least (see confirmTimeoutS) */
export const RECONFIGURE_TIMEOUT_MS = 60_000;
/**
 * BIRD 2 commits a config in one turn of its event loop that grows with the square of its
 * protocols (a static protocol per service and family; measured on BIRD 2.0.12 here: 25,000 in
 * 1.9 s, 50,000 in 8.2 s, 100,000 in 35 s), answering nothing meanwhile, and its undo timer runs
 * from before that turn: a fixed timeout undoes a large config before it could be confirmed.
 */
const COMMIT_S_PER_PROTOCOL_SQUARED = 3.5e-9;

/** the confirm timeout for a commit that starts or stops this many protocols: the least, plus four times the estimated commit */
export function confirmTimeoutS(protocols: number): number {
  return CONFIRM_TIMEOUT_S + Math.ceil(4 * COMMIT_S_PER_PROTOCOL_SQUARED * protocols ** 2);
}

/** the protocols a BIRD config declares */
export function protocolsIn(text: string): number {
  return text.match(/^protocol /gm)?.length ?? 0;
}

/** how long a protocol may stay mid-reconfiguration (BIRD 3) before observing it fails */
export const RECONFIGURING_WAIT_MS = 3000;

/** how long to wait for BIRD to list its interfaces again after rescanning them */
const RESCAN_WAIT_MS = 2000;

/** the header names hashes of the manifest and health: it changes, the running state does not */
const HEADER = /^[#!] (svcroute-managed |svcroute-checksum |Written by svcroute |and health state sha256:)/;

/** The config with what toggle() switches (static `disabled` lines, state comments, the header) removed. */
function birdFastKey(text: string): string {
  return text
    .split("\n")
    .filter((l) => !/^\s*disabled (yes|no);\s*$/.test(l) && !HEADER.test(l) && !/^# service \S+: \S+$/.test(l))
    .join("\n");
}

export function createBirdDriver(cfg: DaemonConfig, deps: { exec: Exec; timeoutMs?: number }): Driver {
  const sock = new BirdSocket(cfg.socket, deps.timeoutMs ?? BIRD_COMMAND_TIMEOUT_MS);
  /** the protocols BIRD runs, as far as this driver knows (a commit stops them too); asked once */
  let configured: number | undefined;
  const t = () => performance.now();

  const run = async (cmd: string) => {
    const r = await sock.command(cmd);
    if (!r.ok) throw new SvcrouteError("E_APPLY", `BIRD refused \`${cmd}\`: ${r.text}`);
    return r;
  };

  /**
   * The BGP protocols only (`show protocols [all] "peer_*"`): with thousands of services, every
   * one a static protocol, the whole list is megabytes; none at all is "No protocols match".
   */
  const bgpProtocols = async (all: boolean) => {
    const r = await sock.command(`show protocols${all ? " all" : ""} "${birdNames.peerPattern}"`);
    if (r.code === 8003) return [];
    if (!r.ok) throw new SvcrouteError("E_APPLY", `BIRD refused \`show protocols\`: ${r.text}`);
    return parseProtocolsAll(r.text);
  };

  let boot: BootMemo | undefined;
  const identity = (st: ReturnType<typeof parseStatus>): string | null => {
    const r = bootIdentity(boot, st);
    boot = r.memo;
    return r.id;
  };
  const instance = async () => identity(parseStatus((await run("show status")).text));

  const capabilities = cachedCapabilities({
    instance,
    // `show status` begins with "BIRD 3.1.8"
    running: async () => parseBirdVersion((await run("show status")).text),
    binary: () => binaryVersion(cfg, deps.exec),
  });

  const interfaces = async () => parseInterfaces((await run("show interfaces")).text);

  /**
   * What a BGP protocol exports. BIRD 3 reconfigures asynchronously ("Reconfiguration in
   * progress"): until a protocol's new config is in force, BIRD answers that it "is not a
   * protocol" (captured on 3.1.8 right after such a configure), so it is asked again for a while.
   */
  const exported = async (proto: string): Promise<string[]> => {
    const deadline = t() + RECONFIGURING_WAIT_MS;
    for (;;) {
      const r = await sock.command(`show route export ${proto}`);
      if (r.ok) return parseRoutePrefixes(r.text);
      if (!/ is not a protocol/.test(r.text) || t() >= deadline) throw new SvcrouteError("E_APPLY", `BIRD refused \`show route export ${proto}\`: ${r.text}`);
      await new Promise((done) => setTimeout(done, 50));
    }
  };

  /**
   * BIRD 2 forgets every interface when a reconfiguration replaces its device protocol (e.g. the
   * distribution's unnamed `device1` becomes svcroute's `svcr_device`): the new protocol scans,
   * then the old one's shutdown flushes the list, and nothing rescans before `scan time` (60 s).
   * Meanwhile BGP sessions to directly connected peers stay Idle. When interfaces known before
   * the reload are missing after it, restart the device protocol (a fresh scan) and wait for them.
   * Returns a note for the reload output, or undefined when nothing was lost.
   */
  const rescanIfLost = async (before: string[]): Promise<string | undefined> => {
    if (before.length === 0) return undefined;
    const missing = async () => {
      const now = new Set(await interfaces());
      return before.filter((n) => !now.has(n));
    };
    const lost = await missing();
    if (lost.length === 0) return undefined;
    const devices = parseProtocolsAll((await run("show protocols")).text).filter((p) => p.proto === "Device");
    for (const d of devices) await run(`restart ${d.name}`);
    const deadline = t() + RESCAN_WAIT_MS;
    let still = await missing();
    while (still.length > 0 && t() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      still = await missing();
    }
    const note = `interfaces ${lost.join(", ")} were dropped by the reconfiguration; restarted ${devices.map((d) => d.name).join(", ") || "(no device protocol)"} to rescan them`;
    return still.length ? `${note}; still missing: ${still.join(", ")}` : note;
  };

  return {
    type: "bird",
    async validate(text) {
      await assertDaemonAccepts("bird", text, cfg.configFile, { exec: deps.exec, binaries: { bird: cfg.bird } });
    },
    async reload() {
      const t0 = t();
      const before = await interfaces().catch(() => [] as string[]);
      // the commit starts the new config's protocols and stops the old one's
      const protocols = protocolsIn(await fsp.readFile(cfg.configFile, "utf8").catch(() => ""));
      configured ??= await run("show protocols").then((r) => parseProtocolsAll(r.text).length, () => 0);
      // as large as either: an answer that does not come may mean BIRD is committing this one
      configured = Math.max(configured, protocols);
      const timeoutS = confirmTimeoutS(configured);
      // BIRD answers once the new config is parsed and committed
      const r = await sock.command(`configure "${cfg.configFile}" timeout ${timeoutS}`, Math.max(RECONFIGURE_TIMEOUT_MS, timeoutS * 1000));
      // "Reconfigured", "Reconfiguration in progress" (some protocol restarts), or an error such
      // as "/etc/bird/bird.conf:12:3 syntax error" with a success-looking code on some versions.
      if (!r.ok || !/Reconfigur(ed|ation in progress|ation already in progress)/.test(r.text)) {
        throw new SvcrouteError("E_APPLY", `BIRD did not take ${cfg.configFile}: ${r.text}`, { details: r.text });
      }
      configured = protocols;
      const rescanned = await rescanIfLost(before);
      // BIRD 2 says "in progress" only when a session restarts; BIRD 3 says it every time
      const sessionsRestarted = /in progress/.test(r.text) && !(await capabilities()).birdAsyncReconfigure;
      return { output: rescanned ? `${r.text}\n${rescanned}` : r.text, sessionsRestarted, durationMs: t() - t0 };
    },
    async confirm() {
      const r = await sock.command("configure confirm");
      if (!r.ok) throw new SvcrouteError("E_APPLY", `BIRD refused \`configure confirm\`: ${r.text}`);
    },
    fastKey: birdFastKey,
    async toggle(model: RoutingModel, ops: ToggleOp[]) {
      const t0 = t();
      const wanted = new Map<string, boolean>();
      for (const op of ops) {
        const svc = serviceNamed(model, op.service);
        const proto = svc?.birdProtocols.find((b) => b.family === op.family);
        if (!proto) throw new SvcrouteError("E_INTERNAL", `no static protocol for ${op.service} IPv${op.family}`);
        wanted.set(proto.name, op.to !== "withdrawn");
      }
      // withdrawals first: a moment with a prefix missing is safer than one with an extra
      const order = [...wanted.entries()].sort(([, a], [, b]) => Number(a) - Number(b));
      for (const [name, on] of order) await run(`${on ? "enable" : "disable"} ${name}`);
      return { durationMs: t() - t0 };
    },
    async observe(model) {
      const t0 = t();
      const status = parseStatus((await run("show status")).text);
      const protos = await bgpProtocols(true);
      const peers: ObservedPeer[] = [];
      for (const p of model.bird?.peers ?? []) {
        const info = protos.find((x) => x.name === p.protocol);
        if (!info) {
          peers.push(absentPeer(p.peer, "protocol not in the running config"));
          continue;
        }
        const state = normaliseBgpState(info);
        const adv = state === "Established" ? await exported(p.protocol) : [];
        const sum = (k: "imported" | "exported") => info.channels.reduce((n, c) => n + (c[k] ?? 0), 0);
        peers.push({
          name: p.peer,
          state,
          uptimeMs: state === "Established" ? uptimeMs(info.since, status.serverTime) : null,
          establishedTotal: null,
          droppedTotal: null,
          sent: sum("exported"),
          received: sum("imported"),
          lastError: info.lastError,
          advertised: { "4": adv.filter((x) => !x.includes(":")).sort(), "6": adv.filter((x) => x.includes(":")).sort() },
        });
      }
      return { instance: identity(status), peers, durationMs: t() - t0, via: "socket" } satisfies Observed;
    },
    async sessions(model) {
      const protos = await bgpProtocols(false);
      return (model.bird?.peers ?? []).map((p) => {
        const info = protos.find((x) => x.name === p.protocol);
        return { name: p.peer, state: info ? normaliseBgpState(info) : "Idle" };
      });
    },
    instance,
    capabilities,
    async resend(model, stale) {
      for (const p of model.bird?.peers ?? []) if (stale.some((x) => x.peer === p.peer)) await run(`reload out ${p.protocol}`);
    },
    async withdrawAllNow() {
      // patterns cover every service static protocol, including ones a stale model lacks
      for (const pattern of ['"svc4_*"', '"svc6_*"']) {
        const r = await sock.command(`disable ${pattern}`);
        if (!r.ok && !/No protocols match/i.test(r.text)) throw new SvcrouteError("E_APPLY", `BIRD refused \`disable ${pattern}\`: ${r.text}`);
      }
    },
    version: async () => (await capabilities()).version,
    async running() {
      const st = parseStatus((await run("show status")).text);
      const protocols = parseProtocolsAll((await run("show protocols")).text).map(({ name, proto, state }) => ({ name, proto, state }));
      return { loadedAtMs: st.lastReconfig ? Date.parse(st.lastReconfig.replace(" ", "T")) : null, protocols };
    },
    // BIRD cannot print the config it runs: doctor compares running() with the file instead
    diffAgainst: async () => null,
    async bfdPeers() {
      return parseBfdSessions((await sock.command("show bfd sessions")).text);
    },
    close: () => sock.close(),
  };
}
