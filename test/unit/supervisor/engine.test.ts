// The reconcile engine against a fake daemon: which path each change takes, what is written,
// rollback, drift repair, carry-over across restarts, drain. (The real daemons: test/lab/.)
import { describe, expect, it, vi } from "vitest";
import type { HealthBrief } from "../../../src/health/types.js";
import { buildFromSources, type LoadResult } from "../../../src/manifest/load.js";
import { parseManifestText } from "../../../src/manifest/parse.js";
import type { Manifest } from "../../../src/manifest/types.js";
import { NO_DRAIN, type DrainState } from "../../../src/supervisor/drain.js";
import { ADDRESS_LINGER_MS } from "../../../src/supervisor/address-manager.js";
import { Engine } from "../../../src/supervisor/engine.js";
import type { AnnouncedRecord } from "../../../src/supervisor/engine-types.js";
import { withdrawOnStop } from "../../../src/supervisor/supervisor.js";
import { memoryLogger } from "../../../src/supervisor/log.js";
import type { Trigger } from "../../../src/supervisor/loop.js";
import type { AddressOps } from "../../../src/supervisor/addresses.js";
import { missingAddresses, planAddresses } from "../../../src/supervisor/addresses.js";
import { FakeDaemon } from "../../helpers/fake-driver.js";
import { SvcrouteError } from "../../../src/errors.js";

const MANIFEST = `version: 1
daemon: {type: frr, config_file: /fake/frr.conf, socket: /fake/run}
router: {asn: 4200000101, router_id: 192.0.2.1}
peers:
  - {name: tor1, address: 169.254.0.1, remote_asn: 65000}
policy: {allowed_prefixes: [192.0.2.0/24]}
services:
  - {name: dns, prefixes: [192.0.2.53/32], checks: [{type: file, path: /x}]}
  - {name: web, prefixes: [192.0.2.80/32], checks: [{type: file, path: /y}], on_failure: deprefer}
`;

function load(text: string): LoadResult {
  const p = parseManifestText("/etc/svcroute/svcroute.yaml", text);
  if (!p.ok) return { problems: p.problems, warnings: [], files: [], stage: "parse" };
  return buildFromSources(p.source, []);
}

function setup(opts: { carry?: AnnouncedRecord; addresses?: AddressOps; onSleep?: () => void } = {}) {
  let manifestText = MANIFEST;
  const health = new Map<string, string>([
    ["dns", "UP"],
    ["web", "UP"],
  ]);
  let drain: DrainState = NO_DRAIN;
  let readDrainHook: (() => void) | undefined;
  let now = 1_000_000;
  let diskFull = false;
  const saved: AnnouncedRecord[] = [];
  // how many daemon calls had been made when each record was saved
  const savedAfterCalls: number[] = [];
  const scheduled: (number | undefined)[] = [];
  let current: Manifest | undefined;
  const daemon = new FakeDaemon(() => current!);
  const log = memoryLogger();
  const engine = new Engine(
    {
      log,
      now: () => now,
      sleep: async (ms) => {
        now += ms;
        opts.onSleep?.();
      },
      loadManifest: async () => {
        const r = load(manifestText);
        if (r.manifest) current = r.manifest;
        return r;
      },
      makeDriver: () => daemon.driver(),
      readSecrets: async () => new Map(),
      health: {
        update: () => undefined,
        setDrained: () => undefined,
        states: () => [...health].map(([name, state]) => ({ name, state, phase: state === "DISABLED" ? "UP" : state }) as HealthBrief),
        stateOf: (name) => {
          const state = health.get(name);
          return state === undefined ? undefined : ({ name, state, phase: state === "DISABLED" ? "UP" : state } as HealthBrief);
        },
      },
      readDrain: async () => {
        readDrainHook?.();
        return drain;
      },
      drainFileSince: async () => undefined,
      writeConfig: async (path, text) => {
        if (diskFull) throw new SvcrouteError("E_WRITE", `cannot write ${path}: ENOSPC no space left on device`);
        daemon.files.set(path, text);
      },
      readConfig: async (path) => daemon.files.get(path),
      saveAnnounced: async (_d, r) => {
        saved.push(r);
        savedAfterCalls.push(daemon.calls.length);
      },
      loadAnnounced: async () => opts.carry,
      ...(opts.addresses ? { addresses: opts.addresses } : {}),
      verifyTimeoutMs: 100,
      verifyPollMs: 20,
      scheduleDrainCheck: (at) => void scheduled.push(at),
    },
    "/etc/svcroute/svcroute.yaml",
  );
  const run = (...t: Trigger[]) => engine.reconcile(new Set(t));
  return {
    engine,
    daemon,
    health,
    log,
    saved,
    savedAfterCalls,
    scheduled,
    run,
    setManifest: (t: string) => (manifestText = t),
    setDrain: (d: DrainState) => (drain = d),
    onReadDrain: (f: () => void) => (readDrainHook = f),
    advance: (ms: number) => (now += ms),
    setDiskFull: (v: boolean) => (diskFull = v),
    file: () => daemon.files.get("/fake/frr.conf") ?? "",
  };
}

/** a stop that announces GRACEFUL_SHUTDOWN for stop_grace, then withdraws everything */
async function expectGracefulStop(t: ReturnType<typeof setup>) {
  vi.useFakeTimers();
  try {
    let done: boolean | undefined;
    void withdrawOnStop(t.engine, t.log).then((ok) => (done = ok));
    await vi.advanceTimersByTimeAsync(0);
    expect(t.file()).toMatch(/network 192\.0\.2\.53\/32 route-map SVCR-GSHUT-/);
    expect(done).toBeUndefined();
    await vi.advanceTimersByTimeAsync(t.engine.state.manifest!.supervisor.stopGraceMs);
    expect(done).toBe(true);
  } finally {
    vi.useRealTimers();
  }
  expect(t.daemon.running.size).toBe(0);
}

/**
 * Started with a good config, then a change the daemon takes but is slow to advertise, whose
 * verification a newer input cuts short after its first poll; `proveFully()` lets the next
 * reconcile wait its full time.
 */
async function cutShortApply() {
  let sleeps = 0;
  const t = setup({
    onSleep: () => {
      if (++sleeps === 1) t.engine.interrupt();
    },
  });
  await t.run("start");
  const good = t.file();
  // a policy change is structural (the full path), the prefix change gives the proof something to wait for
  t.setManifest(MANIFEST.replace("192.0.2.80/32", "192.0.2.81/32").replace("[192.0.2.0/24]", "[192.0.2.0/24, 198.51.100.0/24]"));
  t.daemon.pinned.add("192.0.2.99/32");
  t.daemon.calls = [];
  await t.run("manifest");
  return { t, good, proveFully: () => (sleeps = 1) };
}

