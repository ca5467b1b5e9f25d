// bgpd's vty socket client (src/daemons/frr-vty.ts) against the sessions a real bgpd answered,
// for every FRR version of the matrix (test/fixtures/captured/frr/<version>.vty.*.json).
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { FrrVty, parseVtyReply, vtyFrameEnd } from "../../../src/daemons/frr-vty.js";
import { FRR_VERSIONS } from "../../helpers/captures.js";
import { tmpTree } from "../../helpers/tmp.js";
import { vtyReplay, vtySession, type VtyExchange } from "../../helpers/vty-replay.js";

const SESSIONS = ["vty.toggle-withdraw.json", "vty.toggle-withdraw-absent.json", "vty.toggle-announce.json", "vty.toggle-refused.json", "vty.observe.json"];

/** a client on a replay of `script` (its recorded `enable` first) */
async function clientOn(script: VtyExchange[], opts: Parameters<typeof vtyReplay>[2] = {}, timeoutMs = 2000) {
  const path = join(tmpTree({}), "bgpd.vty");
  const server = await vtyReplay(path, script, opts);
  const vty = new FrrVty(path, timeoutMs);
  onTestFinished(() => vty.close());
  return { vty, server };
}

const commands = (s: VtyExchange[]) => s.slice(1).map((x) => x.command);

describe.each(FRR_VERSIONS)("%s", (version) => {
  const session = (f: string) => vtySession(version, f);

  it("every recorded reply is one frame: its output, three NULs and the return code", () => {
    for (const f of SESSIONS) {
      const s = session(f);
      expect(s[0]?.command, f).toBe("enable");
      for (const x of s) {
        expect(vtyFrameEnd(x.reply), `${f}: ${x.command}`).toBe(x.reply.length);
        expect(vtyFrameEnd(x.reply.slice(0, -1)), `${f}: ${x.command}, last byte missing`).toBe(-1);
        // found as the chunks arrive, each scan resuming where the last one stopped
        for (const size of [1, 2, 3, 7]) {
          let checked = 0;
          let end = -1;
          for (let n = size; end < 0 && n < x.reply.length + size; n += size) {
            const buf = x.reply.slice(0, Math.min(n, x.reply.length));
            end = vtyFrameEnd(buf, checked);
            if (end < 0) checked = buf.length;
          }
          expect(end, `${f}: ${x.command} in chunks of ${size}`).toBe(x.reply.length);
        }
      }
    }
    const refused = session("vty.toggle-refused.json").find((x) => x.command.startsWith("network "))!;
    expect(parseVtyReply(refused.reply).code).not.toBe(0);
    expect(parseVtyReply(refused.reply).output).toMatch(/^%/);
  });

  it("a withdrawal in one session: `enable` once, every command in order, no output", async () => {
    const s = session("vty.toggle-withdraw.json");
    const { vty, server } = await clientOn(s);
    expect(await vty.run(commands(s))).toEqual({ output: "", outputs: commands(s).map(() => ""), code: 0 });
    expect(server.received).toEqual(s.map((x) => x.command));
  });

  it("a refused statement stops the session as vtysh stops, names the command, and leaves configure mode with `end`", async () => {
    const s = session("vty.toggle-refused.json");
    const { vty, server } = await clientOn(s);
    const sent = commands(s).slice(0, -1); // what the driver sends: its own exit-address-family and end come after
    const r = await vty.run([...sent, "exit-address-family", "end"]);
    expect(r.failed).toBe("network 192.0.2.11/33");
    expect(r.code).not.toBe(0);
    expect(r.output).toMatch(/%/);
    expect(server.received.slice(-2)).toEqual(["network 192.0.2.11/33", "end"]);
  });

  it("withdrawing what is not there: the session goes on when the caller accepts that answer", async () => {
    const s = session("vty.toggle-withdraw-absent.json");
    // bgpd's answers up to the refusal, then its answer to `end` in the same place (the refused session's)
    const upTo = s.findIndex((x) => x.command.startsWith("no network")) + 1;
    const end = session("vty.toggle-refused.json").at(-1)!;
    expect(end.command).toBe("end");
    const stop = await clientOn([...s.slice(0, upTo), end]);
    const stopped = await stop.vty.run(commands(s));
    expect(stopped.failed).toBe("no network 192.0.2.11/32");
    expect(stop.server.received.slice(-2)).toEqual(["no network 192.0.2.11/32", "end"]);
    const goOn = await clientOn(s);
    const r = await goOn.vty.run(commands(s), (out) => /Can't find static route specified/.test(out));
    expect(r.code).toBe(0);
    expect(goOn.server.received).toEqual(s.map((x) => x.command));
  });

  it("replies that arrive a byte at a time are read whole; outputs are joined as vtysh prints them, and kept one per command", async () => {
    const s = session("vty.observe.json");
    const { vty } = await clientOn(s, { chunk: 1 }, 10_000);
    const r = await vty.run(commands(s));
    expect(r.code).toBe(0);
    const docs = s.slice(1).map((x) => parseVtyReply(x.reply).output);
    expect(r.output).toBe(docs.join(""));
    expect(r.outputs).toEqual(docs);
    for (const d of r.outputs) expect(JSON.parse(d)).toBeTypeOf("object");
  });

  it("a connection bgpd closed is opened again (with `enable`) on the next run", async () => {
    const w = session("vty.toggle-withdraw.json");
    const a = session("vty.toggle-announce.json");
    const { vty, server } = await clientOn([...w, ...a], { closeAfter: w.length });
    expect((await vty.run(commands(w))).code).toBe(0);
    await expect.poll(() => server.connections).toBe(1);
    expect((await vty.run(commands(a))).code).toBe(0);
    expect(server.connections).toBe(2);
    expect(server.received.filter((c) => c === "enable")).toHaveLength(2);
  });

  it("a bgpd that does not answer (stopped): E_TIMEOUT, and the next run starts on a new connection", async () => {
    const { vty, server } = await clientOn(session("vty.toggle-withdraw.json"), { silent: true }, 150);
    await expect(vty.run(["show version"])).rejects.toMatchObject({ code: "E_TIMEOUT" });
    await expect(vty.run(["show version"])).rejects.toMatchObject({ code: "E_TIMEOUT" });
    expect(server.connections).toBe(2);
  });

  it("no socket: E_DAEMON_UNAVAILABLE (the driver then asks vtysh, whose error says why)", async () => {
    const vty = new FrrVty(join(tmpTree({}), "bgpd.vty"), 500);
    onTestFinished(() => vty.close());
    await expect(vty.run(["show version"])).rejects.toMatchObject({ code: "E_DAEMON_UNAVAILABLE" });
  });

  it("a command with a newline or NUL is refused before anything is sent", async () => {
    const { vty, server } = await clientOn(session("vty.toggle-withdraw.json"));
    await expect(async () => vty.run(["show version\nshow running-config"])).rejects.toMatchObject({ code: "E_INTERNAL" });
    expect(server.received).toEqual([]);
  });
});
