// tcp check: connect; optionally send bytes and require the reply to start with `expect`.
// No DNS (the host is an IP address). The deadline (abort signal) covers connect and reply.
import { connect } from "node:net";
import type { CheckSpec } from "../../manifest/types.js";
import type { Outcome, RunFn } from "../types.js";
import { errnoOf, oneLine, quote } from "./text.js";

type TcpSpec = Extract<CheckSpec, { type: "tcp" }>;

export function prepareTcp(spec: TcpSpec): RunFn {
  const send = spec.send === undefined ? undefined : Buffer.from(spec.send, "utf8");
  const expect = spec.expect === undefined ? undefined : Buffer.from(spec.expect, "utf8");
  const where = spec.host.includes(":") ? `[${spec.host}]:${spec.port}` : `${spec.host}:${spec.port}`;
  // made once, not per run: this runs for every service every interval
  const connecting = `connecting to ${where}`;
  const connected: Outcome = { ok: true, reason: send ? `connected to ${where}, sent ${send.length} bytes` : `connected to ${where}` };
  const options = { host: spec.host, port: spec.port, noDelay: true };

  return (ctx) =>
    new Promise<Outcome>((resolve) => {
      let settled = false;
      let got: Buffer | undefined;
      const finish = (o: Outcome) => {
        if (settled) return;
        settled = true;
        sock.destroy();
        resolve(o);
      };
      const onAbort = () => finish({ ok: false, reason: `aborted (${ctx.phase})`, error: "ECANCELED" });
      ctx.phase = connecting;
      const sock = connect(options);
      ctx.onAbort(onAbort);
      sock.on("error", (e) => {
        const code = errnoOf(e) ?? "ESOCKET";
        finish({ ok: false, reason: `${ctx.phase}: ${code}${e.message.includes(code) ? "" : ` (${oneLine(e.message)})`}`, error: code });
      });
      sock.on("connect", () => {
        if (send) sock.write(send);
        if (!expect) {
          finish(connected);
          return;
        }
        ctx.phase = `waiting for a reply starting with ${quote(spec.expect!)}`;
      });
      // listeners for the reply only when one is awaited: without them the socket is never put in flowing mode
      if (!expect) return;
      sock.on("data", (c: Buffer) => {
        got = got === undefined ? c : Buffer.concat([got, c]);
        const n = Math.min(got.length, expect.length);
        if (!got.subarray(0, n).equals(expect.subarray(0, n))) {
          finish({ ok: false, reason: `reply ${quote(got.toString("utf8"))} does not start with ${quote(spec.expect!)}`, error: "EREPLY" });
        } else if (got.length >= expect.length) {
          finish({ ok: true, reason: `reply starts with ${quote(spec.expect!)}` });
        }
      });
      sock.on("end", () => {
        finish({ ok: false, reason: `connection closed after ${got?.length ?? 0} bytes, before ${quote(spec.expect!)}`, error: "EREPLY" });
      });
    });
}
