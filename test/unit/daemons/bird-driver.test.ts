// The BIRD driver against a stand-in control socket that answers with what BIRD really sent on
// its socket (test/fixtures/captured/bird/raw.*, reply codes included), each version its own
// answers, in the order the capture saw them: a reconfiguration that replaces the device protocol
// (device1 → svcr_device) makes BIRD forget its interfaces until the new device protocol is
// restarted (captured on BIRD 2.0.12 and 3.1).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { CONFIRM_TIMEOUT_S, confirmTimeoutS, createBirdDriver, protocolsIn } from "../../../src/daemons/bird.js";
import { parseProtocolsAll } from "../../../src/daemons/bird-parse.js";
import { parseBirdReply } from "../../../src/daemons/bird-socket.js";
import type { DaemonConfig } from "../../../src/manifest/types.js";
import { capturedFile } from "../../helpers/captured-exec.js";
import { BIRD_VERSIONS } from "../../helpers/captures.js";
import { tmpTree } from "../../helpers/tmp.js";

const raw = (f: string, version?: string) => readFileSync(capturedFile("bird", `raw.${f}.txt`, version), "utf8");
/** the interfaces a `show interfaces` reply lists */
const interfacesIn = (reply: string) => [...reply.matchAll(/^1001-(\S+) /gm)].map((m) => m[1]!);
/** the versions whose capture replaced the device protocol */
const DEVICE_VERSIONS = BIRD_VERSIONS.filter((v) => existsSync(capturedFile("bird", "raw.configure-device-replaced.txt", v)));
/** BIRD 3 says "Reconfiguration in progress" after every configure, BIRD 2 only when a session restarts */
const restartsSessions = (reply: string, version: string) => /in progress/.test(reply) && !version.startsWith("bird-3");

class FakeBird {
  /** the next `configure` replaces the device protocol (as svcroute's first config does) */
  replacesDevice = false;
  /** the next `configure` goes back to the distribution's file (device1 again) */
  restores = false;
  state: "original" | "replaced" | "rescanned" = "original";
  commands: string[] = [];
  server: Server;

  constructor(
    readonly path: string,
    readonly version: string,
  ) {
    this.server = createServer((sock) => {
      sock.setEncoding("utf8");
      sock.write(this.raw("greeting"));
      let buf = "";
      sock.on("data", (d: string) => {
        buf += d;
        let nl: number;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const cmd = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          this.commands.push(cmd);
          sock.write(this.answer(cmd));
        }
      });
    });
  }

  raw(f: string): string {
    return raw(f, this.version);
  }

  /** no protocol matches the peers' pattern (a config without BGP protocols yet) */
  noPeers = false;

  /** answers that come first for a command, before the usual one (a protocol mid-reconfiguration) */
  first = new Map<string, string[]>();

  answer(cmd: string): string {
    const early = this.first.get(cmd)?.shift();
    if (early !== undefined) return early;
    if (cmd === "show status") return this.raw("show-status");
    // svcroute asks for its BGP protocols by pattern (captured as "tor1*", the lab's names)
    if (cmd === 'show protocols all "peer_*"' || cmd === 'show protocols "peer_*"') return this.raw(this.noPeers ? "show-protocols-no-match" : "show-protocols-all-pattern");
    if (cmd === "show route export tor1_v4") return this.raw("show-route-export");
    if (cmd === "show interfaces") return this.raw({ original: "show-interfaces", replaced: "show-interfaces-device-replaced", rescanned: "show-interfaces-rescanned" }[this.state]);
    if (cmd === "show protocols") return this.raw(this.state === "original" ? "show-protocols" : "show-protocols-device-replaced");
    if (cmd.startsWith('configure "')) {
      if (this.restores) return this.raw("configure-restored");
      if (!this.replacesDevice) return this.raw("configure-timeout");
      this.state = "replaced";
      return this.raw("configure-device-replaced");
    }
    if (cmd === "configure confirm" && this.state !== "original") return this.raw("configure-confirm-device");
    if (cmd === "restart svcr_device" && this.state !== "original") {
      this.state = "rescanned";
      return this.raw("restart-device");
    }
    return this.raw("unknown-command");
  }
}

