// dns check: one query to a server over UDP or TCP; healthy on an expected response code and,
// when asked, an answer of the asked type that matches a regular expression. The packet codec is
// dns-packet (a maintained library): Node's own Resolver can set the server, port, timeout and
// tries, but speaks UDP only and turns the response code into errors (no NOERROR-without-answer,
// no REFUSED-vs-SERVFAIL on every path), so it cannot judge what this check judges.
import { createSocket } from "node:dgram";
import { connect } from "node:net";
import { randomInt } from "node:crypto";
import * as packet from "dns-packet";
import type { CheckSpec } from "../../manifest/types.js";
import type { Outcome, RunContext, RunFn } from "../types.js";
import { errnoOf, oneLine, quote } from "./text.js";

type DnsSpec = Extract<CheckSpec, { type: "dns" }>;

/** the RD (recursion desired) bit of the header's flags */
const RECURSION_DESIRED = 1 << 8;

/** one answer's data as text: "192.0.2.53", "ns1.example. hostmaster.example. 2026120301", "10 mx.example" */
export function answerText(a: packet.Answer): string {
  const d = (a as { data?: unknown }).data;
  if (typeof d === "string") return d;
  if (Buffer.isBuffer(d)) return d.toString("utf8");
  if (Array.isArray(d)) return d.map((x) => (Buffer.isBuffer(x) ? x.toString("utf8") : String(x))).join("");
  if (d && typeof d === "object") {
    const o = d as Record<string, unknown>;
    if (a.type === "SOA") return `${String(o.mname)} ${String(o.rname)} ${String(o.serial)}`;
    if (a.type === "MX") return `${String(o.preference)} ${String(o.exchange)}`;
    if (a.type === "SRV") return `${String(o.priority)} ${String(o.weight)} ${String(o.port)} ${String(o.target)}`;
    if (a.type === "CAA") return `${String(o.flags)} ${String(o.tag)} ${String(o.value)}`;
    return JSON.stringify(o);
  }
  return String(d);
}

/** a decoded response: dns-packet sets the response code as text, which its types leave out */
export type Response = packet.Packet & { rcode?: string };

/** The verdict on a decoded response. Pure. */
export function judgeResponse(spec: Pick<DnsSpec, "record" | "expectRcodes" | "answerRegex">, res: Response, re: RegExp | undefined): Outcome {
  const rcode = res.rcode ?? "NOERROR";
  const answers = (res.answers ?? []).filter((a) => a.type === spec.record).map(answerText);
  const shown = answers.length ? `${answers.length} ${spec.record}: ${answers.slice(0, 3).join(", ")}${answers.length > 3 ? ", …" : ""}` : `no ${spec.record} answer`;
  if (!spec.expectRcodes.includes(rcode)) return { ok: false, reason: `${rcode}, ${shown} (expected ${spec.expectRcodes.join(" or ")})`, error: rcode };
  if (re && !answers.some((x) => re.test(x))) return { ok: false, reason: `${rcode}, but no ${spec.record} answer matches /${spec.answerRegex}/: ${shown}`, error: "ENOMATCH" };
  return { ok: true, reason: `${rcode}, ${shown}` };
}

function query(spec: DnsSpec, id: number): Buffer {
  return packet.encode({ type: "query", id, flags: spec.recursion ? RECURSION_DESIRED : 0, questions: [{ type: spec.record as packet.RecordType, name: spec.query }] });
}

/** one exchange: resolves with the response, or an outcome saying why there is none */
function exchange(spec: DnsSpec, ctx: RunContext, where: string): Promise<Response | Outcome> {
  const id = randomInt(0, 65536);
  const q = query(spec, id);
  return new Promise((resolve) => {
    let settled = false;
    const cleanup: (() => void)[] = [];
    const finish = (r: Response | Outcome) => {
      if (settled) return;
      settled = true;
      ctx.signal.removeEventListener("abort", onAbort);
      for (const c of cleanup) c();
      resolve(r);
    };
    const fail = (e: Error) => {
      const code = errnoOf(e) ?? "ESOCKET";
      finish({ ok: false, reason: `${ctx.phase}: ${code}${e.message.includes(code) ? "" : ` (${oneLine(e.message)})`}`, error: code });
    };
    const decoded = (buf: Buffer) => {
      try {
        const res: Response = packet.decode(buf);
        if (res.id === id) finish(res);
      } catch (e) {
        finish({ ok: false, reason: `${where} sent a malformed response: ${oneLine((e as Error).message)}`, error: "EBADRESP" });
      }
    };
    const onAbort = () => finish({ ok: false, reason: `aborted (${ctx.phase})`, error: "ECANCELED" });
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    if (spec.transport === "udp") {
      const sock = createSocket(spec.server.includes(":") ? "udp6" : "udp4");
      cleanup.push(() => sock.close());
      sock.on("error", fail);
      sock.on("message", decoded);
      ctx.phase = `asking ${where} over UDP`;
      // connected, so an ICMP port unreachable comes back as ECONNREFUSED instead of silence
      sock.connect(spec.port, spec.server, () => sock.send(q, (e) => e && fail(e)));
      return;
    }
    ctx.phase = `connecting to ${where} over TCP`;
    const sock = connect({ host: spec.server, port: spec.port, noDelay: true });
    cleanup.push(() => sock.destroy());
    let got = Buffer.alloc(0);
    sock.on("error", fail);
    sock.on("connect", () => {
      ctx.phase = `asking ${where} over TCP`;
      sock.write(packet.streamEncode(packet.decode(q)));
    });
    sock.on("data", (c: Buffer) => {
      got = Buffer.concat([got, c]);
      if (got.length >= 2 && got.length >= 2 + got.readUInt16BE(0)) decoded(got.subarray(2, 2 + got.readUInt16BE(0)));
    });
    sock.on("end", () => finish({ ok: false, reason: `${where} closed the connection without an answer`, error: "ECONNRESET" }));
  });
}

export function prepareDns(spec: DnsSpec): RunFn {
  const re = spec.answerRegex === undefined ? undefined : new RegExp(spec.answerRegex);
  const where = spec.server.includes(":") ? `[${spec.server}]:${spec.port}` : `${spec.server}:${spec.port}`;
  return async (ctx) => {
    const r = await exchange(spec, ctx, where);
    if ("ok" in r) return r;
    const o = judgeResponse(spec, r, re);
    return { ...o, reason: `${spec.record} ${quote(spec.query, 80)} at ${where}: ${o.reason}` };
  };
}
