// The FRR driver (src/daemons/frr.ts) against a fake exec that answers with what FRR really
// printed for the same commands, for every FRR version of the matrix (test/fixtures/captured/frr/,
// written by the capture script from a lab FRR host; each file's exit code is the one its
// version's README lists). What is tested is the driver's reading of those answers: a rejection, a
// refused reload, a session-level change, a missing daemon, the fast path's answers, what each peer
// is sent, and the fail-closed sweep.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createServer } from "node:net";
import { describe, expect, it, onTestFinished } from "vitest";
import { buildModel } from "../../../src/core/build-model.js";
import type { PrefixToggle, RoutingModel } from "../../../src/core/model.js";
import { createFrrDriver, INCREMENTAL_MAX_BYTES } from "../../../src/daemons/frr.js";
import { formatError, toSvcrouteError } from "../../../src/errors.js";
import { buildFromSources } from "../../../src/manifest/load.js";
import { parseManifestText } from "../../../src/manifest/parse.js";
import { capturedFile, replay, vtyshCmds } from "../../helpers/captured-exec.js";
import { FRR_VERSIONS } from "../../helpers/captures.js";
import { tmpTree } from "../../helpers/tmp.js";
import { vtyReplay, vtySession } from "../../helpers/vty-replay.js";

const PASSWORD = "S3cret-md5.key$7"; // the made-up password of the captures (capture-frr-driver.ts)

/** host1 of the capture fabric (AS65101, IPv4 + IPv6 sessions to tor1 and tor2) as a manifest */
function host1(dir: string, socket: string) {
  const text = `version: 1
daemon: {type: frr, config_file: ${dir}/frr.conf, socket: ${socket}}
router: {asn: 65101, router_id: 192.0.2.11}
peers:
  - {name: tor1, address: 169.254.1.2, remote_asn: 65001}
  - {name: tor1-v6, address: "fd00:1::2", remote_asn: 65001}
  - {name: tor2, address: 169.254.2.2, remote_asn: 65002}
  - {name: tor2-v6, address: "fd00:2::2", remote_asn: 65002}
policy: {allowed_prefixes: [192.0.2.0/24, "2001:db8::/32"]}
services:
  - {name: one, prefixes: [192.0.2.11/32, "2001:db8::11/128"]}
  - {name: any, prefixes: [192.0.2.100/32, "2001:db8::100/128"]}
`;
  const p = parseManifestText("/etc/svcroute/svcroute.yaml", text);
  if (!p.ok) throw new Error(JSON.stringify(p.problems));
  return buildFromSources(p.source, []).manifest!;
}

function setupFor(version: string, route: Parameters<typeof replay>[1]) {
  const { dir, socket } = socketDir();
  // bgpd's vty socket takes connections but ends each at once: the driver's own vty session cannot
  // be had, so it runs vtysh (replayed here), and looks at the socket when vtysh fails
  const vtyConnections = { count: 0 };
  const vty = createServer((c) => {
    vtyConnections.count++;
    c.destroy();
  }).listen(join(socket, "bgpd.vty"));
  onTestFinished(() => void vty.close());
  const m = host1(dir, socket);
  const r = replay("frr", route, version);
  return { m, driver: createFrrDriver(m.daemon, { exec: r.exec, grSettleMs: 40 }), calls: r.calls, argv: r.argv, socket, vtyConnections };
}

function socketDir() {
  const dir = tmpTree({});
  const socket = join(dir, "run");
  mkdirSync(socket);
  writeFileSync(join(socket, "bgpd.pid"), "4242\n");
  return { dir, socket };
}

/** `unnum` of the capture fabric (AS65106): one unnumbered session to tor2 over eth0, IPv4 and IPv6 */
function unnum(dir: string, socket: string) {
  const text = `version: 1
daemon: {type: frr, config_file: ${dir}/frr.conf, socket: ${socket}}
router: {asn: 65106, router_id: 192.0.2.16}
peers:
  - {name: tor2, interface: eth0, remote_asn: 65002}
policy: {allowed_prefixes: [192.0.2.0/24, "2001:db8::/32"]}
services:
  - {name: one, prefixes: [192.0.2.16/32, "2001:db8::16/128"]}
`;
  const p = parseManifestText("/etc/svcroute/svcroute.yaml", text);
  if (!p.ok) throw new Error(JSON.stringify(p.problems));
  return buildFromSources(p.source, []).manifest!;
}