async function setup(version = "bird-3.1") {
  const dir = tmpTree({});
  const bird = new FakeBird(join(dir, "bird.ctl"), version);
  await new Promise<void>((r) => bird.server.listen(bird.path, r));
  const cfg = { type: "bird", configFile: join(dir, "bird.conf"), socket: bird.path, bird: "/usr/sbin/bird", birdc: "/usr/sbin/birdc" } as DaemonConfig;
  const driver = createBirdDriver(cfg, { exec: async () => ({ code: 0, stdout: "", stderr: "", durationMs: 0 }) as never, timeoutMs: 2000 });
  onTestFinished(() => {
    driver.close();
    bird.server.close();
  });
  return { bird, driver, cfg };
}

/** a config of `n` static protocols */
const statics = (n: number) => ["router id 192.0.2.1;", "protocol device svcr_device {}", ...Array.from({ length: n }, (_, i) => `protocol static svc6_s${i} {\n  ipv6;\n  route 2001:db8::${i.toString(16)}/128 blackhole;\n}`)].join("\n");

describe.each(BIRD_VERSIONS)("BIRD driver: reload (%s)", (version) => {
  it("a reconfiguration that keeps the device protocol touches nothing else", async () => {
    const { bird, driver } = await setup(version);
    const r = await driver.reload();
    expect(r.sessionsRestarted).toBe(restartsSessions(raw("configure-timeout", version), version));
    expect(bird.commands.filter((c) => c.startsWith("restart"))).toEqual([]);
    expect(r.output).not.toMatch(/rescan/);
  });
});

describe("BIRD driver: the confirm timeout", () => {
  it("grows with the square of the protocols a commit starts or stops (BIRD 2 commits in one event-loop turn), from the least", () => {
    expect(confirmTimeoutS(0)).toBe(CONFIRM_TIMEOUT_S);
    expect(confirmTimeoutS(1000)).toBe(CONFIRM_TIMEOUT_S + 1);
    // 100,000 static protocols took BIRD 2.0.12 35 s to commit here: the timeout leaves room for a slower machine
    expect(confirmTimeoutS(100_000)).toBeGreaterThanOrEqual(CONFIRM_TIMEOUT_S + 4 * 35);
    expect(confirmTimeoutS(200_000) - CONFIRM_TIMEOUT_S).toBeGreaterThanOrEqual(4 * (confirmTimeoutS(100_000) - CONFIRM_TIMEOUT_S) - 1);
    expect(protocolsIn(statics(3))).toBe(4);
  });

  it("configure is given the timeout of the larger of the new config and the one it replaces (at first, what BIRD says it runs)", async () => {
    const { bird, driver, cfg } = await setup();
    writeFileSync(cfg.configFile, statics(60_000));
    await driver.reload();
    writeFileSync(cfg.configFile, statics(0));
    await driver.reload();
    await driver.reload();
    const timeouts = bird.commands.filter((c) => c.startsWith("configure ")).map((c) => Number(/ timeout (\d+)$/.exec(c)?.[1]));
    expect(timeouts).toEqual([confirmTimeoutS(60_001), confirmTimeoutS(60_001), confirmTimeoutS(1)]);
    // what the daemon ran before the first: asked once
    expect(bird.commands.filter((c) => c === "show protocols")).toEqual(["show protocols"]);
    expect(timeouts[0]).toBeGreaterThan(CONFIRM_TIMEOUT_S);
  });
});

describe.each(DEVICE_VERSIONS)("BIRD driver: a reconfiguration that replaces the device protocol (%s)", (version) => {
  it("when the reconfiguration replaces the device protocol and BIRD forgets its interfaces, the new device protocol is restarted to rescan them; confirmed; then back to the distribution's file", async () => {
    const { bird, driver } = await setup(version);
    bird.replacesDevice = true;
    const r = await driver.reload();
    expect(bird.commands.filter((c) => c.startsWith("restart"))).toEqual(["restart svcr_device"]);
    expect(bird.state).toBe("rescanned");
    const all = interfacesIn(raw("show-interfaces", version));
    const lost = all.filter((n) => !interfacesIn(raw("show-interfaces-device-replaced", version)).includes(n));
    expect(lost.length, "the capture shows BIRD forgetting interfaces").toBeGreaterThan(0);
    expect(r.output).toContain(`interfaces ${lost.join(", ")} were dropped by the reconfiguration; restarted svcr_device to rescan them`);
    expect(r.output).not.toMatch(/still missing/);
    await driver.confirm();
    expect(bird.commands.at(-1)).toBe("configure confirm");
    // the distribution's file again: BIRD 2 restarts a session for it ("in progress"), BIRD 3 says so anyway
    bird.restores = true;
    const back = await driver.reload();
    expect(back.output).toMatch(/Reconfiguration in progress/);
    expect(back.sessionsRestarted).toBe(restartsSessions(raw("configure-restored", version), version));
    expect(bird.commands.filter((c) => c.startsWith("restart"))).toEqual(["restart svcr_device"]);
  });

  it("the device protocol the rescan restarts is found in BIRD's own listing: the distribution's device1 before, svcr_device after", () => {
    const devices = (f: string) => parseProtocolsAll(parseBirdReply(raw(f, version)).text).filter((p) => p.proto === "Device").map((p) => p.name);
    expect(devices("show-protocols")).toEqual(["device1"]);
    expect(devices("show-protocols-device-replaced")).toEqual(["svcr_device"]);
  });
});