describe("reconcile engine", () => {
  it("first run: full path — validate, write, reload, verify, confirm", async () => {
    const t = setup();
    expect(await t.run("start")).toEqual({ ok: true });
    expect(t.daemon.calls).toEqual(["validate", "reload", "observe", "confirm"]);
    expect([...t.daemon.running].sort()).toEqual(["192.0.2.53/32", "192.0.2.80/32"]);
    expect(t.file()).toMatch(/^!.*svcroute-managed/);
    expect(t.engine.state.counters).toMatchObject({ full_applies: 1, fast_applies: 0 });
    expect(t.saved.at(-1)!.services).toEqual({ dns: "normal", web: "normal" });
    expect(t.engine.state.lastReconcile).toMatchObject({ result: "ok", path: "full", triggers: ["start"] });
  });

  it("a health change takes the fast path: one toggle, the file rewritten, no reload", async () => {
    const t = setup();
    await t.run("start");
    t.daemon.calls = [];
    t.health.set("dns", "DOWN");
    t.engine.noteTransition("dns", "DOWN");
    expect(await t.run("health")).toEqual({ ok: true });
    expect(t.daemon.calls).toEqual(["toggle 192.0.2.53/32:withdrawn", "observePrefixes 192.0.2.53/32"]);
    expect(t.file()).not.toMatch(/network 192\.0\.2\.53\/32/);
    expect(t.daemon.running.has("192.0.2.53/32")).toBe(false);
    expect(t.engine.state.counters.fast_applies).toBe(1);
    // de-preference is a toggle too (FRR: network with a route-map)
    t.daemon.calls = [];
    t.health.set("web", "DOWN");
    t.engine.noteTransition("web", "DOWN");
    await t.run("health");
    expect(t.daemon.calls[0]).toBe("toggle 192.0.2.80/32:deprefer");
    expect(t.file()).toMatch(/network 192\.0\.2\.80\/32 route-map SVCR-DEPREFER-[0-9A-F]{10}/);
  });

  it("nothing changed: nothing touched", async () => {
    const t = setup();
    await t.run("start");
    t.daemon.calls = [];
    const before = t.file();
    await t.run("health");
    expect(t.daemon.calls).toEqual([]);
    expect(t.file()).toBe(before);
  });

  it("a new service with attributes no route-map has yet: full path", async () => {
    const t = setup();
    await t.run("start");
    t.setManifest(`${MANIFEST}  - {name: ntp, prefixes: [192.0.2.123/32], communities: ["65000:123"]}\n`);
    t.daemon.calls = [];
    await t.run("manifest");
    expect(t.daemon.calls).toEqual(["validate", "reload", "observe", "confirm"]);
    expect(t.daemon.running.has("192.0.2.123/32")).toBe(true);
  });

  it("a new service whose route-maps exist already (FRR: only network lines and comments change): written, then a toggle, no reload and no parser run", async () => {
    const t = setup();
    await t.run("start");
    const before = t.file();
    t.setManifest(`${MANIFEST}  - {name: ntp, prefixes: [192.0.2.123/32], on_failure: deprefer}\n`);
    t.daemon.calls = [];
    await t.run("manifest");
    expect(t.daemon.calls).toEqual(["toggle 192.0.2.123/32:normal", "observe"]);
    expect(t.engine.state.lastReconcile).toMatchObject({ result: "ok", path: "fast" });
    expect(t.daemon.running.has("192.0.2.123/32")).toBe(true);
    // the file says so too, comments naming the services included
    expect(t.file()).toMatch(/network 192\.0\.2\.123\/32/);
    expect(t.file()).not.toBe(before);
    expect(t.file().split("\n").filter((l) => l.startsWith("!") && l.includes("ntp")).length).toBeGreaterThan(0);
  });

  it("a service's attributes changed to a set another service's route-map carries already (FRR: only its network line changes): a toggle sends the new statement", async () => {
    const t = setup();
    // dns and web keep the route-maps of MED 100 and 200 for both states (in that order) when ntp moves between them
    const withNtp = (med: number) =>
      `${MANIFEST.replace("checks: [{type: file, path: /x}]}", "checks: [{type: file, path: /x}], on_failure: deprefer, med: 100}").replace("on_failure: deprefer}", "on_failure: deprefer, med: 200}")}  - {name: ntp, prefixes: [192.0.2.123/32], on_failure: deprefer, med: ${med}}\n`;
    t.setManifest(withNtp(100));
    await t.run("start");
    const mapOf = (prefix: string) => new RegExp(`network ${prefix.replace(/\./g, "\\.")} route-map (\\S+)`).exec(t.file())?.[1];
    expect(mapOf("192.0.2.123/32")).toBe(mapOf("192.0.2.53/32"));
    t.setManifest(withNtp(200));
    t.daemon.calls = [];
    await t.run("manifest");
    expect(t.daemon.calls).toEqual(["toggle 192.0.2.123/32:normal", "observe"]);
    expect(t.engine.state.lastReconcile).toMatchObject({ result: "ok", path: "fast" });
    expect(mapOf("192.0.2.123/32")).toBe(mapOf("192.0.2.80/32"));
  });

  it("a prefix taken out of the manifest (FRR: the guardrail is the allowed aggregates, so nothing else changes) is withdrawn by a toggle", async () => {
    const t = setup();
    t.setManifest(MANIFEST.replace("[192.0.2.53/32]", "[192.0.2.53/32, 192.0.2.54/32]"));
    await t.run("start");
    expect(t.daemon.running.has("192.0.2.54/32")).toBe(true);
    t.setManifest(MANIFEST);
    t.daemon.calls = [];
    await t.run("manifest");
    expect(t.daemon.calls).toEqual(["toggle 192.0.2.54/32:withdrawn", "observe"]);
    expect([...t.daemon.running].sort()).toEqual(["192.0.2.53/32", "192.0.2.80/32"]);
    expect(t.engine.state.verification?.ok).toBe(true);
  });

  it("a manifest change that renders the same config (a check's path): the write path — the file rewritten with the new manifest hash in its header, the daemon not touched", async () => {
    const t = setup();
    await t.run("start");
    const before = t.file();
    const hash = t.engine.state.manifest!.hash;
    t.setManifest(MANIFEST.replace("path: /x", "path: /z"));
    t.daemon.calls = [];
    expect(await t.run("manifest")).toEqual({ ok: true });
    expect(t.daemon.calls).toEqual([]);
    const changed = (a: string, b: string) => a.split("\n").filter((l, i) => l !== b.split("\n")[i]);
    expect(changed(t.file(), before).length).toBeGreaterThan(0);
    expect(changed(t.file(), before).every((l) => l.includes("svcroute-managed") || l.includes("sha256:"))).toBe(true);
    expect(t.file()).toContain(`manifest=${t.engine.state.manifest!.hash.slice(0, 12)}`);
    expect(t.engine.state.manifest!.hash).not.toBe(hash);
    expect(t.engine.state.counters).toMatchObject({ full_applies: 1, fast_applies: 0 });
  });

  it("a change that resets sessions (the router's ASN and ID, a peer's timers) is logged as such before the reload", async () => {
    const t = setup();
    await t.run("start");
    const warn = t.log.warn.bind(t.log);
    t.log.warn = (msg, f) => {
      if (f.code === "SESSION_RESET") t.daemon.calls.push(`SESSION_RESET ${msg}`);
      warn(msg, f);
    };
    t.setManifest(MANIFEST.replace("asn: 4200000101, router_id: 192.0.2.1", "asn: 4200000102, router_id: 192.0.2.2").replace("remote_asn: 65000}", "remote_asn: 65000, timers: {keepalive: 5s, hold: 15s}}"));
    t.daemon.calls = [];
    expect(await t.run("manifest")).toEqual({ ok: true });
    expect(t.daemon.calls).toEqual([
      "SESSION_RESET session-level change: router ASN 4200000101 → 4200000102: every session restarts",
      "SESSION_RESET session-level change: router ID 192.0.2.1 → 192.0.2.2: every session restarts",
      "SESSION_RESET session-level change: peer tor1: keepaliveMs, holdMs changed: its session restarts",
      "validate",
      "reload",
      "observe",
      "confirm",
    ]);
  });

  it("a toggle-able new service is not judged by the parser: the config differs from the judged, running one only in lines toggle() sends (a parser that would refuse it is never asked)", async () => {
    const t = setup();
    await t.run("start");
    t.daemon.rejectNext = true;
    t.setManifest(`${MANIFEST}  - {name: ntp, prefixes: [192.0.2.123/32], on_failure: deprefer}\n`);
    t.daemon.calls = [];
    expect(await t.run("manifest")).toEqual({ ok: true });
    expect(t.daemon.calls).toEqual(["toggle 192.0.2.123/32:normal", "observe"]);
    expect(t.engine.state.lastReconcile).toMatchObject({ result: "ok", path: "fast" });
    expect(t.file()).toMatch(/network 192\.0\.2\.123\/32/);
  });

  it("a toggle-able new service the daemon refuses: the file goes back to the running config, the last good manifest serves health, no retry loop; SIGHUP tries again", async () => {
    const t = setup();
    await t.run("start");
    const good = t.file();
    t.daemon.refuseToggle = (ops) => ops.some((o) => o.prefix === "192.0.2.123/32");
    t.setManifest(`${MANIFEST}  - {name: ntp, prefixes: [192.0.2.123/32], on_failure: deprefer}\n`);
    expect(await t.run("manifest")).toEqual({ ok: true });
    expect(t.file()).toBe(good);
    expect(t.engine.state.lastReconcile).toMatchObject({ result: "failed", path: "fast", code: "E_APPLY" });
    expect(t.engine.state.lastReconcile?.message).toMatch(/last good manifest \w{12} stays in force/);
    t.health.set("dns", "DOWN");
    t.engine.noteTransition("dns", "DOWN");
    t.daemon.calls = [];
    await t.run("health");
    // the new manifest with today's health is another config: tried once, refused, and the last
    // good manifest's withdrawal follows
    expect(t.daemon.calls).toEqual(["toggle 192.0.2.53/32:withdrawn,192.0.2.123/32:normal", "toggle 192.0.2.53/32:withdrawn", "observe"]);
    t.daemon.calls = [];
    await t.run("reverify");
    expect(t.daemon.calls.filter((c) => c.startsWith("toggle"))).toEqual([]);
    expect(t.daemon.running.has("192.0.2.53/32")).toBe(false);
    expect(t.file()).not.toMatch(/192\.0\.2\.123/);
    t.daemon.refuseToggle = undefined;
    await t.run("signal");
    expect(t.engine.state.lastReconcile).toMatchObject({ result: "ok" });
    expect(t.daemon.running.has("192.0.2.123/32")).toBe(true);
  });

  it("a toggle-able new service whose file cannot be written (disk full) is not toggled: the daemon never runs what the file does not say", async () => {
    const t = setup();
    await t.run("start");
    const good = t.file();
    t.setDiskFull(true);
    t.setManifest(`${MANIFEST}  - {name: ntp, prefixes: [192.0.2.123/32], on_failure: deprefer}\n`);
    t.daemon.calls = [];
    expect(await t.run("manifest")).toEqual({ ok: false });
    expect(t.engine.state.lastReconcile).toMatchObject({ result: "failed", code: "E_WRITE" });
    expect(t.daemon.calls).not.toContain("toggle 192.0.2.123/32:normal");
    expect(t.daemon.running.has("192.0.2.123/32")).toBe(false);
    expect(t.file()).toBe(good);
    t.setDiskFull(false);
    expect(await t.run("retry")).toEqual({ ok: true });
    expect([...t.daemon.running].sort()).toEqual(["192.0.2.123/32", "192.0.2.53/32", "192.0.2.80/32"]);
  });

  it("an invalid manifest keeps the last good state, and recovery is automatic", async () => {
    const t = setup();
    await t.run("start");
    const good = t.file();
    t.setManifest(MANIFEST.replace("asn: 4200000101", "asn: 23456"));
    t.daemon.calls = [];
    expect(await t.run("manifest")).toEqual({ ok: true });
    expect(t.engine.state.manifestValid).toBe(false);
    expect(t.engine.state.manifestErrors[0]).toMatchObject({ path: "router.asn", line: 3 });
    expect(t.daemon.calls).toEqual([]);
    expect(t.file()).toBe(good);
    expect(t.log.lines.some((l) => l.level === "error" && l.msg.includes("router.asn"))).toBe(true);
    t.setManifest(MANIFEST);
    await t.run("manifest");
    expect(t.engine.state.manifestValid).toBe(true);
  });

  it("no valid manifest at start: nothing applied, the failure says why", async () => {
    const t = setup();
    t.setManifest("version: 1\n");
    expect(await t.run("start")).toEqual({ ok: false });
    expect(t.engine.state.lastReconcile).toMatchObject({ code: "E_MANIFEST_INVALID" });
    expect(t.daemon.calls).toEqual([]);
  });

  it("a config the daemon's parser rejects never replaces the file and is not judged again until the manifest changes or SIGHUP", async () => {
    const t = setup();
    await t.run("start");
    const good = t.file();
    t.daemon.rejectNext = true;
    t.setManifest(`${MANIFEST}  - {name: ntp, prefixes: [192.0.2.123/32], communities: ["65000:123"]}\n`);
    // reported as failed, but no retry loop: nothing a retry could change
    expect(await t.run("manifest")).toEqual({ ok: true });
    expect(t.engine.state.lastReconcile).toMatchObject({ result: "failed", code: "E_DAEMON_REJECTED" });
    expect(t.engine.state.lastReconcile?.message).toMatch(/last good manifest \w{12} stays in force/);
    expect(t.file()).toBe(good);
    t.daemon.calls = [];
    await t.run("reverify");
    expect(t.daemon.calls).not.toContain("validate");
    expect(t.engine.state.lastReconcile).toMatchObject({ result: "failed", code: "E_DAEMON_REJECTED" });
    // SIGHUP: judged afresh (and accepted this time)
    t.daemon.rejectNext = false;
    t.daemon.calls = [];
    await t.run("signal");
    expect(t.daemon.calls.slice(0, 2)).toEqual(["validate", "reload"]);
    expect(t.engine.state.lastReconcile).toMatchObject({ result: "ok", path: "full" });
    expect(t.daemon.running.has("192.0.2.123/32")).toBe(true);
  });

  it("while the current manifest's config is refused, health changes still reach the daemon through the last good one", async () => {
    const t = setup();
    await t.run("start");
    t.daemon.rejectNext = true;
    t.setManifest(`${MANIFEST}  - {name: ntp, prefixes: [192.0.2.123/32], communities: ["65000:123"]}\n`);
    await t.run("manifest");
    t.daemon.calls = [];
    t.health.set("dns", "DOWN");
    t.engine.noteTransition("dns", "DOWN");
    expect(await t.run("health")).toEqual({ ok: true });
    // the new manifest's config (with dns withdrawn) is judged, refused, and the last good one toggles
    expect(t.daemon.calls).toEqual(["validate", "toggle 192.0.2.53/32:withdrawn", "observePrefixes 192.0.2.53/32"]);
    expect(t.daemon.running.has("192.0.2.53/32")).toBe(false);
    expect(t.daemon.running.has("192.0.2.123/32")).toBe(false);
    t.daemon.rejectNext = false;
    expect(t.file()).not.toMatch(/network 192\.0\.2\.53\/32/);
    expect(t.file()).not.toMatch(/192\.0\.2\.123/);
    expect(t.engine.state.lastReconcile).toMatchObject({ result: "failed", path: "full", code: "E_DAEMON_REJECTED" });
    expect(t.saved.at(-1)!.services).toEqual({ dns: "withdrawn", web: "normal" });
    // fixed manifest: applied in full, with today's health
    t.setManifest(`${MANIFEST}  - {name: ntp, prefixes: [192.0.2.124/32], communities: ["65000:123"]}\n`);
    expect(await t.run("manifest")).toEqual({ ok: true });
    expect(t.engine.state.lastReconcile).toMatchObject({ result: "ok", path: "full" });
    expect([...t.daemon.running].sort()).toEqual(["192.0.2.124/32", "192.0.2.80/32"]);
  });

  it("a manifest change that cannot be written (disk full) does not hold back health: the running daemon is toggled, the failure retried", async () => {
    const t = setup();
    await t.run("start");
    const good = t.file();
    t.setDiskFull(true);
    t.setManifest(`${MANIFEST}  - {name: ntp, prefixes: [192.0.2.123/32], communities: ["65000:123"]}\n`);
    expect(await t.run("manifest")).toEqual({ ok: false });
    expect(t.engine.state.lastReconcile).toMatchObject({ result: "failed", code: "E_WRITE" });
    t.health.set("dns", "DOWN");
    t.engine.noteTransition("dns", "DOWN");
    t.daemon.calls = [];
    expect(await t.run("health", "retry")).toEqual({ ok: false });
    expect(t.daemon.calls).toContain("toggle 192.0.2.53/32:withdrawn");
    expect([...t.daemon.running]).toEqual(["192.0.2.80/32"]);
    expect(t.file()).toBe(good);
    // space again: the retry applies the new manifest with today's health
    t.setDiskFull(false);
    expect(await t.run("retry")).toEqual({ ok: true });
    expect([...t.daemon.running].sort()).toEqual(["192.0.2.123/32", "192.0.2.80/32"]);
  });

  it("a reload is told what the daemon was given (a driver may send only the change), but not a first apply, a rollback or a forced one", async () => {
    const t = setup();
    await t.run("start");
    const first = t.file();
    t.setManifest(`${MANIFEST}  - {name: ntp, prefixes: [192.0.2.123/32], communities: ["65000:123"]}\n`);
    expect(await t.run("manifest")).toEqual({ ok: true });
    expect(t.daemon.reloadsFrom).toEqual([undefined, { text: first, instance: "pid-1" }]);
    // drift repaired: the whole file, whatever the daemon was given
    t.daemon.extra.add("192.0.2.99/32");
    await t.run("reverify");
    expect(t.daemon.reloadsFrom.slice(2)).toEqual([undefined]);
    t.daemon.extra.clear();
    // a failing one: rolled back by loading the whole file
    const second = t.file();
    t.daemon.failReloads = 1;
    t.setManifest(`${MANIFEST}  - {name: ntp, prefixes: [192.0.2.123/32], communities: ["65000:124"]}\n`);
    expect(await t.run("manifest")).toEqual({ ok: true });
    expect(t.daemon.reloadsFrom.slice(3)).toEqual([{ text: second, instance: "pid-1" }, undefined]);
  });

  it("a change sent alone that verify does not find at the daemon: the whole file is loaded before the config is judged wrong", async () => {
    const t = setup();
    await t.run("start");
    const first = t.file();
    t.daemon.incrementalGoesWrong = true;
    t.setManifest(`${MANIFEST}  - {name: ntp, prefixes: [192.0.2.123/32], communities: ["65000:123"]}\n`);
    expect(await t.run("manifest")).toEqual({ ok: true });
    expect(t.daemon.reloadsFrom).toEqual([undefined, { text: first, instance: "pid-1" }, undefined]);
    expect(t.daemon.running.has("192.0.2.123/32")).toBe(true);
    expect(t.engine.state.counters.rollbacks).toBe(0);
    expect(t.engine.state.applied?.text).toBe(t.file());
    expect(t.log.lines.some((l) => l.level === "warn" && l.msg.includes("loading the whole file"))).toBe(true);
  });

  it("a failed reload rolls back to the last good config; a different config (health changed) is tried afresh", async () => {
    const t = setup();
    await t.run("start");
    const good = t.file();
    t.daemon.failReloads = 1;
    t.setManifest(`${MANIFEST}  - {name: ntp, prefixes: [192.0.2.123/32], communities: ["65000:123"]}\n`);
    expect(await t.run("manifest")).toEqual({ ok: true });
    expect(t.engine.state.lastReconcile).toMatchObject({ result: "failed", code: "E_APPLY" });
    expect(t.file()).toBe(good);
    expect(t.engine.state.counters.rollbacks).toBe(1);
    expect([...t.daemon.running].sort()).toEqual(["192.0.2.53/32", "192.0.2.80/32"]);
    expect(t.engine.state.applied?.text).toBe(good);
    t.health.set("dns", "DOWN");
    t.engine.noteTransition("dns", "DOWN");
    t.daemon.calls = [];
    expect(await t.run("health")).toEqual({ ok: true });
    expect(t.daemon.calls.slice(0, 2)).toEqual(["validate", "reload"]);
    expect([...t.daemon.running].sort()).toEqual(["192.0.2.123/32", "192.0.2.80/32"]);
  });

  it("drift: an extra advertised prefix, a hand-edited file or a restarted daemon force a full apply", async () => {
    const t = setup();
    await t.run("start");
    t.daemon.extra.add("192.0.2.99/32");
    t.daemon.calls = [];
    expect(t.engine.state.lastDrift).toBeUndefined();
    await t.run("reverify");
    expect(t.engine.state.counters.config_drift_total).toBe(1);
    expect(t.engine.state.lastDrift).toMatchObject({ count: 1, what: expect.stringMatching(/^running state differs from the desired one \(.*192\.0\.2\.99\/32/) });
    expect(t.daemon.calls).toContain("reload");
    t.daemon.extra.clear();
    await t.run("reverify");
    t.daemon.files.set("/fake/frr.conf", `${t.file()}\n! edited by hand\n`);
    await t.run("reverify");
    expect(t.engine.state.counters.config_drift_total).toBe(2);
    expect(t.file()).not.toContain("edited by hand");
    t.daemon.instance = "pid-2";
    t.daemon.calls = [];
    await t.run("reverify");
    expect(t.daemon.calls).toContain("reload");
    expect(t.log.lines.some((l) => l.msg.includes("daemon restarted"))).toBe(true);
    // counted, but a restart is not someone else's change: the last drift is still the edit
    expect(t.engine.state.counters.config_drift_total).toBe(3);
    expect(t.engine.state.lastDrift).toMatchObject({ count: 2, what: expect.stringMatching(/frr\.conf was changed by someone else$/) });
  });

  it("a repair whose verification fails, with no other config to go back to, is tried again (not refused): the daemon, not the config, was wrong", async () => {
    const t = setup();
    await t.run("start");
    // the daemon advertises a prefix whatever it is given (a boot-time config push still landing)
    t.daemon.pinned.add("192.0.2.99/32");
    await t.run("reverify");
    expect(t.engine.state.lastReconcile).toMatchObject({ result: "failed", code: "E_VERIFY" });
    expect(t.engine.state.rejected).toBeUndefined();
    t.daemon.pinned.clear();
    t.daemon.calls = [];
    expect(await t.run("retry")).toEqual({ ok: true });
    expect(t.daemon.calls).toContain("reload");
    expect(t.engine.state.lastReconcile).toMatchObject({ result: "ok", path: "full" });
  });

  describe("a health change's withdrawals go out before the next config is built", () => {
    /** the daemon calls made by the time the engine builds the next config */
    const callsAtBuild = (t: ReturnType<typeof setup>) => {
      const at: string[][] = [];
      t.daemon.onCapabilities = () => at.push([...t.daemon.calls]);
      return at;
    };
    /** dns goes DOWN (the monitor's transition) and a health reconcile runs */
    const dnsGoesDown = async (t: ReturnType<typeof setup>) => {
      t.health.set("dns", "DOWN");
      t.engine.noteTransition("dns", "DOWN");
      expect(await t.run("health")).toEqual({ ok: true });
    };
    const toggles = (t: ReturnType<typeof setup>) => t.daemon.calls.filter((c) => c.startsWith("toggle"));

    it("a withdrawal is sent before the build and not sent again by the apply; the file and the proof follow", async () => {
      const t = setup();
      await t.run("start");
      t.daemon.calls = [];
      const at = callsAtBuild(t);
      await dnsGoesDown(t);
      expect(at[0]).toEqual(["toggle 192.0.2.53/32:withdrawn"]);
      expect(toggles(t)).toEqual(["toggle 192.0.2.53/32:withdrawn"]);
      expect(t.daemon.calls).toContain("observePrefixes 192.0.2.53/32");
      expect(t.file()).not.toContain("network 192.0.2.53/32");
      expect(t.log.lines.filter((l) => l.msg === "withdraw").map((l) => l.fields.prefix)).toEqual(["192.0.2.53/32"]);
      expect(t.engine.state.lastReconcile).toMatchObject({ result: "ok", path: "fast" });
    });

    it("a service gone DOWN is withdrawn before the health of every service is read (work in proportion to the transitions), and once", async () => {
      const t = setup();
      await t.run("start");
      t.daemon.calls = [];
      const atRead: string[][] = [];
      t.onReadDrain(() => atRead.push([...t.daemon.calls]));
      await dnsGoesDown(t);
      expect(atRead[0]).toEqual(["toggle 192.0.2.53/32:withdrawn"]);
      expect(toggles(t)).toEqual(["toggle 192.0.2.53/32:withdrawn"]);
      expect(t.log.lines.filter((l) => l.msg === "withdraw").map((l) => l.fields.prefix)).toEqual(["192.0.2.53/32"]);
      expect(t.engine.state.lastReconcile).toMatchObject({ result: "ok", path: "fast" });
      // UP again before the reconcile: the transition alone withdraws nothing
      t.health.set("dns", "UP");
      t.engine.noteTransition("dns", "UP");
      await t.run("health");
      t.health.set("dns", "DOWN");
      t.engine.noteTransition("dns", "DOWN");
      t.health.set("dns", "UP");
      t.daemon.calls = [];
      atRead.length = 0;
      expect(await t.run("health")).toEqual({ ok: true });
      expect(atRead[0]).toEqual([]);
      expect(toggles(t)).toEqual([]);
    });

    it("a service back UP between its early withdrawal and the reading of every service's health is announced again by the same reconcile", async () => {
      const t = setup();
      await t.run("start");
      t.daemon.calls = [];
      t.onReadDrain(() => t.health.set("dns", "UP"));
      await dnsGoesDown(t);
      expect(toggles(t)).toEqual(["toggle 192.0.2.53/32:withdrawn", "toggle 192.0.2.53/32:normal"]);
      expect(t.daemon.running.has("192.0.2.53/32")).toBe(true);
      expect(t.engine.state.lastReconcile).toMatchObject({ result: "ok", path: "fast" });
      expect(t.daemon.calls.filter((c) => c === "reload")).toEqual([]);
      expect(t.engine.state.unproven).toBeUndefined();
      expect(t.file()).toContain("network 192.0.2.53/32");
    });

    it("after an apply whose proof was cut short (the supervisor interrupts a verification for a DOWN), the withdrawal still goes first; the apply proves all of it", async () => {
      const { t, proveFully } = await cutShortApply();
      expect(t.engine.state.unproven).toBeDefined();
      t.daemon.pinned.clear();
      proveFully();
      t.daemon.calls = [];
      const at = callsAtBuild(t);
      await dnsGoesDown(t);
      expect(at[0]).toEqual(["toggle 192.0.2.53/32:withdrawn"]);
      expect(toggles(t)).toEqual(["toggle 192.0.2.53/32:withdrawn"]);
      expect(t.engine.state.lastReconcile).toMatchObject({ result: "ok", path: "fast" });
      expect(t.engine.state.unproven).toBeUndefined();
    });

    it("an announcement, a deprefer and a manifest edit wait for the apply", async () => {
      const t = setup();
      await t.run("start");
      const at = callsAtBuild(t);
      // on_failure: deprefer — announced with other attributes, not withdrawn
      t.health.set("web", "DOWN");
      t.daemon.calls = [];
      expect(await t.run("health")).toEqual({ ok: true });
      expect(at.at(-1)).toEqual([]);
      t.health.set("web", "UP");
      t.health.set("dns", "DOWN");
      await t.run("health");
      t.health.set("dns", "UP");
      t.daemon.calls = [];
      expect(await t.run("health")).toEqual({ ok: true });
      expect(at.at(-1)).toEqual([]);
      expect(t.daemon.calls.filter((c) => c.startsWith("toggle"))).toEqual(["toggle 192.0.2.53/32:normal"]);
      // health and a manifest edit in one reconcile: the new manifest is judged first
      t.setManifest(MANIFEST.replace("remote_asn: 65000}", "remote_asn: 65000, description: x}"));
      t.health.set("dns", "DOWN");
      t.daemon.calls = [];
      await t.run("health", "manifest");
      expect(at.at(-1)).toEqual([]);
    });

    it.each([
      ["read from every service's health", false],
      ["read from the transition", true],
    ])("an early withdrawal (%s) the daemon refuses is not tried again before the apply, which sends it", async (_how, transition) => {
      const t = setup();
      await t.run("start");
      t.daemon.calls = [];
      t.daemon.failToggles = 1;
      const at = callsAtBuild(t);
      t.health.set("dns", "DOWN");
      if (transition) t.engine.noteTransition("dns", "DOWN");
      expect(await t.run("health")).toEqual({ ok: true });
      // the refused one only, before the build
      expect(at[0]).toEqual(["toggle 192.0.2.53/32:withdrawn"]);
      expect(t.daemon.calls.filter((c) => c.startsWith("toggle"))).toEqual(["toggle 192.0.2.53/32:withdrawn", "toggle 192.0.2.53/32:withdrawn"]);
      expect(t.engine.state.lastReconcile).toMatchObject({ result: "ok", path: "fast" });
      expect(t.file()).not.toContain("network 192.0.2.53/32");
      // logged once, when it was sent; the refusal as a warning
      expect(t.log.lines.filter((l) => l.msg === "withdraw").map((l) => l.fields.prefix)).toEqual(["192.0.2.53/32"]);
      expect(t.log.lines.some((l) => l.level === "warn" && l.msg.startsWith("early withdrawal failed (toggle refused)"))).toBe(true);
    });

    it("a daemon that does not answer is asked once, and the file says the withdrawal for when it is back", async () => {
      const t = setup();
      await t.run("start");
      t.daemon.calls = [];
      t.daemon.frozen = true;
      t.health.set("dns", "DOWN");
      expect(await t.run("health")).toEqual({ ok: false });
      console.log(t.daemon.calls);    expect(t.daemon.calls.filter((c) => c.startsWith("toggle"))).toEqual(["toggle 192.0.2.53/32:withdrawn"]);
      expect(t.file()).not.toContain("network 192.0.2.53/32");
      expect(t.engine.state.lastReconcile).toMatchObject({ result: "failed", code: "E_TIMEOUT" });
    });

    it("an early withdrawal that landed, in a reconcile that then failed, is verified by the next one, not trusted: a service healthy again is announced, and it is not drift", async () => {
      const t = setup();
      await t.run("start");
      // dns withdrawn early; web's deprefer, sent by the apply, is refused
      t.daemon.refuseToggle = (ops) => ops.some((o) => o.prefix === "192.0.2.80/32");
      t.health.set("dns", "DOWN");
      t.health.set("web", "DOWN");
      expect(await t.run("health")).toEqual({ ok: false });
      expect(t.daemon.running.has("192.0.2.53/32")).toBe(false);
      t.daemon.refuseToggle = undefined;
      t.health.set("dns", "UP");
      t.health.set("web", "UP");
      expect(await t.run("health")).toEqual({ ok: true });
      expect(t.daemon.running.has("192.0.2.53/32")).toBe(true);
      expect(t.engine.state.counters.config_drift_total).toBe(0);
      expect(t.engine.state.lastDrift).toBeUndefined();
    });
  });

  it("a withdrawn prefix the daemon keeps sending, through the toggle and a whole reload alike: the peers are sent everything again (no session reset), and it is gone", async () => {
    const t = setup();
    await t.run("start");
    t.daemon.calls = [];
    t.health.set("dns", "DOWN");
    t.engine.noteTransition("dns", "DOWN");
    // the toggle takes the network away, but the peers' outgoing routes keep it (FRR 8.4 after a restart)
    t.daemon.staleOut.add("192.0.2.53/32");
    expect(await t.run("health")).toEqual({ ok: true });
    expect(t.daemon.calls.filter((c) => c.startsWith("resend"))).toEqual(["resend tor1:192.0.2.53/32"]);
    expect(t.daemon.calls.indexOf("resend tor1:192.0.2.53/32")).toBeGreaterThan(t.daemon.calls.indexOf("toggle 192.0.2.53/32:withdrawn"));
    expect(t.engine.state.lastReconcile).toMatchObject({ result: "ok", path: "fast" });
    // a full apply meets it too
    t.daemon.staleOut.add("192.0.2.53/32");
    t.daemon.calls = [];
    expect(await t.run("reverify")).toEqual({ ok: true });
    expect(t.daemon.calls).toEqual(expect.arrayContaining(["reload", "resend tor1:192.0.2.53/32"]));
    expect(t.engine.state.lastReconcile).toMatchObject({ result: "ok", path: "full" });
  });

  it("drift whose repair fails is counted, but is not drift repaired", async () => {
    const t = setup();
    await t.run("start");
    t.daemon.extra.add("192.0.2.99/32");
    t.daemon.failReloads = 2; // the repair and its rollback
    await t.run("reverify");
    expect(t.engine.state.counters.config_drift_total).toBe(1);
    expect(t.engine.state.lastDrift).toBeUndefined();
    expect(t.engine.state.lastReconcile?.result).toBe("failed");
  });

  it("daemon down: the reconcile fails (for backoff), and the next one re-applies fully", async () => {
    const t = setup();
    await t.run("start");
    t.daemon.down = true;
    t.health.set("dns", "DOWN");
    t.engine.noteTransition("dns", "DOWN");
    expect(await t.run("health")).toEqual({ ok: false });
    expect(t.engine.state.daemonReachable).toBe(false);
    t.daemon.down = false;
    t.daemon.running = new Set(["192.0.2.53/32", "192.0.2.80/32"]);
    t.daemon.calls = [];
    expect(await t.run("retry")).toEqual({ ok: true });
    expect(t.daemon.running.has("192.0.2.53/32")).toBe(false);
    expect(t.engine.state.daemonReachable).toBe(true);
  });

  it("daemon down during a health change: the file on disk already says the new state, so a daemon restarted from it announces nothing stale", async () => {
    const t = setup();
    await t.run("start");
    expect(t.file()).toMatch(/network 192\.0\.2\.53\/32/);
    t.daemon.down = true;
    t.health.set("dns", "DOWN");
    t.engine.noteTransition("dns", "DOWN");
    expect(await t.run("health")).toEqual({ ok: false });
    expect(t.engine.state.lastReconcile).toMatchObject({ result: "failed", path: "fast", code: "E_DAEMON_UNAVAILABLE" });
    expect(t.file()).not.toMatch(/network 192\.0\.2\.53\/32/);
    expect(t.file()).toMatch(/network 192\.0\.2\.80\/32/);
    // the daemon comes back from that file (a restart): it announces only web; the supervisor re-applies in full
    t.daemon.down = false;
    t.daemon.instance = "pid-2";
    t.daemon.running = t.daemon.networksOf(t.file());
    expect([...t.daemon.running]).toEqual(["192.0.2.80/32"]);
    t.daemon.calls = [];
    expect(await t.run("daemon")).toEqual({ ok: true });
    // asked first whether it is back (it was last found away), then reloaded
    expect(t.daemon.calls).toEqual(["validate", "observe", "reload", "observe", "confirm"]);
    expect(t.engine.state.applied?.instance).toBe("pid-2");
  });

  it("daemon gone, noticed first by a re-verify: a health change after that still reaches the file on disk", async () => {
    const t = setup();
    await t.run("start");
    t.daemon.down = true;
    expect(await t.run("reverify")).toEqual({ ok: false });
    expect(t.engine.state.daemonReachable).toBe(false);
    t.health.set("dns", "DOWN");
    t.engine.noteTransition("dns", "DOWN");
    t.daemon.calls = [];
    expect(await t.run("health", "retry")).toEqual({ ok: false });
    // validated and written; the daemon, asked whether it is back, is not: no reload is tried
    expect(t.daemon.calls).toEqual(["validate", "observe"]);
    expect(t.file()).not.toMatch(/network 192\.0\.2\.53\/32/);
    expect(t.file()).toMatch(/network 192\.0\.2\.80\/32/);
    t.daemon.down = false;
    t.daemon.instance = "pid-2";
    t.daemon.running = t.daemon.networksOf(t.file());
    expect(await t.run("retry")).toEqual({ ok: true });
    expect([...t.daemon.running]).toEqual(["192.0.2.80/32"]);
  });

  it("a frozen daemon found by a re-verify: the file is written, no reload is tried (it would hang), the reconcile fails with the timeout; after SIGCONT the retry applies", async () => {
    const t = setup();
    await t.run("start");
    t.daemon.frozen = true;
    t.health.set("dns", "DOWN");
    t.engine.noteTransition("dns", "DOWN");
    t.daemon.calls = [];
    expect(await t.run("health", "reverify")).toEqual({ ok: false });
    expect(t.daemon.calls).toEqual(["observe", "validate"]);
    expect(t.engine.state.lastReconcile).toMatchObject({ result: "failed", code: "E_TIMEOUT" });
    expect(t.engine.state.daemonReachable).toBe(false);
    expect(t.file()).not.toMatch(/network 192\.0\.2\.53\/32/);
    // still frozen at the retry: one question, no reload
    t.daemon.calls = [];
    expect(await t.run("retry")).toEqual({ ok: false });
    expect(t.daemon.calls).toEqual(["validate", "observe"]);
    t.daemon.frozen = false;
    t.daemon.calls = [];
    expect(await t.run("retry")).toEqual({ ok: true });
    expect(t.daemon.calls).toEqual(["validate", "observe", "reload", "observe", "confirm"]);
    expect(t.daemon.running.has("192.0.2.53/32")).toBe(false);
    expect(t.engine.state.daemonReachable).toBe(true);
  });

  it("a quick restart keeps what was announced until health decides", async () => {
    const t = setup({ carry: { manifestHash: "x", services: { dns: "normal", web: "withdrawn" } } });
    t.health.set("dns", "INIT");
    t.health.set("web", "INIT");
    await t.run("start");
    expect([...t.daemon.running]).toEqual(["192.0.2.53/32"]);
    t.health.set("dns", "RISING");
    await t.run("health");
    expect(t.daemon.running.has("192.0.2.53/32")).toBe(true);
    t.health.set("dns", "DOWN");
    t.engine.noteTransition("dns", "DOWN");
    await t.run("health");
    expect(t.daemon.running.has("192.0.2.53/32")).toBe(false);
  });

  it("a quick restart: a first check that settles while the reconcile awaits (reading the drain state) does not withdraw the carried-over route", async () => {
    const t = setup({ carry: { manifestHash: "x", services: { dns: "normal", web: "normal" } } });
    t.health.set("dns", "INIT");
    t.health.set("web", "INIT");
    // the checks settle UP during the reconcile's first await, as they do right after start-up
    t.onReadDrain(() => {
      for (const n of ["dns", "web"]) {
        t.health.set(n, "UP");
        t.engine.noteTransition(n, "UP");
      }
    });
    await t.run("start");
    expect([...t.daemon.running].sort()).toEqual(["192.0.2.53/32", "192.0.2.80/32"]);
    expect(t.saved.at(-1)!.services).toEqual({ dns: "normal", web: "normal" });
  });

  it("a service about to be announced is recorded before the daemon is told; a withdrawal is recorded after", async () => {
    const t = setup();
    t.health.set("dns", "DOWN");
    await t.run("start");
    const record = (i: number) => ({ services: t.saved[i]!.services, callsBefore: t.savedAfterCalls[i], calls: t.daemon.calls.slice(t.savedAfterCalls[i]) });
    // a supervisor killed right after its daemon announced dns finds dns in the record
    const n = t.saved.length;
    const calls = t.daemon.calls.length;
    t.health.set("dns", "UP");
    await t.run("health");
    expect(t.daemon.running.has("192.0.2.53/32")).toBe(true);
    expect(record(n)).toMatchObject({ services: { dns: "normal", web: "normal" }, callsBefore: calls });
    expect(t.daemon.calls.length).toBeGreaterThan(calls);
    // withdrawing waits for no write: the record follows the daemon
    const m = t.saved.length;
    const calls2 = t.daemon.calls.length;
    t.health.set("dns", "DOWN");
    await t.run("health");
    expect(t.daemon.running.has("192.0.2.53/32")).toBe(false);
    expect(t.saved.length).toBe(m + 1);
    expect(record(m).services).toEqual({ dns: "withdrawn", web: "normal" });
    expect(t.savedAfterCalls[m]).toBeGreaterThan(calls2);
  });

  it("with nothing to carry over, an undecided service stays withdrawn", async () => {
    const t = setup();
    t.health.set("dns", "INIT");
    await t.run("start");
    expect(t.daemon.running.has("192.0.2.53/32")).toBe(false);
  });

  it("drain: GRACEFUL_SHUTDOWN first, withdrawn after drain_wait, with a timer for the change", async () => {
    const t = setup();
    await t.run("start");
    t.setDrain({ all: null, services: { web: 1_000_000 } });
    await t.run("drain");
    expect(t.file()).toMatch(/network 192\.0\.2\.80\/32 route-map SVCR-GSHUT-[0-9A-F]{10}/);
    expect(t.scheduled.at(-1)).toBe(1_000_000 + 30_000);
    t.advance(30_000);
    await t.run("drain");
    expect(t.daemon.running.has("192.0.2.80/32")).toBe(false);
    expect(t.daemon.running.has("192.0.2.53/32")).toBe(true);
  });

  it("interrupted (a newer manifest or a stop waits), a verification gives up at once; the apply is neither refused nor rolled back, and the next reconcile proves it", async () => {
    const { t, good, proveFully } = await cutShortApply();
    // one poll, then the interruption: not the 100 ms (5 polls) of verifyTimeoutMs
    expect(t.daemon.calls.filter((c) => c === "observe")).toHaveLength(2);
    expect(t.daemon.calls).toContain("confirm");
    expect(t.engine.state.lastReconcile).toMatchObject({ result: "ok", path: "full" });
    expect(t.engine.state.counters.rollbacks).toBe(0);
    expect(t.engine.state.rejected).toBeUndefined();
    expect(t.engine.state.unproven).toBeDefined();
    const taken = t.file();
    expect(taken).not.toBe(good);
    // the next reconcile (what waited) proves it: the daemon has caught up, nothing is applied again
    t.daemon.pinned.clear();
    t.daemon.calls = [];
    proveFully();
    await t.run("manifest");
    expect(t.engine.state.lastReconcile).toMatchObject({ result: "ok", path: "none" });
    expect(t.daemon.calls.filter((c) => c === "reload")).toEqual([]);
    expect(t.engine.state.unproven).toBeUndefined();
    expect(t.file()).toBe(taken);
  });

  it("a DOWN stops a fast path's proof of the change before it from waiting (the next reconcile proves it), never a full apply's", async () => {
    let onSleep: (() => void) | undefined;
    const t = setup({ onSleep: () => onSleep?.() });
    await t.run("start");
    onSleep = () => t.engine.interruptToggleProof();
    // a toggle whose proof has something to wait for: the daemon keeps sending the prefix
    t.daemon.pinned.add("192.0.2.53/32");
    t.health.set("dns", "DOWN");
    t.daemon.calls = [];
    expect(await t.run("health")).toEqual({ ok: true });
    // one poll, then the interruption: not the 100 ms (5 polls) of verifyTimeoutMs
    expect(t.daemon.calls.filter((c) => c === "observePrefixes 192.0.2.53/32")).toHaveLength(2);
    expect(t.engine.state.unproven).toBeDefined();
    t.daemon.pinned.clear();
    onSleep = undefined;
    t.health.set("dns", "UP");
    expect(await t.run("health")).toEqual({ ok: true });
    expect(t.engine.state.unproven).toBeUndefined();
    // a full apply's proof is not cut short: it fails at its deadline and is rolled back
    onSleep = () => t.engine.interruptToggleProof();
    t.setManifest(MANIFEST.replace("192.0.2.80/32", "192.0.2.81/32").replace("[192.0.2.0/24]", "[192.0.2.0/24, 198.51.100.0/24]"));
    t.daemon.pinned.add("192.0.2.99/32");
    t.daemon.calls = [];
    await t.run("manifest");
    expect(t.daemon.calls.filter((c) => c === "observe").length).toBeGreaterThan(2);
    expect(t.engine.state.lastReconcile).toMatchObject({ result: "failed", code: "E_VERIFY" });
    expect(t.engine.state.counters.rollbacks).toBe(1);
  });

  describe("a toggle's proof reads only the prefixes it toggled, when what ran before was proven", () => {
    const turn = (t: ReturnType<typeof setup>, name: string, to: "UP" | "DOWN") => {
      t.health.set(name, to);
      t.engine.noteTransition(name, to);
      t.daemon.calls = [];
      return t.run("health");
    };
    const shown = (t: ReturnType<typeof setup>) => t.engine.state.observed!.peers.map((p) => [p.name, p.state, p.advertised]);

    it("a withdrawal and an announcement: the prefix alone is read, and status shows what a full read shows", async () => {
      const t = setup();
      t.setManifest(`${MANIFEST}  - {name: ntp, prefixes: [192.0.2.123/32]}\n`);
      await t.run("start");
      expect(await turn(t, "dns", "DOWN")).toEqual({ ok: true });
      expect(t.daemon.calls).toEqual(["toggle 192.0.2.53/32:withdrawn", "observePrefixes 192.0.2.53/32"]);
      expect(shown(t)).toEqual([["tor1", "Established", { "4": ["192.0.2.123/32", "192.0.2.80/32"], "6": [] }]]);
      expect(await turn(t, "dns", "UP")).toEqual({ ok: true });
      expect(t.daemon.calls).toEqual(["toggle 192.0.2.53/32:normal", "observePrefixes 192.0.2.53/32"]);
      expect(t.engine.state.verification).toMatchObject({ ok: true, mismatches: [] });
      const narrow = shown(t);
      await t.engine.observeNow();
      expect(t.daemon.calls.at(-1)).toBe("observe");
      expect(shown(t)).toEqual(narrow);
    });

    it("a driver without the narrow read (BIRD's): every route each peer is sent is read", async () => {
      const t = setup();
      t.daemon.narrow = false;
      await t.run("start");
      await turn(t, "dns", "DOWN");
      expect(t.daemon.calls).toEqual(["toggle 192.0.2.53/32:withdrawn", "observe"]);
    });

    it("a change as large as the table (here one prefix of the two a peer is sent, then one of one): the full read is no dearer, and is taken", async () => {
      const t = setup();
      await t.run("start");
      await turn(t, "dns", "DOWN");
      expect(t.daemon.calls.at(-1)).toBe("observePrefixes 192.0.2.53/32");
      await turn(t, "dns", "UP");
      expect(t.daemon.calls.at(-1)).toBe("observe");
    });

    it("a session that restarted since the last full read: what it is sent is read in full", async () => {
      const t = setup();
      await t.run("start");
      t.daemon.sessions++;
      expect(await turn(t, "dns", "DOWN")).toEqual({ ok: true });
      expect(t.daemon.calls).toEqual(["toggle 192.0.2.53/32:withdrawn", "observePrefixes 192.0.2.53/32", "observe"]);
      expect(t.engine.state.observed!.peers[0]!.establishedTotal).toBe(2);
    });

    it("a prefix still sent at the narrow read's deadline: one full read judges, the peers are sent everything again, and it is proven", async () => {
      const t = setup();
      await t.run("start");
      t.daemon.staleOut.add("192.0.2.53/32");
      expect(await turn(t, "dns", "DOWN")).toEqual({ ok: true });
      const narrow = t.daemon.calls.filter((c) => c === "observePrefixes 192.0.2.53/32").length;
      // verifyTimeoutMs 100, polled every 20 ms
      expect(narrow).toBeGreaterThanOrEqual(5);
      expect(t.daemon.calls.slice(1 + narrow)).toEqual(["observe", "resend tor1:192.0.2.53/32", "observe"]);
      expect(t.engine.state.lastReconcile).toMatchObject({ result: "ok", path: "fast" });
      expect(shown(t)).toEqual([["tor1", "Established", { "4": ["192.0.2.80/32"], "6": [] }]]);
    });

    it("a full apply that failed and was rolled back: the last good manifest's toggle that follows is proven by a full read", async () => {
      const t = setup();
      t.setManifest(`${MANIFEST}  - {name: ntp, prefixes: [192.0.2.123/32]}\n`);
      await t.run("start");
      // attributes no route-map has yet: the full path, whose reload fails and is rolled back
      t.setManifest(`${MANIFEST}  - {name: ntp, prefixes: [192.0.2.123/32], communities: ["65000:123"]}\n`);
      t.daemon.failReloads = 1;
      t.health.set("dns", "DOWN");
      t.engine.noteTransition("dns", "DOWN");
      t.daemon.calls = [];
      await t.run("manifest", "health");
      expect(t.daemon.calls.filter((c) => c === "reload")).toHaveLength(2);
      const toggle = t.daemon.calls.indexOf("toggle 192.0.2.53/32:withdrawn");
      expect(toggle).toBeGreaterThan(-1);
      expect(t.daemon.calls.slice(toggle + 1)).toEqual(["observe"]);
    });

    it("a toggle the daemon refused (some of it may have taken): the next proof reads everything", async () => {
      const t = setup();
      t.setManifest(`${MANIFEST}  - {name: ntp, prefixes: [192.0.2.123/32]}\n`);
      await t.run("start");
      t.daemon.failToggles = 2; // the early withdrawal and the apply's
      expect(await turn(t, "dns", "DOWN")).toEqual({ ok: false });
      expect(await turn(t, "dns", "DOWN")).toEqual({ ok: true });
      expect(t.daemon.calls).toEqual(["toggle 192.0.2.53/32:withdrawn", "observe"]);
      expect(await turn(t, "dns", "UP")).toEqual({ ok: true });
      expect(t.daemon.calls).toEqual(["toggle 192.0.2.53/32:normal", "observePrefixes 192.0.2.53/32"]);
    });

    it("a state not proven (the proof before was cut short) is proven by a full read", async () => {
      let onSleep: (() => void) | undefined;
      const t = setup({ onSleep: () => onSleep?.() });
      await t.run("start");
      onSleep = () => t.engine.interruptToggleProof();
      t.daemon.pinned.add("192.0.2.53/32");
      await turn(t, "dns", "DOWN");
      expect(t.engine.state.unproven).toBeDefined();
      onSleep = undefined;
      t.daemon.pinned.clear();
      await turn(t, "web", "DOWN");
      expect(t.daemon.calls).toEqual(["toggle 192.0.2.80/32:deprefer", "observe"]);
      expect(t.engine.state.unproven).toBeUndefined();
    });
  });

  it("an apply left unproven that the daemon never catches up with is applied again and, failing, rolled back to the last proven config", async () => {
    const { t, good, proveFully } = await cutShortApply();
    expect(t.engine.state.unproven).toBeDefined();
    // not interrupted this time: the proof waits its full time, fails, and the apply is re-run
    t.daemon.calls = [];
    proveFully();
    await t.run("signal");
    expect(t.log.lines.some((l) => /proof was cut short, is not what the daemon advertises/.test(l.msg))).toBe(true);
    expect(t.daemon.calls.filter((c) => c === "reload").length).toBe(2); // the apply, then the rollback
    expect(t.engine.state.lastReconcile).toMatchObject({ result: "failed", code: "E_VERIFY", message: expect.not.stringMatching(/cut short/) });
    expect(t.engine.state.counters.rollbacks).toBe(1);
    expect(t.file()).toBe(good);
    expect(t.engine.state.unproven).toBeUndefined();
  });

  it("a stop that cut an apply's proof short keeps the GRACEFUL_SHUTDOWN phase: the daemon took that config", async () => {
    const { t } = await cutShortApply();
    expect(t.engine.state.unproven).toBeDefined();
    t.daemon.pinned.clear();
    await expectGracefulStop(t);
    expect(t.engine.state.unproven).toBeUndefined();
  });

  it("a stop after an apply the daemon did not confirm withdraws at once, without the GRACEFUL_SHUTDOWN phase", async () => {
    const t = setup();
    await t.run("start");
    t.setManifest(MANIFEST.replace("192.0.2.80/32", "192.0.2.81/32"));
    t.daemon.pinned.add("192.0.2.99/32");
    await t.run("manifest");
    expect(t.engine.state.lastReconcile).toMatchObject({ result: "failed", code: "E_VERIFY" });
    t.daemon.pinned.clear();
    t.daemon.calls = [];
    vi.useFakeTimers();
    try {
      let done: boolean | undefined;
      void withdrawOnStop(t.engine, t.log).then((ok) => (done = ok));
      // no timer may run: stop_grace (2 s by default) is not waited for
      await vi.advanceTimersByTimeAsync(0);
      expect(done).toBe(true);
    } finally {
      vi.useRealTimers();
    }
    // nothing announced with GRACEFUL_SHUTDOWN on the way out: straight to withdrawn
    expect(t.daemon.calls.filter((c) => c.includes("graceful-shutdown"))).toEqual([]);
    expect(t.file()).not.toMatch(/network \S+ route-map SVCR-GSHUT/);
    expect(t.daemon.running.size).toBe(0);
    expect(t.log.lines.some((l) => /withdrawing at once, without the GRACEFUL_SHUTDOWN phase/.test(l.msg))).toBe(true);
  });

  it("a stop after a good apply keeps the GRACEFUL_SHUTDOWN phase for stop_grace, then withdraws", async () => {
    const t = setup();
    await t.run("start");
    await expectGracefulStop(t);
  });

  it("a stop with on_stop: keep leaves the daemon announcing: no GRACEFUL_SHUTDOWN, nothing withdrawn, the file as it was", async () => {
    const t = setup();
    t.setManifest(`${MANIFEST}supervisor: {on_stop: keep}\n`);
    await t.run("start");
    const before = t.file();
    t.daemon.calls = [];
    expect(await withdrawOnStop(t.engine, t.log)).toBe(true);
    expect(t.daemon.calls).toEqual([]);
    expect([...t.daemon.running].sort()).toEqual(["192.0.2.53/32", "192.0.2.80/32"]);
    expect(t.file()).toBe(before);
    expect(t.file()).not.toMatch(/network \S+ route-map SVCR-GSHUT/);
  });

  it("an observation asked for (a session changed) refreshes what status shows without a reconcile or an apply", async () => {
    const t = setup();
    t.daemon.sessionState = "Active";
    await t.run("start");
    expect(t.engine.state.observed!.peers[0]).toMatchObject({ state: "Active", advertised: null });
    expect(t.engine.state.verification).toMatchObject({ ok: true, down: ["tor1"] });
    const before = { counters: { ...t.engine.state.counters }, last: t.engine.state.lastReconcile };
    t.daemon.calls = [];
    t.daemon.sessionState = "Established";
    expect(await t.run("observe")).toEqual({ ok: true });
    expect(t.daemon.calls).toEqual(["observe"]);
    expect(t.engine.state.observed!.peers[0]).toMatchObject({ state: "Established", advertised: { "4": ["192.0.2.53/32", "192.0.2.80/32"] } });
    expect(t.engine.state.verification).toMatchObject({ ok: true, down: [] });
    expect({ counters: t.engine.state.counters, last: t.engine.state.lastReconcile }).toEqual(before);
    // merged into a reconcile that applies nothing, the observation still happens
    t.daemon.calls = [];
    t.daemon.sessionState = "Idle";
    await t.run("observe", "health");
    expect(t.daemon.calls).toEqual(["observe"]);
    expect(t.engine.state.observed!.peers[0]!.state).toBe("Idle");
  });

  it("stopping: graceful shutdown for all, then withdraw all", async () => {
    const t = setup();
    await t.run("start");
    await t.engine.stop("graceful-shutdown");
    expect(t.file()).toMatch(/network 192\.0\.2\.53\/32 route-map SVCR-GSHUT-[0-9A-F]{10}/);
    await t.engine.stop("withdraw");
    expect(t.daemon.running.size).toBe(0);
  });
});

describe("addresses: manage", () => {
  it.each([
    [["a/32", "b/32"], [], [], { add: ["a/32", "b/32"], remove: [] }],
    [["a/32"], ["a/32", "x/32"], [], { add: [], remove: [] }],
    [["a/32"], ["a/32", "b/32"], ["b/32"], { add: [], remove: ["b/32"] }],
    [[], ["b/32"], ["b/32", "gone/32"], { add: [], remove: ["b/32"] }],
  ])("plan: wanted %j, present %j, owned %j", (wanted, present, owned, want) => {
    expect(planAddresses(wanted, present, owned)).toEqual(want);
  });

  /** ip-like fake; `daemon()` tells whether a prefix is announced at the moment of each call */
  function fakeIp(present: string[], calls: string[], daemon: () => FakeDaemon): AddressOps {
    let owned: string[] = [];
    return {
      list: async () => [...present],
      present: async () => present.map((a) => a.split("/")[0]!),
      add: async (_i, a) => {
        calls.push(`add ${a} (announced: ${daemon().running.has(a)})`);
        present.push(a);
      },
      remove: async (_i, a) => {
        calls.push(`remove ${a} (announced: ${daemon().running.has(a)})`);
        present.splice(present.indexOf(a), 1);
      },
      loadOwned: async () => owned,
      saveOwned: async (_d, o) => void (owned = [...o]),
    };
  }

  it("adds every service address before announcing, and removes one only after its withdrawal has left and a linger", async () => {
    const calls: string[] = [];
    const present = ["127.0.0.1/8"];
    const holder: { t?: ReturnType<typeof setup> } = {};
    const t2 = setup({ addresses: fakeIp(present, calls, () => holder.t!.daemon) });
    holder.t = t2;
    t2.setManifest(`${MANIFEST}addresses: {manage: true}\n`);
    await t2.run("start");
    expect(calls).toEqual(["add 192.0.2.53/32 (announced: false)", "add 192.0.2.80/32 (announced: false)"]);
    // added before the address check looks: announced in this same first reconcile
    expect([...t2.daemon.running.keys()].sort()).toEqual(["192.0.2.53/32", "192.0.2.80/32"]);
    expect(t2.engine.state.addressMissing).toEqual({});
    calls.length = 0;
    t2.setManifest(`${MANIFEST.replace(/ {2}- \{name: web.*\n/, "")}addresses: {manage: true}\n`);
    await t2.run("manifest");
    // withdrawn, the address lingers: peers act on the withdrawal, traffic on its way arrives
    expect(t2.daemon.running.has("192.0.2.80/32")).toBe(false);
    expect(calls).toEqual([]);
    expect(await t2.engine.addressesChanged()).toBe(false);
    t2.advance(ADDRESS_LINGER_MS - 1);
    await t2.run("addresses");
    expect(calls).toEqual([]);
    t2.advance(1);
    // the address watch asks for the reconcile that removes it
    expect(await t2.engine.addressesChanged()).toBe(true);
    await t2.run("addresses");
    expect(calls).toEqual(["remove 192.0.2.80/32 (announced: false)"]);
  });

  it("a lingering address wanted again stays; a removal that fails is tried again 30 s later, not at every address watch", async () => {
    const calls: string[] = [];
    const present = ["127.0.0.1/8"];
    const holder: { t?: ReturnType<typeof setup> } = {};
    const ops = fakeIp(present, calls, () => holder.t!.daemon);
    let failRemove = false;
    const t2 = setup({
      addresses: {
        ...ops,
        remove: async (i, a) => {
          if (failRemove) throw new Error("Operation not permitted");
          await ops.remove(i, a);
        },
      },
    });
    holder.t = t2;
    const withWeb = `${MANIFEST}addresses: {manage: true}\n`;
    const withoutWeb = `${MANIFEST.replace(/ {2}- \{name: web.*\n/, "")}addresses: {manage: true}\n`;
    t2.setManifest(withWeb);
    await t2.run("start");
    calls.length = 0;
    t2.setManifest(withoutWeb);
    await t2.run("manifest");
    t2.setManifest(withWeb);
    await t2.run("manifest");
    t2.advance(ADDRESS_LINGER_MS);
    expect(await t2.engine.addressesChanged()).toBe(false);
    await t2.run("addresses");
    expect(calls).toEqual([]);
    expect(present).toContain("192.0.2.80/32");
    // removed again, and the removal fails
    t2.setManifest(withoutWeb);
    await t2.run("manifest");
    t2.advance(ADDRESS_LINGER_MS);
    failRemove = true;
    await t2.run("addresses");
    expect(t2.log.lines.filter((l) => l.fields.op === "address" && l.level === "warn")).toHaveLength(1);
    expect(await t2.engine.addressesChanged()).toBe(false);
    t2.advance(30_000);
    expect(await t2.engine.addressesChanged()).toBe(true);
    failRemove = false;
    await t2.run("addresses");
    expect(calls).toEqual(["remove 192.0.2.80/32 (announced: false)"]);
  });

  it("an address the admin configured is never removed; a failure is logged, never fatal", async () => {
    const present = ["192.0.2.80/32"];
    const holder: { t?: ReturnType<typeof setup> } = {};
    const ops = fakeIp(present, [], () => holder.t!.daemon);
    const t2 = setup({ addresses: { ...ops, add: async () => { throw new Error("Operation not permitted"); } } });
    holder.t = t2;
    t2.setManifest(`${MANIFEST}addresses: {manage: true}\n`);
    expect(await t2.run("start")).toEqual({ ok: true });
    expect(t2.log.lines.some((l) => l.fields.op === "address" && l.level === "warn")).toBe(true);
    t2.setManifest(`${MANIFEST.replace(/ {2}- \{name: web.*\n/, "")}addresses: {manage: true}\n`);
    await t2.run("manifest");
    expect(present).toContain("192.0.2.80/32"); // not ours: stays
  });
});

describe("address required", () => {
  const svc = (text: string) => load(text).manifest!.services;

  it("which services are blocked, given the host's addresses", () => {
    const services = svc(`${MANIFEST}  - {name: v6, prefixes: [2001:db8:0:0::53/128, 192.0.2.54/32]}
  - {name: routed, prefixes: [192.0.2.96/28, 192.0.2.57/32], address: none}
  - {name: net, prefixes: [192.0.2.64/28]}
  - {name: bound, prefixes: [192.0.2.112/28], address: "2001:DB8::1"}
`.replace("policy: {allowed_prefixes: [192.0.2.0/24]}", "policy: {allowed_prefixes: [192.0.2.0/24, 2001:db8::/32]}"));
    expect(Object.fromEntries(services.map((x) => [x.name, x.addresses]))).toEqual({
      dns: ["192.0.2.53"],
      web: ["192.0.2.80"],
      v6: ["192.0.2.54", "2001:db8::53"],
      routed: [],
      net: [],
      bound: ["2001:db8::1"],
    });
    expect(missingAddresses(services, new Set(["127.0.0.1", "192.0.2.53", "2001:db8::53"]))).toEqual(
      new Map([
        ["web", ["192.0.2.80"]],
        ["v6", ["192.0.2.54"]],
        ["bound", ["2001:db8::1"]],
      ]),
    );
    expect(missingAddresses(services, new Set(["192.0.2.53", "192.0.2.80", "192.0.2.54", "2001:db8::53", "2001:db8::1"]))).toEqual(new Map());
  });

  function hostAddrs(present: string[], fail = { on: false }): AddressOps {
    return {
      list: async () => [],
      present: async () => {
        if (fail.on) throw new SvcrouteError("E_APPLY", "ip -j addr show: Cannot open netlink socket");
        return [...present];
      },
      add: async () => undefined,
      remove: async () => undefined,
      loadOwned: async () => [],
      saveOwned: async () => undefined,
    };
  }

  it("a service whose address is gone is withdrawn, also when on_failure: deprefer or drained; back → announced", async () => {
    const present = ["192.0.2.53", "192.0.2.80"];
    const t = setup({ addresses: hostAddrs(present) });
    await t.run("start");
    expect([...t.daemon.running.keys()].sort()).toEqual(["192.0.2.53/32", "192.0.2.80/32"]);
    present.splice(present.indexOf("192.0.2.80"), 1);
    expect(await t.engine.addressesChanged()).toBe(true);
    await t.run("addresses");
    expect([...t.daemon.running.keys()]).toEqual(["192.0.2.53/32"]);
    expect(t.engine.state.addressMissing).toEqual({ web: ["192.0.2.80"] });
    expect(t.log.lines.filter((l) => l.fields.code === "ADDR_MISSING").map((l) => [l.fields.service, l.msg])).toEqual([["web", "not announced: its address 192.0.2.80 is not on this host"]]);
    expect(await t.engine.addressesChanged()).toBe(false);
    // a drained service would be announced with GRACEFUL_SHUTDOWN: not without its address
    t.setDrain({ all: null, services: { web: 1_000_000 } });
    await t.run("drain");
    expect(t.daemon.running.has("192.0.2.80/32")).toBe(false);
    t.setDrain(NO_DRAIN);
    present.push("192.0.2.80");
    await t.run("addresses");
    expect(t.daemon.running.has("192.0.2.80/32")).toBe(true);
    expect(t.engine.state.addressMissing).toEqual({});
  });

  it("address: none announces without an address; an unreadable host blocks nothing", async () => {
    const fail = { on: false };
    const t = setup({ addresses: hostAddrs([], fail) });
    t.setManifest(MANIFEST.replace("prefixes: [192.0.2.53/32]", "prefixes: [192.0.2.53/32], address: none"));
    await t.run("start");
    expect([...t.daemon.running.keys()]).toEqual(["192.0.2.53/32"]);
    expect(t.engine.state.addressMissing).toEqual({ web: ["192.0.2.80"] });
    fail.on = true;
    await t.run("addresses");
    expect([...t.daemon.running.keys()].sort()).toEqual(["192.0.2.53/32", "192.0.2.80/32"]);
    expect(t.log.lines.some((l) => l.level === "warn" && /cannot read the host's addresses/.test(l.msg))).toBe(true);
  });
});
