// Each fault injector against real daemons: one ToR (BFD, 1/3 s timers) and three single-homed
// hosts: FRR with BFD, BIRD with BFD, BIRD without BFD.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitBfdUp, waitEstablished, waitRoute, waitSession, type SessionRef } from "./harness/conditions.js";
import { birdHostConfig, frrHostConfig } from "./harness/host-configs.js";
import { createLab, type Lab } from "./harness/lab.js";
import { isAlive } from "./harness/procs.js";
import { waitFor } from "./harness/wait.js";
import { HOST_FRR_DAEMONS } from "./harness/daemons.js";
import { frrStartOrder } from "./harness/frr.js";

const TIMERS = { keepalive: 1, hold: 3 };
const P = { frr: "192.0.2.21/32", bird: "192.0.2.22/32", nobfd: "192.0.2.23/32" };
let lab: Lab;
const v4 = (host: string): SessionRef => ({ tor: "tor1", host, family: "ipv4" });

beforeAll(async () => {
  lab = await createLab({
    tors: [{ name: "tor1", asn: 65001, bfd: true, timers: TIMERS, debugUpdates: true }],
    hosts: [
      { name: "hfrr", daemon: "frr", links: ["tor1"], families: ["ipv4"], addresses: [P.frr], config: (h) => frrHostConfig(h, { bfd: true, timers: TIMERS }) },
      { name: "hbird", daemon: "bird", links: ["tor1"], families: ["ipv4"], addresses: [P.bird], config: (h) => birdHostConfig(h, { bfd: true, timers: TIMERS }) },
      { name: "hnobfd", daemon: "bird", links: ["tor1"], families: ["ipv4"], torBfd: false, addresses: [P.nobfd], config: (h) => birdHostConfig(h, { timers: TIMERS }) },
    ],
  });
  await waitEstablished(lab, { timeout: 60_000 });
});

afterAll(async () => {
  await (lab as Lab | undefined)?.down();
});

/** the hosts' addresses toward tor1 whose sessions run BFD */
const bfdPeers = () => ["hfrr", "hbird"].map((h) => lab.host(h).links[0]!.host4);

/** after each fault: everything back to normal (BFD included) before the next one starts */
async function healthy(): Promise<void> {
  await waitEstablished(lab, { timeout: 60_000 });
  for (const p of Object.values(P)) await waitRoute(lab, "tor1", p, "present");
  await waitBfdUp(lab, "tor1", bfdPeers());
}

describe("daemon faults", () => {
  it("killing the host's FRR daemons withdraws its prefix; restarting brings it back", async () => {
    const killed = await lab.faults.kill("hfrr");
    // zebra, bgpd, staticd, bfdd (and FRR 10's mgmtd)
    expect(killed.length).toBe(frrStartOrder(lab.frrPaths("hfrr"), HOST_FRR_DAEMONS).length);
    expect(killed.some(isAlive)).toBe(false);
    await waitRoute(lab, "tor1", P.frr, "absent", 5000);
    await waitSession(lab, v4("hfrr"), "down", 5000);
    await lab.startDaemon("hfrr");
    await waitRoute(lab, "tor1", P.frr, "present");
    await healthy();
  });

  it("killing only FRR's bgpd drops the session; restarting starts just bgpd", async () => {
    const zebra = lab.daemonPids("hfrr").get("zebra");
    await lab.faults.kill("hfrr", { daemons: ["bgpd"] });
    await waitSession(lab, v4("hfrr"), "down", 5000);
    await lab.startDaemon("hfrr");
    expect(lab.daemonPids("hfrr").get("zebra")).toBe(zebra);
    expect(lab.daemonPids("hfrr").has("bgpd")).toBe(true);
    await healthy();
  });

  it("killing BIRD (SIGKILL) drops the session at once", async () => {
    const before = (await lab.observe.session("tor1", "hbird"))!.connectionsDropped;
    await lab.faults.kill("hbird");
    const { ms } = await waitRoute(lab, "tor1", P.bird, "absent", 5000);
    expect(ms).toBeLessThan(2000);
    expect((await lab.observe.session("tor1", "hbird"))!.connectionsDropped).toBe(before + 1);
    await lab.startDaemon("hbird");
    await healthy();
  });

  it("SIGSTOP freezes BIRD (BGP and BFD): BFD takes the session down; SIGCONT recovers it", async () => {
    await lab.faults.pause("hbird");
    try {
      const { ms } = await waitSession(lab, v4("hbird"), "down", 5000);
      expect(ms).toBeLessThan(2500);
      await waitRoute(lab, "tor1", P.bird, "absent", 5000);
    } finally {
      await lab.faults.resume("hbird");
    }
    await waitSession(lab, v4("hbird"), "up");
    await healthy();
  });
});

