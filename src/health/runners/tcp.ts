// tcp check: connect; optionally send bytes and require the reply to start with `expect`.
// No DNS (the host is an IP address). The deadline (abort signal) covers connect and reply.
//
// A check that awaits no reply connects a pooled socket: once its last connection has closed, a
// net.Socket can connect again (Node documents connect() after 'close'), with the listeners it
// already has. Making a socket, its stream state and its listeners for each run costs more than
// the connect itself, and a thousand checks a second would make a thousand of them.
import { Socket, connect } from "node:net";
import type { CheckSpec } from "../../manifest/types.js";
import type { Outcome, RunContext, RunFn } from "../types.js";
import { errnoOf, oneLine, quote } from "./text.js";

type TcpSpec = Extract<CheckSpec, { type: "tcp" }>;

/** What a run of one check needs, made once per check. */
interface Target {
  options: { host: string; port: number };
  send: Buffer | undefined;
  connecting: string;
  connected: Outcome;
}

function refused(phase: string, e: Error): Outcome {
  const code = errnoOf(e) ?? "ESOCKET";
  return { ok: false, reason: `${phase}: ${code}${e.message.includes(code) ? "" : ` (${oneLine(e.message)})`}`, error: code };
}

/**
 * idle sockets kept for the next runs: more than run at once at a thousand checks a second (a
 * burst beyond it makes sockets that are not kept). A closed socket still holds a few KB of heap.
 */
const POOL_MAX = 16;
const pool: Probe[] = [];

/** A socket and its listeners, connected once per run, back in the pool once its connection closed. */
class Probe {
  private readonly sock = new Socket();
  private target: Target | undefined = undefined;
  private ctx: RunContext | undefined = undefined;
  /** the current run has its outcome */
  private done = true;
  private readonly onAbort = () => this.finish({ ok: false, reason: `aborted (${this.ctx!.phase})`, error: "ECANCELED" });

  constructor() {
    // no delay for a `send`, set once: each connection takes it from the socket when it connects
    this.sock.setNoDelay(true);
    this.sock.on("error", (e) => {
      if (!this.done) this.finish(refused(this.ctx!.phase, e));
    });
    this.sock.on("connect", () => {
      const t = this.target!;
      if (t.send) this.sock.write(t.send);
      this.finish(t.connected);
    });
    this.sock.on("close", () => {
      if (!this.done) this.finish({ ok: false, reason: `${this.ctx!.phase}: closed`, error: "ECONNRESET" });
      this.target = undefined;
      this.ctx = undefined;
      if (pool.length < POOL_MAX) pool.push(this);
    });
  }

  static take(): Probe {
    return pool.pop() ?? new Probe();
  }

  run(t: Target, ctx: RunContext): void {
    this.target = t;
    this.ctx = ctx;
    this.done = false;
    ctx.phase = t.connecting;
    try {
      this.sock.connect(t.options);
    } catch (e) {
      // the run reports the error; the socket closes, and is pooled again, like any other
      this.done = true;
      this.sock.destroy();
      throw e;
    }
    ctx.onAbort(this.onAbort);
  }

  private finish(o: Outcome): void {
    if (this.done) return;
    this.done = true;
    this.sock.destroy();
    this.ctx!.settle(o);
  }
}

/** idle sockets in the pool (tests) */
export const pooledProbes = (): number => pool.length;

export function prepareTcp(spec: TcpSpec): RunFn {
  const send = spec.send === undefined ? undefined : Buffer.from(spec.send, "utf8");
  const expect = spec.expect === undefined ? undefined : Buffer.from(spec.expect, "utf8");
  const where = spec.host.includes(":") ? `[${spec.host}]:${spec.port}` : `${spec.host}:${spec.port}`;
  // made once, not per run: this runs for every service every interval
  const t: Target = {
    options: { host: spec.host, port: spec.port },
    send,
    connecting: `connecting to ${where}`,
    connected: { ok: true, reason: send ? `connected to ${where}, sent ${send.length} bytes` : `connected to ${where}` },
  };
  if (!expect) {
    return (ctx) => {
      Probe.take().run(t, ctx);
      return undefined;
    };
  }
  const options = { ...t.options, noDelay: true };
  const waiting = `waiting for a reply starting with ${quote(spec.expect!)}`;
  return (ctx) => {
    let settled = false;
    let got: Buffer | undefined;
    const finish = (o: Outcome) => {
      if (settled) return;
      settled = true;
      sock.destroy();
      ctx.settle(o);
    };
    ctx.phase = t.connecting;
    const sock = connect(options);
    ctx.onAbort(() => finish({ ok: false, reason: `aborted (${ctx.phase})`, error: "ECANCELED" }));
    sock.on("error", (e) => finish(refused(ctx.phase, e)));
    sock.on("connect", () => {
      if (send) sock.write(send);
      ctx.phase = waiting;
    });
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
    return undefined;
  };
}
