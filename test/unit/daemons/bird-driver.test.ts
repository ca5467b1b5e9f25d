// The BIRD driver against a stand-in control socket that speaks BIRD's reply protocol (codes as
// captured from BIRD 2.0.12, test/fixtures/captured/bird/raw.*) and behaves like BIRD where it
// matters: a reconfiguration that replaces the device protocol forgets every interface.
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { createBirdDriver } from "../../../src/daemons/bird.js";
import type { DaemonConfig } from "../../../src/manifest/types.js";
import { tmpTree } from "../../helpers/tmp.js";

const ALL = ["lo", "eth0", "eth1"];

class FakeBird {
  interfaces = [...ALL];
  /** the next `configure` replaces the device protocol (BIRD then drops its interface list) */
  replacesDevice = false;
  device = "device1";
  commands: string[] = [];
  server: Server;

  constructor(readonly path: string) {
    this.server = createServer((sock) => {
      sock.setEncoding("utf8");
      sock.write("0001 BIRD 2.0.12 ready.\n");
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

  answer(cmd: string): string {
    if (cmd === "show interfaces") {
      return `${this.interfaces.map((n, i) => `1001-${n} up (index=${i + 1})\n1004-\tMultiAccess AdminUp LinkUp MTU=1500\n`).join("")}0000 \n`;
    }
    if (cmd === "show protocols") return `2002-Name       Proto      Table      State  Since         Info\n1002-${this.device.padEnd(10)} Device     ---        up     10:58:42.905  \n0000 \n`;
    if (cmd.startsWith("configure \"")) {
      if (this.replacesDevice) {
        this.device = "svcr_device";
        this.interfaces = [];
      }
      return `0002-Reading configuration from ${cmd.split('"')[1]}\n0022-Undo scheduled in 30 s\n0004 Reconfiguration in progress\n`;
    }
    if (cmd === `restart ${this.device}`) {
      this.interfaces = [...ALL];
      return `0012-${this.device}: restarted\n0000 \n`;
    }
    return "9001 syntax error\n";
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
    expect(r.sessionsRestarted).toBe(true);
    expect(bird.commands.filter((c) => c.startsWith("restart"))).toEqual([]);
    expect(r.output).not.toMatch(/rescan/);
  });

  it("when the reconfiguration replaces the device protocol and BIRD forgets its interfaces, the new device protocol is restarted to rescan them", async () => {
    const { bird, driver } = await setup();
    bird.replacesDevice = true;
    const r = await driver.reload();
    expect(bird.commands.filter((c) => c.startsWith("restart"))).toEqual(["restart svcr_device"]);
    expect(bird.interfaces).toEqual(ALL);
    expect(r.output).toMatch(/interfaces lo, eth0, eth1 were dropped by the reconfiguration; restarted svcr_device to rescan them/);
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
