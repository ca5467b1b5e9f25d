// BIRD outputs: birdc show commands, the parser's errors, and raw control-socket replies, each from
// the BIRD build of the lab's daemon set.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Recorder } from "./capture-record.js";
import { birdProto } from "./host-configs.js";
import type { Lab } from "./lab.js";

async function bc(rec: Recorder, lab: Lab, host: string, file: string, command: string, note: string): Promise<void> {
  const out = await lab.birdc(host, command);
  rec.save(file, out, { command: `birdc -s <${host}>/bird.ctl ${command}`, where: `${host} (BIRD host)`, exit: 0, note });
}

export async function captureBirdShow(rec: Recorder, lab: Lab): Promise<void> {
  const up = birdProto("tor1", "ipv4");
  await bc(rec, lab, "host2", "host2.show-protocols.txt", "show protocols", "all protocols of a dual-homed BIRD host (BGP Established, BFD, direct, kernel)");
  await bc(rec, lab, "host2", "host2.show-protocols-all-established.txt", `show protocols all ${up}`, "an Established BGP session");
  await bc(rec, lab, "badbird", "badbird.show-protocols-all-not-established.txt", `show protocols all ${up}`, "a BGP session that cannot come up (the host expects the wrong ToR ASN)");
  await bc(rec, lab, "badbird", "badbird.show-protocols.txt", "show protocols", "protocols when the BGP session is down");
  await bc(rec, lab, "host2", "host2.show-route-export-v4.txt", `show route export ${up}`, "what the host exports to tor1 over IPv4");
  await bc(rec, lab, "host2", "host2.show-route-export-v6.txt", `show route export ${birdProto("tor1", "ipv6")}`, "what the host exports to tor1 over IPv6");
  await bc(rec, lab, "host2", "host2.show-bfd-sessions.txt", "show bfd sessions", "BFD sessions toward both ToRs, up");
  await bc(rec, lab, "badbird", "badbird.show-bfd-sessions.txt", "show bfd sessions", "BFD session of a host whose BGP session is down");
}

export async function captureBirdConfig(rec: Recorder, lab: Lab, scratch: string): Promise<void> {
  const paths = lab.birdPaths("host2");
  const good = readFileSync(paths.configFile, "utf8");
  const bad = `${good}\nprotocol static broken {\n  ipv4;\n  route 192.0.2.99/32 via;\n}\n`;
  const badFile = join(scratch, "bad-bird.conf");
  writeFileSync(badFile, bad);
  const tools = lab.tools("host2");
  const none = "no daemon needed";
  await rec.command("bird-version.txt", [tools.bird, "--version"], { where: none, shown: "bird --version", note: "the installed BIRD's version (on stderr)" });
  await rec.command("bird-p-bad.txt", [tools.bird, "-p", "-c", badFile], { where: none, shown: `bird -p -c ${badFile}`, note: "parse-only check of a config with a syntax error (exit 1, FILE:LINE:COL message)" });
  await rec.command("bird-p-good.txt", [tools.bird, "-p", "-c", paths.configFile], { where: none, shown: `bird -p -c ${paths.configFile}`, note: "parse-only check of a good config (no output)" });
  // a TCP-MD5 password with and without naming the algorithm (BIRD 2.17 and 3.1 also know TCP-AO)
  const pw = good.replace(/^(\s*graceful restart off;)$/m, '$1\n  password "lab-key";');
  const pwFile = join(scratch, "password.conf");
  writeFileSync(pwFile, pw);
  await rec.command("bird-p-password.txt", [tools.bird, "-p", "-c", pwFile], { where: none, shown: `bird -p -c ${pwFile}`, note: "a BGP password without `authentication`: BIRD 2.17 and 3.1 warn (exit 0)" });
  const authFile = join(scratch, "password-md5.conf");
  writeFileSync(authFile, pw.replace('  password "lab-key";', '  password "lab-key";\n  authentication md5;'));
  await rec.command("bird-p-password-md5.txt", [tools.bird, "-p", "-c", authFile], { where: none, shown: `bird -p -c ${authFile}`, note: "the same with `authentication md5;`: BIRD 2.0 does not know the option (exit 1)" });
  // (svcroute's BIRD driver speaks the control socket itself, raw.* below, never birdc)
}

