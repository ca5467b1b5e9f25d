// What FRR answers to the commands svcroute's FRR driver runs (src/daemons/frr.ts), run as the
// driver runs them against host1: frr-reload.py applying a file (unchanged, changed, refused, a
// session-level change, no daemon), vtysh toggling `network` statements, the per-neighbour
// advertised routes the driver observes, and the parsers refusing a line that holds a password.
// Each from the daemon set's FRR (a Debian 13 root's programs through its chroot wrappers);
// test/unit/daemons/frr-driver.test.ts replays every version's through a fake exec.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Recorder } from "./capture-record.js";
import type { Lab } from "./lab.js";

/** a made-up TCP-MD5 password: the captures show how FRR quotes a line that holds one */
export const CAPTURED_PASSWORD = "S3cret-md5.key$7";

export async function captureFrrDriver(rec: Recorder, lab: Lab, scratch: string): Promise<void> {
  const host1 = lab.frrPaths("host1");
  const asn = lab.host("host1").asn;
  const where = "host1 (running FRR)";
  const tools = lab.tools("host1");
  const vty = (socket: string, cmds: string[]): [string, ...string[]] => [tools.vtysh, "--vty_socket", socket, ...cmds.flatMap((c) => ["-c", c])];

  // observe: every neighbour's advertised routes, per family (the driver asks them in one session)
  for (const tor of ["tor1", "tor2"]) {
    const l = lab.link("host1", tor);
    for (const [af, addr] of [["ipv4", l.tor4], ["ipv6", l.tor6]] as const) {
      const cmd = `show bgp ${af} unicast neighbors ${addr} advertised-routes json`;
      await rec.command(`driver.${tor}.${af}.advertised-routes.json`, vty(host1.socket, [cmd]), { where, note: `what host1 advertises to ${tor} over ${af} (${cmd})` });
    }
  }

  // the same over bgpd's vty socket, as the driver's client speaks it (src/daemons/frr-vty.ts),
  // while every session is up: each command sent NUL-terminated, each reply verbatim
  const socket = join(host1.socket, "bgpd.vty");
  const observed: [string, string[], string][] = [
    [
      "vty.observe.json",
      [
        "show bgp neighbors json",
        ...(["ipv4", "ipv6"] as const).flatMap((f) => ["tor1", "tor2"].map((tor) => `show bgp ${f} unicast neighbors ${lab.link("host1", tor)[f === "ipv4" ? "tor4" : "tor6"]} advertised-routes json`)),
      ],
      "what the driver observes: the sessions, then what each neighbour is sent, per address family",
    ],
  ];
  await vtySessions(rec, socket, where, observed);

  // the narrow read after a toggle: the sessions, then each toggled prefix (its advertisedTo names
  // the neighbours whose outgoing routes hold it); 192.0.2.99/32 is in no table
  const prefixes = ["show bgp neighbors json", "show bgp ipv4 unicast 192.0.2.11/32 json", "show bgp ipv6 unicast 2001:db8::11/128 json", "show bgp ipv4 unicast 192.0.2.99/32 json"];
  await rec.command("driver.observe-prefixes.txt", vty(host1.socket, prefixes), { where, note: "the narrow read through vtysh: the sessions, two announced prefixes and one in no table" });
  await vtySessions(rec, socket, where, [["vty.observe-prefixes.json", prefixes, "the narrow read after a toggle: the sessions, two announced prefixes and one in no table"]]);
  const unnum = lab.frrPaths("unnum");
  await vtySessions(rec, join(unnum.socket, "bgpd.vty"), "unnum (running FRR, unnumbered to tor2)", [
    ["vty.unnumbered.observe-prefixes.json", ["show bgp neighbors json", "show bgp ipv4 unicast 192.0.2.16/32 json", "show bgp ipv6 unicast 2001:db8::16/128 json"], "the narrow read on a host peering unnumbered: neighbours named by interface"],
  ]);

  // the parsers on a line with a password: vtysh -C (grammar) and bgpd -C (an unknown neighbour)
  const badPw = join(scratch, "password-grammar.conf");
  const grammar = `frr defaults datacenter\nrouter bgp ${asn}\n neighbor 169.254.1.2 remote-as 65001\n neighbor 169.254.1.2 password ${CAPTURED_PASSWORD} extra\nexit\n`;
  writeFileSync(badPw, grammar);
  await rec.command("vtysh-C-password-line.txt", [tools.vtysh, "-C", "-f", badPw], { where: "no daemon needed", note: `vtysh -C on a password line with a stray word (it quotes the line):\n${grammar}` });
  const undefPw = join(scratch, "password-undefined-neighbor.conf");
  const semantic = `frr defaults datacenter\nrouter bgp ${asn}\n neighbor 169.254.1.2 remote-as 65001\n neighbor 169.254.1.9 password ${CAPTURED_PASSWORD}\nexit\n`;
  writeFileSync(undefPw, semantic);
  const bgpdC = [tools.bgpd, "-C", "-Z", "-S", "-n", "-p", "0", "-f", undefPw, "--vty_socket", scratch, "-i", join(scratch, "bgpd-pw.pid"), "--log", "stdout"] as [string, ...string[]];
  await rec.command("bgpd-C-password-undefined-neighbor.txt", bgpdC, {
    where: "no daemon needed",
    shown: `/usr/lib/frr/bgpd -C -Z -S -n -p 0 -f ${undefPw} --vty_socket DIR -i DIR/x.pid --log stdout`,
    note: `bgpd -C on a password for a neighbour that is not configured (it quotes the line, exit 0):\n${semantic}`,
  });

  // frr-reload.py as the driver runs it: a config file in its own confdir, scratch rundir
  const confdir = join(scratch, "reload");
  mkdirSync(confdir, { recursive: true });
  const file = join(confdir, "frr.conf");
  const good = readFileSync(host1.configFile, "utf8");
  const reload = (mode: "--reload" | "--test", socket = host1.socket): [string, ...string[]] => [
    tools.frrReload, mode, "--stdout", "--confdir", confdir, "--vty_socket", socket, "--rundir", scratch, file,
  ];
  const step = async (name: string, text: string, note: string, mode: "--reload" | "--test" = "--reload", socket?: string) => {
    writeFileSync(file, text);
    await rec.command(name, reload(mode, socket), { where, note });
  };
  await step("frr-reload-reload-unchanged.txt", good, "frr-reload.py --reload of the running config (nothing to do)");
  const added = good.replace(/^( +network 192\.0\.2\.11\/32)$/m, "$1\n  network 192.0.2.55/32");
  await step("frr-reload-reload-network-added.txt", added, "frr-reload.py --reload with one `network` line added");
  const gr = added.replace(" bgp graceful-restart-disable\n", " bgp graceful-restart\n");
  await step("frr-reload-reload-graceful-restart.txt", gr, "frr-reload.py --reload with `bgp graceful-restart` added (a session-level change)");
  const refused = good.replace(/^(router bgp \d+)$/m, `$1\n neighbor 169.254.1.9 password ${CAPTURED_PASSWORD}`);
  await step("frr-reload-reload-refused-password.txt", refused, "frr-reload.py --reload of a password for a neighbour that is not configured: bgpd refuses the line");
  await step("frr-reload-test-refused-password.txt", refused, "frr-reload.py --test of the same file afterwards: the refused line is still to be added", "--test");
  const empty = join(scratch, "no-daemon");
  mkdirSync(empty, { recursive: true });
  await step("frr-reload-reload-no-daemon.txt", good, "frr-reload.py --reload with no daemon behind the vty socket directory", "--reload", empty);
  await step("frr-reload-reload-restored.txt", good, "frr-reload.py --reload back to the original config");

  // the fast path: `[no] network P` in one vtysh session
  const toggle = (lines: string[]) => vty(host1.socket, ["configure terminal", `router bgp ${asn}`, "address-family ipv4 unicast", ...lines, "exit-address-family", "end"]);
  await rec.command("vtysh-toggle-withdraw.txt", toggle(["no network 192.0.2.11/32"]), { where, note: "withdraw one prefix (no output)" });
  await rec.command("vtysh-toggle-withdraw-absent.txt", toggle(["no network 192.0.2.11/32"]), { where, note: "withdraw it again: it is not there" });
  await rec.command("vtysh-toggle-announce.txt", toggle(["network 192.0.2.11/32"]), { where, note: "announce it again (no output)" });
  await rec.command("vtysh-toggle-refused.txt", toggle(["network 192.0.2.11/33"]), { where, note: "a statement bgpd refuses" });
  await rec.command("vtysh-no-daemon.txt", vty(empty, ["show bgp neighbors json"]), { where: "no daemon", note: "vtysh with no daemon behind the vty socket directory" });

  // the fast path over bgpd's vty socket
  const af = (lines: string[]) => ["configure terminal", `router bgp ${asn}`, "address-family ipv4 unicast", ...lines, "exit-address-family", "end"];
  const sessions: [string, string[], string][] = [
    ["vty.toggle-withdraw.json", af(["no network 192.0.2.11/32"]), "withdraw one prefix"],
    ["vty.toggle-withdraw-absent.json", af(["no network 192.0.2.11/32"]), "withdraw it again: it is not there"],
    ["vty.toggle-announce.json", af(["network 192.0.2.11/32"]), "announce it again"],
    ["vty.toggle-refused.json", ["configure terminal", `router bgp ${asn}`, "address-family ipv4 unicast", "network 192.0.2.11/33", "end"], "a statement bgpd refuses, then `end`"],
  ];
  await vtySessions(rec, socket, where, sessions);
}

