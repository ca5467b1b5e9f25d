// dns runner against a responder on 127.0.0.1 (UDP and TCP, answers built with the same codec's
// encoder); the real server (dnsmasq) answers in the lab (test/lab/features.test.ts).
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { createServer, type Server, type Socket } from "node:net";
import * as packet from "dns-packet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckSpec } from "../../../src/manifest/types.js";
import { runReal } from "./targets.js";

type DnsSpec = Extract<CheckSpec, { type: "dns" }>;

/** what the responder says to a question: its rcode and answers, or silence */
function answer(q: packet.Question): { rcode: number; answers: packet.Answer[] } | "silence" {
  if (q.name === "silent.test") return "silence";
  if (q.name === "gone.test") return { rcode: 3, answers: [] };
  if (q.name === "broken.test") return { rcode: 2, answers: [] };
  if (q.type === "SOA") return { rcode: 0, answers: [{ type: "SOA", name: q.name, data: { mname: "ns1.svc.test", rname: "hostmaster.svc.test", serial: 2026120301 } }] as packet.Answer[] };
  return { rcode: 0, answers: [{ type: "A", name: q.name, ttl: 60, data: "192.0.2.53" }] };
}

function respond(query: Buffer): Buffer | undefined {
  const q = packet.decode(query);
  const a = answer(q.questions![0]!);
  if (a === "silence") return undefined;
  // rcode goes in the low four bits of the flags
  return packet.encode({ type: "response", id: q.id, flags: packet.RECURSION_DESIRED | a.rcode, questions: q.questions, answers: a.answers });
}

let udp: UdpSocket;
let tcp: Server;
let port = 0;
const conns = new Set<Socket>();

beforeAll(async () => {
  udp = createSocket("udp4");
  udp.on("message", (m, r) => {
    const out = respond(m);
    if (out) udp.send(out, r.port, r.address);
  });
  await new Promise<void>((res) => udp.bind(0, "127.0.0.1", res));
  port = udp.address().port;
  tcp = createServer((s) => {
    conns.add(s);
    s.on("close", () => conns.delete(s));
    let got = Buffer.alloc(0);
    s.on("data", (c: Buffer) => {
      got = Buffer.concat([got, c]);
      if (got.length >= 2 && got.length >= 2 + got.readUInt16BE(0)) {
        const out = respond(got.subarray(2, 2 + got.readUInt16BE(0)));
        if (out) s.write(Buffer.concat([Buffer.from([out.length >> 8, out.length & 0xff]), out]));
      }
    });
  });
  // the same port number for TCP: a DNS server listens on both
  await new Promise<void>((res, rej) => tcp.once("error", rej).listen(port, "127.0.0.1", res));
});
afterAll(async () => {
  udp.close();
  for (const c of conns) c.destroy();
  await new Promise((r) => tcp.close(r));
});

const spec = (over: Partial<DnsSpec> = {}): DnsSpec => ({
  type: "dns",
  name: "dns",
  timeoutMs: 500,
  query: "www.svc.test",
  record: "A",
  server: "127.0.0.1",
  port,
  transport: "udp",
  expectRcodes: ["NOERROR"],
  answerRegex: undefined,
  recursion: true,
  ...over,
});

describe("dns", () => {
  it.each(["udp", "tcp"] as const)("over %s: NOERROR with an answer is healthy and the reason shows it", async (transport) => {
    const r = await runReal(spec({ transport }));
    expect(r).toMatchObject({ ok: true, reason: `A "www.svc.test" at 127.0.0.1:${port}: NOERROR, 1 A: 192.0.2.53` });
  });

  it("an answer that must match a pattern", async () => {
    expect((await runReal(spec({ answerRegex: "^192\\.0\\.2\\.53$" }))).ok).toBe(true);
    expect(await runReal(spec({ answerRegex: "^198\\.51\\.100\\." }))).toMatchObject({ ok: false, error: "ENOMATCH", reason: expect.stringContaining("NOERROR, but no A answer matches /^198\\.51\\.100\\./: 1 A: 192.0.2.53") });
  });

  it("other record types and their data as text", async () => {
    const r = await runReal(spec({ record: "SOA", query: "svc.test", answerRegex: " 2026120301$" }));
    expect(r).toMatchObject({ ok: true, reason: expect.stringContaining("1 SOA: ns1.svc.test hostmaster.svc.test 2026120301") });
  });

  it("a response code not expected is unhealthy; one listed is healthy", async () => {
    expect(await runReal(spec({ query: "gone.test" }))).toMatchObject({ ok: false, error: "NXDOMAIN", reason: expect.stringContaining("NXDOMAIN, no A answer (expected NOERROR)") });
    expect(await runReal(spec({ query: "broken.test", transport: "tcp" }))).toMatchObject({ ok: false, error: "SERVFAIL" });
    expect((await runReal(spec({ query: "gone.test", expectRcodes: ["NOERROR", "NXDOMAIN"] }))).ok).toBe(true);
  });

  it("no answer within the timeout, over either transport", async () => {
    for (const transport of ["udp", "tcp"] as const) {
      const r = await runReal(spec({ query: "silent.test", transport, timeoutMs: 150 }));
      expect(r, transport).toMatchObject({ ok: false, timedOut: true });
      expect(r.reason).toContain(`asking 127.0.0.1:${port} over ${transport.toUpperCase()}`);
    }
  });

  it("nothing listening: refused at once (UDP through the port-unreachable answer)", async () => {
    const free = createSocket("udp4");
    await new Promise<void>((res) => free.bind(0, "127.0.0.1", res));
    const closed = free.address().port;
    free.close();
    for (const transport of ["udp", "tcp"] as const) {
      const r = await runReal(spec({ port: closed, transport, timeoutMs: 2000 }));
      expect(r, transport).toMatchObject({ ok: false, timedOut: false, error: "ECONNREFUSED" });
    }
  });
});