/** Raw control-socket replies (reply codes included), as svcroute's own BIRD client reads them. */
export async function captureBirdRaw(rec: Recorder, lab: Lab): Promise<void> {
  const { connect } = await import("node:net");
  const paths = lab.birdPaths("host2");
  const sock = connect(paths.socket);
  sock.setEncoding("utf8");
  let buf = "";
  let failed: (e: Error) => void = () => undefined;
  sock.on("error", (e) => failed(e));
  const reply = () =>
    new Promise<string>((resolve, reject) => {
      const done = () => {
        const m = /(^|\n)\d{4} [^\n]*\n/.exec(buf);
        if (!m) return false;
        const end = m.index + m[0].length;
        const r = buf.slice(0, end);
        buf = buf.slice(end);
        sock.off("data", onData);
        resolve(r);
        return true;
      };
      const onData = (d: string) => {
        buf += d;
        done();
      };
      sock.on("data", onData);
      failed = reject;
      done();
    });
  const where = "host2 (running BIRD), raw control socket";
  rec.save("raw.greeting.txt", await reply(), { command: `connect ${paths.socket}`, where, exit: 0, note: "the greeting on connect" });
  const cmds: [string, string, string][] = [
    ["raw.show-status.txt", "show status", "daemon status: server time, last reboot (the instance identity), last reconfiguration"],
    ["raw.show-protocols-all.txt", `show protocols all ${birdProto("tor1", "ipv4")}`, "an Established BGP session, with reply codes"],
    ["raw.show-route-export.txt", `show route export ${birdProto("tor1", "ipv4")}`, "exported routes, with reply codes"],
    ["raw.disable.txt", "disable svc", "disabling a protocol (the fast path)"],
    ["raw.disable-again.txt", "disable svc", "disabling it again"],
    ["raw.enable.txt", "enable svc", "enabling it again"],
    ["raw.configure-timeout.txt", `configure "${paths.configFile}" timeout 30`, "configure with automatic undo unless confirmed"],
    ["raw.configure-confirm.txt", "configure confirm", "confirming it"],
    ["raw.unknown-command.txt", "frobnicate", "a command BIRD does not know (9xxx code)"],
    ["raw.unknown-protocol.txt", "disable nosuchproto", "a protocol that does not exist"],
    ["raw.show-protocols-all-pattern.txt", 'show protocols all "tor1*"', "the BGP protocols by a pattern, as svcroute asks for its peer_* protocols"],
    ["raw.show-protocols-no-match.txt", 'show protocols "nosuch*"', "a pattern no protocol matches"],
  ];
  const ask = async (file: string, cmd: string, note: string) => {
    sock.write(`${cmd}\n`);
    rec.save(file, await reply(), { command: `${cmd} (over the socket)`, where, exit: 0, note });
  };
  for (const [file, cmd, note] of cmds) await ask(file, cmd, note);
  // A reconfiguration that replaces the device protocol (the distribution's unnamed device1
  // becomes svcroute's svcr_device): what BIRD then knows of the interfaces, and a restart of the
  // new device protocol (the BIRD driver's rescan).
  await ask("raw.show-interfaces.txt", "show interfaces", "the interfaces the device protocol knows");
  await ask("raw.show-protocols.txt", "show protocols", "every protocol (the device protocol is device1)");
  const good = readFileSync(paths.configFile, "utf8");
  writeFileSync(paths.configFile, good.replace("protocol device {", "protocol device svcr_device {"));
  await ask("raw.configure-device-replaced.txt", `configure "${paths.configFile}" timeout 30`, "configure with the device protocol renamed to svcr_device");
  await ask("raw.show-interfaces-device-replaced.txt", "show interfaces", "the interfaces right after that reconfiguration");
  await ask("raw.show-protocols-device-replaced.txt", "show protocols", "every protocol after it (svcr_device)");
  await ask("raw.restart-device.txt", "restart svcr_device", "restarting the new device protocol");
  await ask("raw.show-interfaces-rescanned.txt", "show interfaces", "the interfaces after the restart");
  await ask("raw.configure-confirm-device.txt", "configure confirm", "confirming the reconfiguration");
  writeFileSync(paths.configFile, good);
  await ask("raw.configure-restored.txt", `configure "${paths.configFile}"`, "back to the original file (device1 again)");
  sock.destroy();
}