describe("BIRD control socket timeouts", () => {
  it("a command gets the client's limit unless it names its own (configure of a large config takes seconds)", async () => {
    const { BirdSocket } = await import("../../../src/daemons/bird-socket.js");
    const dir = tmpTree({});
    const path = join(dir, "slow.ctl");
    // answers every command after 300 ms (BIRD's own replies), like BIRD parsing a big config
    const server = createServer((sock) => {
      sock.setEncoding("utf8");
      sock.write(raw("greeting"));
      sock.on("error", () => undefined);
      sock.on("data", () => void setTimeout(() => !sock.destroyed && sock.write(raw("configure-timeout")), 300));
    });
    await new Promise<void>((r) => server.listen(path, r));
    onTestFinished(() => void server.close());
    const client = new BirdSocket(path, 100);
    onTestFinished(() => client.close());
    await expect(client.command('configure "/x"')).rejects.toMatchObject({ code: "E_TIMEOUT" });
    const r = await client.command('configure "/x"', 2000);
    expect(r.text).toContain("Reconfigured");
  });
});

describe("BIRD driver: observe", () => {
  const model = { bird: { peers: [{ peer: "tor1", protocol: "tor1_v4" }] } } as never;

  it("a protocol BIRD 3 is still reconfiguring ('is not a protocol' right after the configure) is asked again, not counted as a refusal", async () => {
    const { bird, driver } = await setup();
    bird.first.set("show route export tor1_v4", [raw("show-route-export-mid-reconfiguration", "bird-3.1"), raw("show-route-export-mid-reconfiguration", "bird-3.1")]);
    const obs = await driver.observe(model);
    expect(obs.peers[0]).toMatchObject({ name: "tor1", state: "Established", advertised: { "4": ["192.0.2.100/32", "192.0.2.12/32"] } });
    expect(bird.commands.filter((c) => c === "show route export tor1_v4")).toHaveLength(3);
  });

  it("any other refusal still fails the observation", async () => {
    const { bird, driver } = await setup();
    bird.first.set("show route export tor1_v4", [raw("unknown-protocol", "bird-3.1")]);
    await expect(driver.observe(model)).rejects.toThrow(/BIRD refused `show route export tor1_v4`: .*syntax error/);
  });
});

describe.each(BIRD_VERSIONS)("BIRD driver: the BGP protocols by pattern (%s)", (version) => {
  const model = { bird: { peers: [{ peer: "tor1", protocol: "tor1_v4" }] } } as never;

  it("the pattern's reply (BIRD's own, reply codes included) gives the session and what it exports", async () => {
    const { bird, driver } = await setup(version);
    const obs = await driver.observe(model);
    expect(obs.peers).toHaveLength(1);
    expect(obs.peers[0]).toMatchObject({ name: "tor1", state: "Established" });
    expect(obs.peers[0]!.advertised?.["4"].length).toBeGreaterThan(0);
    expect(await driver.sessions(model)).toEqual([{ name: "tor1", state: "Established" }]);
    expect(bird.commands).toContain('show protocols all "peer_*"');
    expect(bird.commands).toContain('show protocols "peer_*"');
    expect(bird.commands).not.toContain("show protocols all");
  });

  it('no protocol matching ("No protocols match", 8003) is a peer not configured, not a refusal', async () => {
    expect(parseBirdReply(raw("show-protocols-no-match", version)).code).toBe(8003);
    const { bird, driver } = await setup(version);
    bird.noPeers = true;
    const obs = await driver.observe(model);
    expect(obs.peers).toEqual([expect.objectContaining({ name: "tor1", state: expect.not.stringMatching(/^Established$/) })]);
    expect(await driver.sessions(model)).toEqual([{ name: "tor1", state: "Idle" }]);
  });
});