/** each session on a connection of its own, saved as its commands and their replies (output, three NULs, the return code) */
async function vtySessions(rec: Recorder, socket: string, where: string, sessions: [string, string[], string][]): Promise<void> {
  for (const [file, cmds, note] of sessions) {
    const exchanged = await vtyExchange(socket, ["enable", ...cmds]);
    rec.save(file, `${JSON.stringify(exchanged, null, 1)}\n`, { command: `vty session on ${socket}: enable; ${cmds.join("; ")}`, where: `${where}, raw vty socket`, exit: 0, note: `${note} (one connection; \`enable\` first, as vtysh does)` });
  }
}

/** One connection to a daemon's vty socket: each command and its reply, byte for byte (as latin1, so every byte is one character) */
async function vtyExchange(path: string, cmds: string[]): Promise<{ command: string; reply: string }[]> {
  const { connect } = await import("node:net");
  const sock = connect(path);
  let buf = Buffer.alloc(0);
  let wake: () => void = () => undefined;
  let failed: Error | undefined;
  sock.on("data", (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    wake();
  });
  sock.on("error", (e) => {
    failed = e;
    wake();
  });
  sock.on("close", () => {
    failed ??= new Error(`${path}: connection closed`);
    wake();
  });
  const out: { command: string; reply: string }[] = [];
  try {
    for (const command of cmds) {
      sock.write(`${command}\0`);
      const deadline = Date.now() + 10_000;
      for (;;) {
        const i = buf.indexOf(Buffer.from([0, 0, 0]));
        if (i >= 0 && buf.length >= i + 4) {
          out.push({ command, reply: buf.subarray(0, i + 4).toString("latin1") });
          buf = buf.subarray(i + 4);
          break;
        }
        if (failed) throw failed;
        if (Date.now() > deadline) throw new Error(`${path}: no answer to ${command} within 10 s`);
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 1000);
        });
      }
    }
  } finally {
    sock.destroy();
  }
  return out;
}