/** the driver with bgpd's vty socket answering `sessions` (captured vty sessions, in order); vtysh is never expected */
async function overVty(version: string, sessions: string[], manifest = host1) {
  const { dir, socket } = socketDir();
  const script = sessions.flatMap((f, i) => vtySession(version, f).slice(i === 0 ? 0 : 1)); // one connection: one `enable`
  const server = await vtyReplay(join(socket, "bgpd.vty"), script);
  const m = manifest(dir, socket);
  const r = replay("frr", () => undefined, version);
  const driver = createFrrDriver(m.daemon, { exec: r.exec, grSettleMs: 40 });
  onTestFinished(() => driver.close());
  return { m, driver, server, calls: r.calls };
}


/** what host1's bgpd was sending each peer when the captures were taken (vtysh's and the vty session's alike) */
const HOST1_OBSERVED = [
  ["tor1", "Established", { "4": ["192.0.2.100/32", "192.0.2.11/32"], "6": [] }],
  ["tor1-v6", "Established", { "4": [], "6": ["2001:db8::100/128", "2001:db8::11/128"] }],
  ["tor2", "Established", { "4": ["192.0.2.100/32", "192.0.2.11/32"], "6": [] }],
  ["tor2-v6", "Established", { "4": [], "6": ["2001:db8::100/128", "2001:db8::11/128"] }],
];

async function rejection(p: Promise<unknown>) {
  const e = toSvcrouteError(await p.then(() => new Error("accepted"), (x: unknown) => x));
  return { code: e.code, text: formatError(e) };
}

