// tcp runner against real listeners on 127.0.0.1.
import { createServer, type Socket } from "node:net";
import { networkInterfaces } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { realClock } from "../../../src/health/clock.js";
import { createLimits } from "../../../src/health/limiter.js";
import { makeSlot, runCheck } from "../../../src/health/run-check.js";
import { prepareCheck } from "../../../src/health/runners/index.js";
import { pooledProbes } from "../../../src/health/runners/tcp.js";
import type { Outcome, RunContext } from "../../../src/health/types.js";
import type { CheckSpec } from "../../../src/manifest/types.js";
import { listen, runReal, waitFor } from "./targets.js";

const hasV6Loopback = Object.values(networkInterfaces()).some((as) => as?.some((a) => a.address === "::1"));

type TcpSpec = Extract<CheckSpec, { type: "tcp" }>;
const spec = (port: number, over: Partial<TcpSpec> = {}): TcpSpec => ({ type: "tcp", name: "redis", timeoutMs: 1000, host: "127.0.0.1", port, send: undefined, expect: undefined, ...over });

const sockets = new Set<Socket>();
function server(onConn: (s: Socket) => void) {
  const srv = createServer((s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
    s.on("error", () => undefined);
    onConn(s);
  });
  return listen(srv);
}

let plain: Awaited<ReturnType<typeof server>>;
let pong: Awaited<ReturnType<typeof server>>;
let silent: Awaited<ReturnType<typeof server>>;
let closer: Awaited<ReturnType<typeof server>>;

beforeAll(async () => {
  plain = await server(() => undefined);
  pong = await server((s) => s.on("data", (d) => s.write(String(d).startsWith("PING") ? "+PO" : "-ERR unknown\r\n")).on("data", (d) => String(d).startsWith("PING") && s.write("NG\r\n")));
  silent = await server(() => undefined);
  closer = await server((s) => s.end("bye"));
});
afterAll(async () => {
  for (const s of sockets) s.destroy();
  await Promise.all([plain, pong, silent, closer].map((x) => x.close()));
});

describe("tcp", () => {
  it("connect is healthy", async () => {
    const r = await runReal(spec(plain.port));
    expect(r).toMatchObject({ ok: true, reason: `connected to 127.0.0.1:${plain.port}` });
  });

  it("send and expect a reply prefix (arriving in pieces)", async () => {
    const r = await runReal(spec(pong.port, { send: "PING\r\n", expect: "+PONG" }));
    expect(r).toMatchObject({ ok: true, reason: 'reply starts with "+PONG"' });
  });

  it("a wrong reply fails and quotes it", async () => {
    const r = await runReal(spec(pong.port, { send: "HELLO\r\n", expect: "+PONG" }));
    expect(r).toMatchObject({ ok: false, error: "EREPLY" });
    expect(r.reason).toBe('reply "-ERR unknown" does not start with "+PONG"');
  });

  it("a peer that closes before the expected bytes fails", async () => {
    const r = await runReal(spec(closer.port, { expect: "+OK" }));
    expect(r.ok).toBe(false);
    expect(r.reason).toMatch(/does not start with "\+OK"|closed/);
  });

  it("a silent peer times out at the deadline", async () => {
    const r = await runReal(spec(silent.port, { send: "PING\r\n", expect: "+PONG", timeoutMs: 150 }));
    expect(r).toMatchObject({ ok: false, timedOut: true });
    expect(r.reason).toBe('timeout after 150ms (waiting for a reply starting with "+PONG")');
  });

  it("connection refused", async () => {
    const gone = await server(() => undefined);
    await gone.close();
    const r = await runReal(spec(gone.port));
    expect(r).toMatchObject({ ok: false, error: "ECONNREFUSED" });
    expect(r.reason).toMatch(/^connecting to 127\.0\.0\.1:\d+: ECONNREFUSED/);
  });

  // a host without ::1 reports this test skipped (CI's machines have it)
  it.runIf(hasV6Loopback)("IPv6 loopback", async () => {
    const srv = createServer(() => undefined);
    await new Promise<void>((resolve, reject) => srv.once("error", reject).listen(0, "::1", () => resolve()));
    const port = (srv.address() as { port: number }).port;
    const r = await runReal(spec(port, { host: "::1" }));
    srv.close();
    expect(r).toMatchObject({ ok: true, reason: `connected to [::1]:${port}` });
  });
});

describe("a check that awaits no reply connects a pooled socket", () => {
  const env = () => ({ clock: realClock, limits: createLimits() });

  it("one socket serves run after run, each connecting anew once the last connection closed", async () => {
    let accepted = 0;
    const counted = await server(() => accepted++);
    try {
      const check = spec(counted.port);
      const slot = makeSlot(check, prepareCheck(check));
      expect(await runCheck(slot, env())).toMatchObject({ ok: true });
      await waitFor(() => pooledProbes() > 0, 2000, "the socket back in the pool");
      const idle = pooledProbes();
      for (let i = 0; i < 10; i++) {
        expect(await runCheck(slot, env())).toMatchObject({ ok: true, reason: `connected to 127.0.0.1:${counted.port}` });
        // a socket made for this run would leave one more in the pool
        await waitFor(() => pooledProbes() === idle, 2000, "the same number of idle sockets");
      }
      await waitFor(() => accepted === 11, 2000, "11 connections accepted");
    } finally {
      await counted.close();
    }
  });

  it("after a refused connect and after an abort, the socket connects again", async () => {
    const gone = await server(() => undefined);
    await gone.close();
    expect(await runReal(spec(gone.port))).toMatchObject({ ok: false, error: "ECONNREFUSED" });
    await waitFor(() => pooledProbes() > 0, 2000, "the socket back in the pool");

    // a run aborted while it connects reports ECANCELED with what it was doing
    const outcomes: Outcome[] = [];
    let abort: (() => void) | undefined;
    const ctx: RunContext = { phase: "starting", signal: new AbortController().signal, onAbort: (fn) => (abort = fn), settle: (o) => outcomes.push(o) };
    expect(prepareCheck(spec(plain.port))(ctx)).toBeUndefined();
    abort!();
    expect(outcomes).toEqual([{ ok: false, reason: `aborted (connecting to 127.0.0.1:${plain.port})`, error: "ECANCELED" }]);
    await waitFor(() => pooledProbes() > 0, 2000, "the socket back in the pool");
    expect(outcomes).toHaveLength(1);

    expect(await runReal(spec(plain.port))).toMatchObject({ ok: true });
  });

  it("a connect that throws (a port the schema would refuse) is one internal error, and its socket is pooled again", async () => {
    // a socket in the pool, and none still closing (closes come within a turn or two of the loop)
    expect(await runReal(spec(plain.port))).toMatchObject({ ok: true });
    await waitFor(() => pooledProbes() > 0, 2000, "a socket in the pool");
    for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
    const before = pooledProbes();
    const r = await runReal(spec(70000));
    expect(r).toMatchObject({ ok: false, error: "EINTERNAL" });
    expect(r.reason).toMatch(/^check error: .*port/i);
    // the run took one from the pool: a socket not pooled again would leave one fewer
    await waitFor(() => pooledProbes() === before, 2000, "the socket back in the pool");
    expect(await runReal(spec(plain.port))).toMatchObject({ ok: true });
  });

  it("runs at once each get a socket of their own", async () => {
    const targets = [plain, pong, silent, closer];
    const results = await Promise.all(targets.map((t) => runReal(spec(t.port))));
    expect(results.map((r) => r.reason)).toEqual(targets.map((t) => `connected to 127.0.0.1:${t.port}`));
  });
});