describe("link faults", () => {
  it("link down takes the session down; link up restores it", async () => {
    await lab.faults.linkDown("hfrr", "tor1");
    try {
      await waitSession(lab, v4("hfrr"), "down", 5000);
      await waitRoute(lab, "tor1", P.frr, "absent", 5000);
    } finally {
      await lab.faults.linkUp("hfrr", "tor1");
    }
    await waitSession(lab, v4("hfrr"), "up");
    await healthy();
  });

  it("silent peer loss: without BFD the hold timer ends the session, with BFD it ends much sooner", async () => {
    await healthy();
    await lab.faults.poison("hnobfd", "tor1");
    await lab.faults.poison("hbird", "tor1");
    let bfd: number;
    let hold: number;
    try {
      [bfd, hold] = await Promise.all([
        waitSession(lab, v4("hbird"), "down", 10_000).then((w) => w.ms),
        waitSession(lab, v4("hnobfd"), "down", 15_000).then((w) => w.ms),
      ]);
    } finally {
      await lab.faults.unpoison("hnobfd", "tor1");
      await lab.faults.unpoison("hbird", "tor1");
    }
    console.log(`silent loss detected: BFD ${bfd} ms, hold timer ${hold} ms`);
    expect(bfd).toBeLessThan(1500);
    // hold 3 s: never before ~2 s (last keepalive up to 1 s before the poisoning)
    expect(hold).toBeGreaterThan(1500);
    expect(hold).toBeGreaterThan(bfd);
    await healthy();
  });
});

describe("service address faults", () => {
  it("the ToR logs received withdrawals with microsecond timestamps (debugUpdates)", async () => {
    await lab.faults.removeAddress("hnobfd", P.nobfd);
    try {
      await waitRoute(lab, "tor1", P.nobfd, "absent", 5000);
      const log = lab.tor("tor1").paths.logFile;
      const { value } = await waitFor(() => readFileSync(log, "utf8").split("\n").filter((l) => l.includes(P.nobfd) && /withdrawn/i.test(l)), {
        what: `a withdrawal of ${P.nobfd} in ${log}`,
        until: (lines) => lines.length > 0,
      });
      expect(value[0]).toMatch(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d\.\d{6} /);
    } finally {
      await lab.faults.addAddress("hnobfd", P.nobfd);
    }
    await waitRoute(lab, "tor1", P.nobfd, "present");
  });

  it.each([
    ["hbird", P.bird],
    ["hfrr", P.frr],
  ])("removing %s's service address withdraws %s; restoring it announces it again", async (host, prefix) => {
    await lab.faults.removeAddress(host, prefix);
    try {
      const { ms } = await waitRoute(lab, "tor1", prefix, "absent", 5000);
      expect(ms).toBeLessThan(3000);
    } finally {
      await lab.faults.addAddress(host, prefix);
    }
    await waitRoute(lab, "tor1", prefix, "present");
    const out = await lab.exec(host, "ip", ["-j", "addr", "show", "dev", "lo"]);
    expect(out.stdout).toContain(prefix.split("/")[0]);
  });

  it("never touches addresses outside the lab's ranges", async () => {
    await expect(lab.faults.addAddress("hfrr", "10.1.2.3/32")).rejects.toThrow(/outside the lab's ranges/);
  });
});
