// The BIRD driver against a stand-in control socket that answers with what BIRD 2.0.12 really
// sent on its socket (test/fixtures/captured/bird/raw.*, reply codes included), in the order the
// capture saw it: a reconfiguration that replaces the device protocol (device1 → svcr_device)
// makes BIRD forget its interfaces until the new device protocol is restarted.
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { createBirdDriver } from "../../../src/daemons/bird.js";
import type { DaemonConfig } from "../../../src/manifest/types.js";
import { capturedFile } from "../../helpers/captured-exec.js";
import { tmpTree } from "../../helpers/tmp.js";

const raw = (f: string, version?: string) => readFileSync(capturedFile("bird", `raw.${f}.txt`, version), "utf8");
/** the interfaces a `show interfaces` reply lists */
const interfacesIn = (reply: string) => [...reply.matchAll(/^1001-(\S+) /gm)].map((m) => m[1]!);
const ALL = interfacesIn(raw("show-interfaces"));

class FakeBird {
  /** the next `configure` replaces the device protocol (as svcroute's first config does) */
  replacesDevice = false;
  state: "original" | "replaced" | "rescanned" = "original";
  commands: string[] = [];
  server: Server;

  constructor(readonly path: string) {
    this.server = createServer((sock) => {
      sock.setEncoding("utf8");
      sock.write(raw("greeting"));
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

  /** answers that come first for a command, before the usual one (a protocol mid-reconfiguration) */
  first = new Map<string, string[]>();

  answer(cmd: string): string {
    const early = this.first.get(cmd)?.shift();
    if (early !== undefined) return early;
    if (cmd === "show status") return raw("show-status", "bird-3.1");
    if (cmd === "show protocols all") return raw("show-protocols-all", "bird-3.1");
    if (cmd === "show route export tor1_v4") return raw("show-route-export", "bird-3.1");
    if (cmd === "show interfaces") return raw({ original: "show-interfaces", replaced: "show-interfaces-device-replaced", rescanned: "show-interfaces-rescanned" }[this.state]);
    if (cmd === "show protocols") return raw(this.state === "original" ? "show-protocols" : "show-protocols-device-replaced");
    if (cmd.startsWith('configure "')) {
      if (!this.replacesDevice) return raw("configure-timeout");
      this.state = "replaced";
      return raw("configure-device-replaced");
    }
    if (cmd === "restart svcr_device" && this.state !== "original") {
      this.state = "rescanned";
      return raw("restart-device");
    }
    return raw("unknown-command");
  }
}

async function setup() {
  const dir = tmpTree({});
  const bird = new FakeBird(join(dir, "bird.ctl"));
  await new Promise<void>((r) => bird.server.listen(bird.path, r));
  const cfg = { type: "bird", configFile: join(dir, "bird.conf"), socket: bird.path, bird: "/usr/sbin/bird", birdc: "/usr/sbin/birdc" } as DaemonConfig;
  const driver = createBirdDriver(cfg, { exec: async () => ({ code: 0, stdout: "", stderr: "", durationMs: 0 }) as never, timeoutMs: 2000 });
  onTestFinished(() => {
    driver.close();
    bird.server.close();
  });
  return { bird, driver };
}

describe("BIRD driver: reload", () => {
  it("a reconfiguration that keeps the device protocol touches nothing else", async () => {
    const { bird, driver } = await setup();
    const r = await driver.reload();
    // BIRD answered "Reconfigured" (no protocol restarted); "Reconfiguration in progress" would say otherwise
    expect(r.sessionsRestarted).toBe(/in progress/.test(raw("configure-timeout")));
    expect(bird.commands.filter((c) => c.startsWith("restart"))).toEqual([]);
    expect(r.output).not.toMatch(/rescan/);
  });

  it("when the reconfiguration replaces the device protocol and BIRD forgets its interfaces, the new device protocol is restarted to rescan them", async () => {
    const { bird, driver } = await setup();
    bird.replacesDevice = true;
    const r = await driver.reload();
    expect(bird.commands.filter((c) => c.startsWith("restart"))).toEqual(["restart svcr_device"]);
    expect(bird.state).toBe("rescanned");
    const lost = ALL.filter((n) => !interfacesIn(raw("show-interfaces-device-replaced")).includes(n));
    expect(lost.length, "the capture shows BIRD forgetting interfaces").toBeGreaterThan(0);
    expect(r.output).toContain(`interfaces ${lost.join(", ")} were dropped by the reconfiguration; restarted svcr_device to rescan them`);
    expect(r.output).not.toMatch(/still missing/);
  });
});

describe("BIRD control socket timeouts", () => {
  it("a command gets the client's limit unless it names its own (configure of a large config takes seconds)", async () => {
    const { BirdSocket } = await import("../../../src/daemons/bird-socket.js");
    const dir = tmpTree({});
    const path = join(dir, "slow.ctl");
    // answers every command after 300 ms, like BIRD parsing a big config
    const server = createServer((sock) => {
      sock.setEncoding("utf8");
      sock.write("0001 BIRD 2.0.12 ready.\n");
      sock.on("error", () => undefined);
      sock.on("data", () => void setTimeout(() => !sock.destroyed && sock.write("0002-Reading configuration from /x\n0003 Reconfigured\n"), 300));
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
