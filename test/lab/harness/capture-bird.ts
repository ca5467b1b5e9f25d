// BIRD outputs: birdc show commands, the parser's errors, and what `birdc configure` says.
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
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
  await bc(rec, lab, "host2", "host2.show-route-all.txt", "show route all", "every route with attributes (defaults from both ToRs, service addresses)");
  await bc(rec, lab, "host2", "host2.show-bfd-sessions.txt", "show bfd sessions", "BFD sessions toward both ToRs, up");
  await bc(rec, lab, "badbird", "badbird.show-bfd-sessions.txt", "show bfd sessions", "BFD session of a host whose BGP session is down");
}

export async function captureBirdConfig(rec: Recorder, lab: Lab, scratch: string): Promise<void> {
  const paths = lab.birdPaths("host2");
  const good = readFileSync(paths.configFile, "utf8");
  const bad = `${good}\nprotocol static broken {\n  ipv4;\n  route 192.0.2.99/32 via;\n}\n`;
  const badFile = join(scratch, "bad-bird.conf");
  writeFileSync(badFile, bad);
  const where = "host2 (running BIRD)";
  await rec.command("bird-p-bad.txt", ["bird", "-p", "-c", badFile], { where: "no daemon needed", note: "parse-only check of a config with a syntax error (exit 1, FILE:LINE:COL message)" });
  await rec.command("bird-p-good.txt", ["bird", "-p", "-c", paths.configFile], { where: "no daemon needed", note: "parse-only check of a good config (no output)" });
  const birdc = (...args: string[]): [string, ...string[]] => ["birdc", "-s", paths.socket, ...args];
  await rec.command("birdc-configure-check-ok.txt", birdc("configure", "check"), { where, note: "check the daemon's own config file" });
  await rec.command("birdc-configure-check-bad.txt", birdc("configure", "check", `"${badFile}"`), { where, note: "check another file that has an error" });
  await rec.command("birdc-configure-unchanged.txt", birdc("configure"), { where, note: "configure with an unchanged file" });
  writeFileSync(paths.configFile, good.replace("hold time 9", "hold time 12").replace("then accept; reject; }", 'then accept; reject "not a default route"; }'));
  await rec.command("birdc-configure-changed.txt", birdc("configure"), { where, note: "configure after a filter and a session change" });
  copyFileSync(badFile, paths.configFile);
  await rec.command("birdc-configure-rejected.txt", birdc("configure"), { where, note: "configure with a syntax error: BIRD keeps the old config; as an argument, birdc exits 1" });
  await rec.command("birdc-configure-rejected-stdin.txt", birdc(), {
    where,
    input: "configure\n",
    shown: `echo configure | birdc -s ${paths.socket}`,
    note: "the same, with the command on stdin: birdc exits 0 although BIRD rejected the config (read the output)",
  });
  writeFileSync(paths.configFile, `${good}\nprotocol bgp incomplete {\n  local as ${lab.host("host2").asn};\n  ipv4;\n}\n`);
  await rec.command("birdc-configure-rejected-semantic.txt", birdc("configure"), { where, note: "configure with a file that parses but is invalid (a BGP protocol without neighbor)" });
  writeFileSync(paths.configFile, good);
  await rec.command("birdc-configure-restored.txt", birdc("configure"), { where, note: "configure back to the original file" });
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
  ];
  for (const [file, cmd, note] of cmds) {
    sock.write(`${cmd}\n`);
    rec.save(file, await reply(), { command: `${cmd} (over the socket)`, where, exit: 0, note });
  }
  sock.destroy();
}