describe.each(FRR_VERSIONS)("%s", (version) => {
  const setup = (route: Parameters<typeof replay>[1]) => setupFor(version, route);

  describe("FRR driver: validate (vtysh -C and bgpd -C side by side)", () => {
    it("a config both parsers accept", async () => {
      const { driver, calls } = setup((cmd) => (cmd.endsWith("vtysh") ? "vtysh-C-good.txt" : cmd.endsWith("bgpd") ? "bgpd-C-good.txt" : undefined));
      await driver.validate("frr defaults datacenter\n");
      expect(calls.map((c) => c.split(" ")[0])).toEqual(["vtysh", "bgpd"]);
    });

    it("vtysh -C's grammar error: E_DAEMON_REJECTED with the line; bgpd, asked at the same time, not heard", async () => {
      const text = "frr defaults datacenter\nrouter bgp 65101\n neighbour 169.254.1.2 remote-as 65001\n";
      const { driver, calls } = setup((cmd) => (cmd.endsWith("vtysh") ? "vtysh-C-bad-grammar.txt" : "bgpd-C-undefined-neighbor.txt"));
      const r = await rejection(driver.validate(text));
      expect(r.code).toBe("E_DAEMON_REJECTED");
      expect(r.text).toMatch(/frr\.conf:3: Unknown command\n {4}neighbour 169\.254\.1\.2 remote-as 65001/);
      expect(r.text).not.toMatch(/Config Failed/);
      expect(r.text).toMatch(/E_DAEMON_REJECTED: vtysh -C rejected/);
      expect(calls.map((c) => c.split(" ")[0]).sort()).toEqual(["bgpd", "vtysh"]);
    });

    it("bgpd -C's semantic error (it exits 0): E_DAEMON_REJECTED naming the lines", async () => {
      const text = readFileSync(capturedFile("frr", "README.md", version), "utf8"); // any text: the line numbers are bgpd's
      const { driver } = setup((cmd) => (cmd.endsWith("vtysh") ? "vtysh-C-good.txt" : "bgpd-C-undefined-neighbor.txt"));
      const r = await rejection(driver.validate(text));
      expect(r.code).toBe("E_DAEMON_REJECTED");
      expect(r.text).toMatch(/frr\.conf:6: Command returned Warning Config Failed/);
      expect(r.text).toMatch(/frr\.conf:7: Command returned Warning Config Failed/);
    });

    it("a route-map that is never defined passes both (FRR accepts it silently): the driver says so too", async () => {
      const { driver } = setup((cmd) => (cmd.endsWith("vtysh") ? "vtysh-C-good.txt" : "bgpd-C-undefined-route-map.txt"));
      await driver.validate("frr defaults datacenter\n");
    });

    it("a rejected line that holds a password: the evidence names the line, never the password", async () => {
      const lines = ["frr defaults datacenter", "router bgp 65101", " neighbor 169.254.1.2 remote-as 65001", ` neighbor 169.254.1.2 password ${PASSWORD} extra`, "exit"];
      for (const file of ["vtysh-C-password-line.txt", "bgpd-C-password-undefined-neighbor.txt"]) {
        expect(readFileSync(capturedFile("frr", file, version), "utf8"), `${file} quotes the password (as FRR does)`).toContain(PASSWORD);
        const { driver } = setup((cmd) => (cmd.endsWith("vtysh") ? (file.startsWith("vtysh") ? file : "vtysh-C-good.txt") : file));
        const r = await rejection(driver.validate(`${lines.join("\n")}\n`));
        expect(r.code).toBe("E_DAEMON_REJECTED");
        expect(r.text).toMatch(/:4: /);
        expect(r.text).toContain("password <secret>");
        expect(r.text).not.toContain(PASSWORD);
      }
    });
  });

  describe("FRR driver: reload (frr-reload.py)", () => {
    /** frr-reload.py's answers, and bgpd's sessions before and after the apply (captured around a real one) */
    const reloadWith = (reload: string, test?: string, sessions: string[] = ["reset.established", "reset.established"]) => {
      let reads = 0;
      return setup((cmd, args) => {
        if (cmd.endsWith("frr-reload.py")) return args[0] === "--reload" ? reload : test;
        const c = vtyshCmds(args).join();
        if (cmd.endsWith("vtysh") && c === "show bgp neighbors json") {
          const f = sessions[Math.min(reads++, sessions.length - 1)]!;
          return f.endsWith(".txt") ? f : `${f}.show-bgp-neighbors.json`;
        }
        if (cmd.endsWith("vtysh") && c.startsWith("clear bgp ")) return "vtysh-toggle-announce.txt"; // an empty answer
        return undefined;
      });
    };
    const clears = (calls: string[]) => calls.filter((c) => c.startsWith("vtysh") && c.includes("-c clear bgp"));

    it("nothing to change, one network added, or back to the original config: done, no session touched", async () => {
      for (const f of ["frr-reload-reload-unchanged.txt", "frr-reload-reload-network-added.txt", "frr-reload-reload-restored.txt"]) {
        const { driver, calls } = reloadWith(f);
        const r = await driver.reload();
        expect(r.sessionsRestarted).toBe(false);
        expect(clears(calls)).toEqual([]);
      }
    });

    // a bgpd busy with the reload may answer vtysh with nothing (an empty answer, as a toggle's)
    if (version === "frr-8.4") it("sessions read after the apply with no answer at first: asked again, the change still judged (not a failed apply)", async () => {
      const { driver, calls } = reloadWith("reset.frr-reload-reload-global-gr.txt", undefined, ["reset.established", "vtysh-toggle-announce.txt", "reset.global-gr"]);
      const r = await driver.reload();
      expect(r.sessionsRestarted).toBe(true);
      // before, the empty answer, after; then four more while bgpd is given its second to renew it itself
      expect(calls.filter((c) => c.includes("show bgp neighbors json"))).toHaveLength(3 + 4);
    });

    // FRR 10.3 resets such a session itself (frr-reset.test.ts)
    if (version === "frr-8.4") it("a graceful-restart change on an Established session that FRR keeps (8.4): that one neighbour is reset, not every session", async () => {
      const { driver, calls } = reloadWith("reset.frr-reload-reload-global-gr.txt", undefined, ["reset.established", "reset.global-gr"]);
      const r = await driver.reload();
      expect(r.sessionsRestarted).toBe(true);
      expect(clears(calls)).toEqual([expect.stringMatching(/-c clear bgp 169\.254\.1\.2$/)]);
      expect(r.output).toMatch(/reset for a graceful-restart change: 169\.254\.1\.2$/);
    });

    if (version === "frr-8.4") it("a graceful-restart change whose session bgpd renews itself a moment after the apply: not reset again", async () => {
      const { driver, calls } = reloadWith("reset.frr-reload-reload-peer-gr.txt", "frr-reload-test-unchanged.txt", ["reset.established", "reset.peer-gr", "reset.peer-gr", "reset.renewed"]);
      const r = await driver.reload();
      expect(r.sessionsRestarted).toBe(false);
      expect(clears(calls)).toEqual([]);
    });

    it("FRR's own advice after `bgp graceful-restart` (reset all peers) is not followed: only a session whose mode changed under it is reset, here none", async () => {
      const { driver, calls } = reloadWith("frr-reload-reload-graceful-restart.txt");
      const r = await driver.reload();
      expect(r.output).toMatch(/\[\d+\|bgpd\] done|reset all peers to take effect/);
      expect(r.sessionsRestarted).toBe(false);
      expect(clears(calls)).toEqual([]);
    });

    // FRR 10.3 takes the session down itself (frr-reset.test.ts): the one that comes back runs the new mode
    if (version === "frr-10.3") it("a graceful-restart change, global then per neighbour, that FRR 10.3 carries out itself: no session is reset again", async () => {
      for (const [reload, sessions] of [
        ["reset.frr-reload-reload-global-gr.txt", ["reset.established", "reset.global-gr"]],
        ["reset.frr-reload-reload-peer-gr.txt", ["reset.global-gr", "reset.peer-gr"]],
      ] as const) {
        const { driver, calls } = reloadWith(reload, "frr-reload-test-unchanged.txt", [...sessions]);
        const r = await driver.reload();
        expect(r.sessionsRestarted, reload).toBe(false);
        expect(clears(calls), reload).toEqual([]);
      }
    });

    it("the cold start (a bgpd with no neighbours gets the whole config; FRR warns to reset all peers): no session reset", async () => {
      const { driver, calls } = reloadWith("reset.frr-reload-reload-cold-start.txt", "frr-reload-test-unchanged.txt", ["reset.cold", "reset.cold-applied"]);
      const r = await driver.reload();
      expect(r.output).toMatch(/reset all peers to take effect/);
      expect(r.sessionsRestarted).toBe(false);
      expect(clears(calls)).toEqual([]);
    });

    it("a line bgpd refuses: E_APPLY with what is still different, the password masked", async () => {
      const { driver } = reloadWith("frr-reload-reload-refused-password.txt", "frr-reload-test-refused-password.txt");
      const r = await rejection(driver.reload());
      expect(r.code).toBe("E_APPLY");
      expect(r.text).toMatch(/\+ .*neighbor 169\.254\.1\.9 password <secret>/);
      expect(r.text).not.toContain(PASSWORD);
    });

    it("no daemon behind the socket: E_DAEMON_UNAVAILABLE", async () => {
      const { driver } = reloadWith("frr-reload-reload-no-daemon.txt");
      expect((await rejection(driver.reload())).code).toBe("E_DAEMON_UNAVAILABLE");
    });
  });

  describe("FRR driver: reload from what bgpd was given (only the change, in one vtysh call)", () => {
    const conf = (...nets: string[]) => ["frr defaults datacenter", "router bgp 65101", " address-family ipv4 unicast", ...nets.map((n) => `  network ${n}`), " exit-address-family", "exit", ""].join("\n");
    const FROM = conf("192.0.2.11/32");
    /** the file on disk holds one more network than FROM; vtysh's answer to the change is `answer` */
    const given = (answer: string) => {
      const s = setup((cmd, args) => {
        const c = vtyshCmds(args);
        if (cmd.endsWith("vtysh") && c[0] === "configure terminal") return answer;
        if (cmd.endsWith("frr-reload.py")) return args[0] === "--reload" ? "frr-reload-reload-network-added.txt" : "frr-reload-test-unchanged.txt";
        if (cmd.endsWith("vtysh") && c.join() === "show bgp neighbors json") return "reset.established.show-bgp-neighbors.json";
        return undefined;
      });
      writeFileSync(s.m.daemon.configFile, conf("192.0.2.11/32", "192.0.2.100/32"));
      return s;
    };

    it("the instance that was given it (bgpd.pid): the commands of the change, all daemons' vtysh, frr-reload.py never run", async () => {
      const s = given("vtysh-toggle-announce.txt"); // vtysh says nothing when every command takes
      const { driver, argv } = s;
      const r = await driver.reload({ text: FROM, instance: "4242" });
      expect(r.how).toBe("incremental");
      expect(argv).toHaveLength(1);
      expect(s.vtyConnections.count, "bgpd's own vty socket tried").toBe(0);
      // not bgpd's vty socket, nor vtysh -d bgpd: zebra holds its own copy of route-maps and prefix-lists
      expect(argv[0]!.slice(1, 3)).toEqual(["--vty_socket", s.socket]);
      expect(vtyshCmds(argv[0]!.slice(1))).toEqual(["configure terminal", "router bgp 65101", "address-family ipv4 unicast", "network 192.0.2.100/32", "exit-address-family", "exit", "end"]);
    });

    it("another instance, or one not known: the whole file through frr-reload.py", async () => {
      for (const instance of ["4243", null]) {
        const { driver, calls } = given("vtysh-toggle-announce.txt");
        const r = await driver.reload({ text: FROM, instance });
        expect(r.how, String(instance)).toBe("whole");
        expect(calls.some((c) => c.includes("configure terminal")), String(instance)).toBe(false);
        expect(calls.some((c) => c.startsWith("frr-reload.py --reload")), String(instance)).toBe(true);
      }
    });

    it("a change whose command line would pass INCREMENTAL_MAX_BYTES: the whole file, vtysh never run with it", async () => {
      const s = given("vtysh-toggle-announce.txt");
      const many = Array.from({ length: Math.ceil(INCREMENTAL_MAX_BYTES / 40) }, (_, i) => `2001:db8:1::${i.toString(16)}/128`);
      writeFileSync(s.m.daemon.configFile, conf("192.0.2.11/32", ...many));
      const r = await s.driver.reload({ text: FROM, instance: "4242" });
      expect(r.how).toBe("whole");
      expect(s.calls.some((c) => c.includes("configure terminal"))).toBe(false);
    });

    it("vtysh running out of time on the change: the whole file follows (it may have taken part of it)", async () => {
      const { dir, socket } = socketDir();
      const m = host1(dir, socket);
      writeFileSync(m.daemon.configFile, conf("192.0.2.11/32", "192.0.2.100/32"));
      const r = replay("frr", (cmd, args) => (cmd.endsWith("frr-reload.py") ? (args[0] === "--reload" ? "frr-reload-reload-network-added.txt" : "frr-reload-test-unchanged.txt") : "reset.established.show-bgp-neighbors.json"), version);
      const limits: number[] = [];
      const exec: typeof r.exec = async (file, args, opts) => {
        if (vtyshCmds([...args])[0] !== "configure terminal") return r.exec(file, args, opts);
        limits.push(opts?.timeoutMs ?? 0);
        return { code: null, stdout: "", stderr: "", durationMs: opts?.timeoutMs ?? 0, timedOut: true, notFound: false, error: "timed out" };
      };
      const driver = createFrrDriver(m.daemon, { exec, grSettleMs: 40, timeoutMs: 1000 });
      onTestFinished(() => driver.close());
      const out = await driver.reload({ text: FROM, instance: "4242" });
      expect(out.how).toBe("whole");
      expect(out.output).toMatch(/^incremental: vtysh \(incremental apply\) did not finish within \d+ ms; the whole file follows/);
      // the usual limit and a millisecond a command (7 here)
      expect(limits).toEqual([1007]);
    });

    it("a command refused: the whole file follows, and the output says what was refused", async () => {
      const { driver, calls } = given("vtysh-toggle-refused.txt");
      const r = await driver.reload({ text: FROM, instance: "4242" });
      expect(r.how).toBe("whole");
      expect(r.output).toMatch(/incremental: refused % Unknown command: .*; the whole file follows/);
      expect(calls.some((c) => c.startsWith("frr-reload.py --reload"))).toBe(true);
    });
  });

  describe("FRR driver: the file against the running config (frr-reload.py --test, for `svcroute diff` and doctor)", () => {
    const testWith = (file: string) => setup((cmd, args) => (cmd.endsWith("frr-reload.py") && args[0] === "--test" ? file : undefined));

    it("nothing to change: an empty diff (frr-reload's own hostname noise left out)", async () => {
      const { m, driver, calls } = testWith("frr-reload-test-unchanged.txt");
      expect(await driver.diffAgainst(m.daemon.configFile)).toEqual({ toDelete: [], toAdd: [] });
      expect(calls).toEqual([expect.stringMatching(/frr-reload\.py --test .*frr\.conf$/)]);
    });

    it("a network the running config lacks: the lines to add, under their router and address family", async () => {
      const { m, driver } = testWith("frr-reload-test-changed.txt");
      const d = await driver.diffAgainst(m.daemon.configFile);
      expect(d?.toDelete).toEqual([]);
      expect(d?.toAdd.slice(0, 3).map((l) => l.trim())).toEqual(["router bgp 65101", "address-family ipv4 unicast", "network 192.0.2.55/32"]);
    });
  });

  describe("FRR driver: the fast path (`[no] network P` in one vtysh session)", () => {
    const toggle = (answer: string) => setup((cmd) => (cmd.endsWith("vtysh") ? answer : undefined));
    const op = (to: "withdrawn" | "normal") => [{ service: "one", prefix: "192.0.2.11/32", family: 4 as const, from: to === "withdrawn" ? ("normal" as const) : ("withdrawn" as const), to }];

    it("withdraw and announce: one session, withdrawals first, in the prefix's address family", async () => {
      const { m, driver, calls } = toggle("vtysh-toggle-withdraw.txt");
      await driver.toggle(buildModel(m), op("withdrawn"));
      expect(calls[0]).toContain("-c router bgp 65101 -c address-family ipv4 unicast -c no network 192.0.2.11/32 -c exit-address-family -c end");
      const a = toggle("vtysh-toggle-announce.txt");
      await a.driver.toggle(buildModel(a.m), op("normal"));
      expect(a.calls[0]).toContain("-c network 192.0.2.11/32 -c exit-address-family");
    });

    it("the same state with other attributes (from = to): the running statement goes, the model's comes, in one session", async () => {
      const { m, driver, calls } = toggle("vtysh-toggle-announce.txt");
      await driver.toggle(buildModel(m), [{ service: "one", prefix: "192.0.2.11/32", family: 4, from: "normal", to: "normal" }]);
      expect(calls[0]).toContain("-c no network 192.0.2.11/32 -c network 192.0.2.11/32 -c exit-address-family");
    });

    it("a prefix gone from the manifest is withdrawn in its family's address family; announcing one is an internal error", async () => {
      const { m, driver, calls } = toggle("vtysh-toggle-withdraw.txt");
      const gone = (to: "withdrawn" | "normal") => [{ service: "gone", prefix: "192.0.2.99/32", family: 4 as const, from: "normal" as const, to }];
      await driver.toggle(buildModel(m), gone("withdrawn"));
      expect(calls[0]).toContain("-c address-family ipv4 unicast -c no network 192.0.2.99/32 -c exit-address-family");
      expect((await rejection(driver.toggle(buildModel(m), gone("normal")))).code).toBe("E_INTERNAL");
    });

    it("withdrawing what is not there (a retry) is done already; a statement bgpd refuses is E_APPLY", async () => {
      const absent = toggle("vtysh-toggle-withdraw-absent.txt");
      await absent.driver.toggle(buildModel(absent.m), op("withdrawn"));
      const refused = toggle("vtysh-toggle-refused.txt");
      const r = await rejection(refused.driver.toggle(buildModel(refused.m), op("normal")));
      expect(r.code).toBe("E_APPLY");
      expect(r.text).toMatch(/vtysh refused the change: %/);
    });

    it("no daemon: E_DAEMON_UNAVAILABLE", async () => {
      const { m, driver } = toggle("vtysh-no-daemon.txt");
      expect((await rejection(driver.toggle(buildModel(m), op("withdrawn")))).code).toBe("E_DAEMON_UNAVAILABLE");
    });
  });

  describe("FRR driver: the fast path and observe over bgpd's vty socket (no vtysh started)", () => {
    const op = (to: "withdrawn" | "normal") => [{ service: "one", prefix: "192.0.2.11/32", family: 4 as const, from: to === "withdrawn" ? ("normal" as const) : ("withdrawn" as const), to }];

    it("withdraw, withdraw again (not there: done), announce: one vty session, withdrawals first, no process", async () => {
      const { m, driver, server, calls } = await overVty(version, ["vty.toggle-withdraw.json", "vty.toggle-withdraw-absent.json", "vty.toggle-announce.json"]);
      await driver.toggle(buildModel(m), op("withdrawn"));
      await driver.toggle(buildModel(m), op("withdrawn"));
      await driver.toggle(buildModel(m), op("normal"));
      expect(calls).toEqual([]);
      expect(server.connections).toBe(1);
      expect(server.received.filter((c) => c.includes("network"))).toEqual(["no network 192.0.2.11/32", "no network 192.0.2.11/32", "network 192.0.2.11/32"]);
    });

    it("a statement bgpd refuses: E_APPLY quoting bgpd, and the session is left outside configure mode", async () => {
      const { m, driver, server } = await overVty(version, ["vty.toggle-refused.json"]);
      const built = buildModel(m);
      // the refused statement the capture holds, in place of the prefix's own (a model is frozen: a copy)
      const refused = (x: PrefixToggle) => (x.prefix === "192.0.2.11/32" ? { ...x, frrNetworkByState: { ...x.frrNetworkByState, normal: "network 192.0.2.11/33" } } : x);
      const model: RoutingModel = { ...built, services: built.services.map((s) => (s.name === "one" ? { ...s, prefixes: s.prefixes.map(refused) } : s)) };
      const r = await rejection(driver.toggle(model, op("normal")));
      expect(r.code).toBe("E_APPLY");
      expect(r.text).toMatch(/vtysh refused the change: %/);
      expect(server.received.at(-1)).toBe("end");
    });

    it("observe: each peer's state and what it is sent, from one vty session, as from vtysh", async () => {
      const { m, driver, calls } = await overVty(version, ["vty.observe.json"]);
      const o = await driver.observe(buildModel(m));
      expect(calls).toEqual([]);
      expect(o.via).toBe("socket");
      expect(o.peers.map((p) => [p.name, p.state, p.advertised])).toEqual(HOST1_OBSERVED);
    });
  });

  describe("FRR driver: the narrow read that proves a toggle (`show bgp AF P json`, its advertisedTo)", () => {
    const ASKED = [
      { prefix: "192.0.2.11/32", family: 4 as const },
      { prefix: "2001:db8::11/128", family: 6 as const },
      { prefix: "192.0.2.99/32", family: 4 as const },
    ];
    const sent = (o: { sentTo: Map<string, Set<string>> }) => Object.fromEntries([...o.sentTo].map(([p, to]) => [p, [...to].sort()]));
    const HOST1_SENT = { "192.0.2.11/32": ["tor1", "tor2"], "2001:db8::11/128": ["tor1-v6", "tor2-v6"], "192.0.2.99/32": [] };

    it("over bgpd's vty socket: each peer's session, and the peers each prefix is sent to; one in no table is sent to nobody", async () => {
      const { m, driver, server, calls } = await overVty(version, ["vty.observe-prefixes.json"]);
      const o = await driver.observePrefixes!(buildModel(m), ASKED);
      expect(calls).toEqual([]);
      expect(server.received.slice(1)).toEqual(["show bgp neighbors json", "show bgp ipv4 unicast 192.0.2.11/32 json", "show bgp ipv6 unicast 2001:db8::11/128 json", "show bgp ipv4 unicast 192.0.2.99/32 json"]);
      expect(o).toMatchObject({ via: "socket", instance: "4242" });
      expect(o.peers.map((p) => [p.name, p.state, p.advertised])).toEqual(HOST1_OBSERVED.map(([n, st]) => [n, st, null]));
      expect(sent(o)).toEqual(HOST1_SENT);
      // the routes bgpd counts as sent each peer: as many as the full read lists (what the narrow proof checks its reading against)
      expect(o.peers.map((p) => p.sent)).toEqual(HOST1_OBSERVED.map(([, , adv]) => (adv as Record<"4" | "6", string[]>)["4"].length + (adv as Record<"4" | "6", string[]>)["6"].length));
    });

    it("through vtysh (the socket not to be had): the same, from its documents back to back", async () => {
      const { m, driver, calls } = setup((cmd, args) => (cmd.endsWith("vtysh") && vtyshCmds(args)[1]?.endsWith("192.0.2.11/32 json") ? "driver.observe-prefixes.txt" : undefined));
      const o = await driver.observePrefixes!(buildModel(m), ASKED);
      expect(calls).toHaveLength(1);
      expect(o.via).toBe("program");
      expect(o.peers.map((p) => [p.name, p.state])).toEqual(HOST1_OBSERVED.map(([n, st]) => [n, st]));
      expect(sent(o)).toEqual(HOST1_SENT);
    });

    it("an unnumbered peer: bgpd names it by its interface, and the read names the manifest's peer", async () => {
      const { m, driver } = await overVty(version, ["vty.unnumbered.observe-prefixes.json"], unnum);
      const o = await driver.observePrefixes!(buildModel(m), [
        { prefix: "192.0.2.16/32", family: 4 },
        { prefix: "2001:db8::16/128", family: 6 },
      ]);
      expect(o.peers.map((p) => [p.name, p.state])).toEqual([["tor2", "Established"]]);
      expect(sent(o)).toEqual({ "192.0.2.16/32": ["tor2"], "2001:db8::16/128": ["tor2"] });
    });
  });

  describe("FRR driver: observe and the sweep", () => {
    const ADV: Record<string, string> = {
      "show bgp neighbors json": "host1.show-bgp-neighbors.json",
      "show bgp ipv4 unicast neighbors 169.254.1.2 advertised-routes json": "driver.tor1.ipv4.advertised-routes.json",
      "show bgp ipv6 unicast neighbors fd00:1::2 advertised-routes json": "driver.tor1.ipv6.advertised-routes.json",
      "show bgp ipv4 unicast neighbors 169.254.2.2 advertised-routes json": "driver.tor2.ipv4.advertised-routes.json",
      "show bgp ipv6 unicast neighbors fd00:2::2 advertised-routes json": "driver.tor2.ipv6.advertised-routes.json",
    };

    it("each peer's state and what it is sent, per family, from one vtysh session", async () => {
      const { m, driver, calls } = setup((cmd, args) => (cmd.endsWith("vtysh") ? vtyshCmds(args).map((c) => ADV[c]!) : undefined));
      const o = await driver.observe(buildModel(m));
      expect(calls).toHaveLength(1);
      expect(o.via).toBe("program");
      expect(o.instance).toBe("4242");
      expect(o.peers.map((p) => [p.name, p.state, p.advertised])).toEqual(HOST1_OBSERVED);
    });

    it("the fail-closed sweep withdraws every network of the running config, per address family", async () => {
      const { driver, argv } = setup((cmd, args) => {
        if (!cmd.endsWith("vtysh")) return undefined;
        return vtyshCmds(args)[0] === "show running-config" ? "host1.show-running-config.txt" : "vtysh-toggle-withdraw.txt";
      });
      await driver.withdrawAllNow();
      expect(argv).toHaveLength(2);
      const sweep = vtyshCmds(argv[1]!);
      expect(sweep.filter((c) => c.startsWith("no network"))).toEqual(["no network 192.0.2.11/32", "no network 192.0.2.100/32", "no network 2001:db8::11/128", "no network 2001:db8::100/128"]);
      expect(sweep.slice(0, 2)).toEqual(["configure terminal", "router bgp 65101"]);
    });

    it("resend: an outbound route refresh to the named peers only, in each address family they are in; a refusal is an error", async () => {
      const { m, driver, argv } = setup((cmd) => (cmd.endsWith("vtysh") ? "vtysh-toggle-announce.txt" : undefined)); // an empty answer
      const model = buildModel(m);
      const announced = model.frr.bgp.addressFamilies.flatMap((af) => af.networks.map((n) => n.split(" ")[1]!));
      // prefixes the config announces: sent again, nothing else
      await driver.resend!(model, [
        { peer: "tor1", prefixes: [announced.find((p) => !p.includes(":"))!] },
        { peer: "tor2-v6", prefixes: [announced.find((p) => p.includes(":"))!] },
      ]);
      expect(argv).toHaveLength(1);
      const keyOf = (peer: string) => model.frr.bgp.neighbors.find((n) => n.peer === peer)!.key;
      expect(vtyshCmds(argv[0]!)).toEqual([`clear bgp ipv4 unicast ${keyOf("tor1")} soft out`, `clear bgp ipv6 unicast ${keyOf("tor2-v6")} soft out`]);
      const refused = setup((cmd) => (cmd.endsWith("vtysh") ? "vtysh-toggle-refused.txt" : undefined));
      expect((await rejection(refused.driver.resend!(buildModel(refused.m), [{ peer: "tor1", prefixes: [] }]))).code).toBe("E_APPLY");
    });

    it("resend: a prefix no network of the config names is configured and removed again in its address family, before the refresh", async () => {
      const { m, driver, argv } = setup((cmd) => (cmd.endsWith("vtysh") ? "vtysh-toggle-announce.txt" : undefined));
      const model = buildModel(m);
      expect(model.frr.bgp.addressFamilies.flatMap((af) => af.networks).some((n) => n.includes("198.51.100.77/32"))).toBe(false);
      await driver.resend!(model, [
        { peer: "tor1", prefixes: ["198.51.100.77/32"] },
        { peer: "tor2", prefixes: ["198.51.100.77/32", "2001:db8::77/128"] },
      ]);
      expect(argv).toHaveLength(2);
      expect(vtyshCmds(argv[0]!)).toEqual([
        "configure terminal",
        `router bgp ${model.asn}`,
        "address-family ipv4 unicast",
        "network 198.51.100.77/32",
        "no network 198.51.100.77/32",
        "exit-address-family",
        "address-family ipv6 unicast",
        "network 2001:db8::77/128",
        "no network 2001:db8::77/128",
        "exit-address-family",
        "end",
      ]);
      expect(vtyshCmds(argv[1]!).every((c) => /^clear bgp ipv[46] unicast \S+ soft out$/.test(c))).toBe(true);
      // refused: the refresh is still sent, and the error names both refusals
      const refused = setup((cmd) => (cmd.endsWith("vtysh") ? "vtysh-toggle-refused.txt" : undefined));
      const e = await rejection(refused.driver.resend!(buildModel(refused.m), [{ peer: "tor1", prefixes: ["198.51.100.77/32"] }]));
      expect(refused.argv).toHaveLength(2);
      expect(e.code).toBe("E_APPLY");
      expect(e.text).toMatch(/refused taking 198\.51\.100\.77\/32 out of its table: .*; and refused the route refresh/);
    });

    it("instance: bgpd's pid file; without it the daemon is unavailable", async () => {
      const { driver, socket } = setup(() => undefined);
      expect(await driver.instance()).toBe("4242");
      const { rmSync } = await import("node:fs");
      rmSync(join(socket, "bgpd.pid"));
      expect((await rejection(driver.instance())).code).toBe("E_DAEMON_UNAVAILABLE");
    });
  });
});
