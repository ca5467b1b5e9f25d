// doctor while the supervisor runs: it does not wait on the routing daemon. What the supervisor
// already knows (the daemon unreachable) is taken from it, and every probe doctor still sends
// the daemon gets a short deadline, so a frozen daemon costs seconds, not the 5–60 s of the
// supervisor's own command limits.
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SUPERVISED_PROBE_MS, gatherFacts, syslogSocket } from "../../../src/doctor/gather.js";
import type { Exec } from "../../../src/effects/exec.js";
import { startStatusServer } from "../../../src/supervisor/status-server.js";
import { sampleStatus } from "../../helpers/status-fixture.js";
import { tmpTree } from "../../helpers/tmp.js";

const MANIFEST = (dir: string) => `version: 1
daemon: {type: frr, config_file: ${dir}/frr/frr.conf, socket: ${dir}/frr/run, vtysh: /usr/bin/vtysh, bgpd: /usr/lib/frr/bgpd, frr_reload: /usr/lib/frr/frr-reload.py}
router: {asn: 4200000101, router_id: 192.0.2.1}
peers:
  - {name: tor1, address: 169.254.0.1, remote_asn: 65000, bfd: true}
policy: {allowed_prefixes: [192.0.2.0/24]}
services:
  - {name: dns, prefixes: [192.0.2.53/32]}
supervisor: {status_socket: ${dir}/svcroute.sock}
`;

/** an exec that records every call and answers like a daemon that is there (vtysh, frr-reload) */
function recorder(): { exec: Exec; calls: { cmd: string; timeoutMs: number | undefined }[] } {
  const calls: { cmd: string; timeoutMs: number | undefined }[] = [];
  const exec: Exec = async (cmd, args, opts) => {
    calls.push({ cmd: `${cmd} ${args.join(" ")}`, timeoutMs: opts?.timeoutMs });
    return { code: 0, stdout: "", stderr: "", durationMs: 1 } as never;
  };
  return { exec, calls };
}

const toDaemon = (c: { cmd: string }) => /vtysh --vty_socket|frr-reload\.py/.test(c.cmd);

/** a daemon's control socket that takes connections and never answers (the daemon stopped with SIGSTOP) */
async function frozenSocket(path: string): Promise<{ close(): Promise<void> }> {
  const conns: Socket[] = [];
  const srv: Server = createServer((c) => void conns.push(c));
  await new Promise<void>((r) => srv.listen(path, r));
  return { close: () => new Promise<void>((r) => (conns.forEach((c) => c.destroy()), srv.close(() => r()))) };
}

/** doctor against a frozen daemon's socket while the supervisor runs (and says the daemon is reachable) */
async function doctorAgainstFrozen(dir: string, manifest: string, socket: string) {
  writeFileSync(join(dir, "m.yaml"), manifest);
  const srv = await startStatusServer({ socketPath: join(dir, "svcroute.sock"), getStatus: sampleStatus, onReconcile: () => undefined });
  const daemon = await frozenSocket(socket);
  try {
    return await gatherFacts({ manifestPath: join(dir, "m.yaml"), exec: recorder().exec });
  } finally {
    await daemon.close();
    await srv.close();
  }
}

describe("doctor with the supervisor running", () => {
  it("gives every probe of the daemon a short deadline", async () => {
    const dir = tmpTree({ "m.yaml": "" });
    mkdirSync(join(dir, "frr", "run"), { recursive: true });
    writeFileSync(join(dir, "frr", "frr.conf"), "! svcroute-managed manifest=000000000000 health=000000000000\n");
    writeFileSync(join(dir, "frr", "run", "bgpd.pid"), "4242\n");
    writeFileSync(join(dir, "m.yaml"), MANIFEST(dir));
    const srv = await startStatusServer({ socketPath: join(dir, "svcroute.sock"), getStatus: sampleStatus, onReconcile: () => undefined });
    try {
      const { exec, calls } = recorder();
      await gatherFacts({ manifestPath: join(dir, "m.yaml"), exec });
      const daemonCalls = calls.filter(toDaemon);
      expect(daemonCalls.length).toBeGreaterThan(0);
      expect(daemonCalls.filter((c) => c.timeoutMs === undefined || c.timeoutMs > SUPERVISED_PROBE_MS)).toEqual([]);
    } finally {
      await srv.close();
    }
  });

  it(`gives up on bgpd's vty socket after ${SUPERVISED_PROBE_MS} ms`, async () => {
    const dir = tmpTree({});
    mkdirSync(join(dir, "frr", "run"), { recursive: true });
    writeFileSync(join(dir, "frr", "run", "bgpd.pid"), "4242\n");
    const facts = await doctorAgainstFrozen(dir, MANIFEST(dir), join(dir, "frr", "run", "bgpd.vty"));
    expect(facts.daemon.errorCode).toBe("E_TIMEOUT");
    expect(facts.daemon.error).toContain(`bgpd did not answer on ${join(dir, "frr", "run", "bgpd.vty")} within ${SUPERVISED_PROBE_MS} ms`);
  });

  it(`gives up on BIRD's control socket after ${SUPERVISED_PROBE_MS} ms`, async () => {
    const dir = tmpTree({});
    mkdirSync(join(dir, "bird"), { recursive: true });
    const bird = MANIFEST(dir).replace(/^daemon: .*$/m, `daemon: {type: bird, config_file: ${dir}/bird/bird.conf, socket: ${dir}/bird.ctl}`).replace(", bfd: true", "");
    const facts = await doctorAgainstFrozen(dir, bird, join(dir, "bird.ctl"));
    expect(facts.daemon.errorCode).toBe("E_TIMEOUT");
    expect(facts.daemon.error).toContain(`BIRD did not answer on ${join(dir, "bird.ctl")} within ${SUPERVISED_PROBE_MS} ms`);
  });

  it("asks the daemon nothing when the supervisor says it is unreachable, and reports the supervisor's reason", async () => {
    const dir = tmpTree({});
    mkdirSync(join(dir, "frr", "run"), { recursive: true });
    writeFileSync(join(dir, "m.yaml"), MANIFEST(dir));
    const frozen = () => ({ ...sampleStatus(), daemon: { type: "frr", config_file: join(dir, "frr", "frr.conf"), reachable: false, last_error: "E_TIMEOUT: vtysh (observe) did not finish within 10000 ms", via: null } });
    const srv = await startStatusServer({ socketPath: join(dir, "svcroute.sock"), getStatus: frozen, onReconcile: () => undefined });
    try {
      const { exec, calls } = recorder();
      const facts = await gatherFacts({ manifestPath: join(dir, "m.yaml"), exec });
      expect(calls.filter(toDaemon)).toEqual([]);
      expect(facts.daemon.reachable).toBe(false);
      expect(facts.daemon.error).toContain("did not finish within 10000 ms");
    } finally {
      await srv.close();
    }
  });
});

describe("where a daemon with no log file of its own logs", () => {
  it("a syslog daemon listens when /dev/log is a socket; a plain file or nothing is no listener", async () => {
    const dir = tmpTree({ "plain-file": "" });
    const sock = join(dir, "log.sock");
    const server: Server = createServer().listen(sock);
    await new Promise((r) => server.once("listening", r));
    try {
      expect(await syslogSocket(sock)).toBe(true);
      expect(await syslogSocket(join(dir, "plain-file"))).toBe(false);
      expect(await syslogSocket(join(dir, "absent"))).toBe(false);
    } finally {
      server.close();
    }
  });
});
