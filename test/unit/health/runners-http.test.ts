// http/https runner against real servers on 127.0.0.1 (self-signed TLS made with openssl).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckSpec } from "../../../src/manifest/types.js";
import { httpServer, httpsServer, runReal, selfSignedCert } from "./targets.js";

type HttpSpec = Extract<CheckSpec, { type: "http" }>;
const spec = (url: string, over: Partial<HttpSpec> = {}): HttpSpec => ({
  type: "http",
  name: "web",
  timeoutMs: 2000,
  url,
  method: "GET",
  expectStatus: [200],
  bodyRegex: undefined,
  hostHeader: undefined,
  tlsVerify: true,
  ...over,
});

let http: Awaited<ReturnType<typeof httpServer>>;
let https: Awaited<ReturnType<typeof httpsServer>>;
let base: string;
let tlsBase: string;

beforeAll(async () => {
  http = await httpServer();
  https = await httpsServer(selfSignedCert());
  base = `http://127.0.0.1:${http.port}`;
  tlsBase = `https://127.0.0.1:${https.port}`;
});
afterAll(async () => {
  await http.close();
  await https.close();
});

describe("http", () => {
  it("200 is healthy, with latency", async () => {
    const r = await runReal(spec(`${base}/ok`));
    expect(r).toMatchObject({ ok: true, reason: "HTTP 200", status: 200, timedOut: false, check: "web", type: "http" });
    expect(r.latencyMs).toBeGreaterThan(0);
  });

  it.each([
    [503, [200], false],
    [404, [200], false],
    [204, [200, 204], true],
    [302, [200], false],
    [500, [500], true],
  ])("status %i with expect %j → ok %s", async (status, expectStatus, ok) => {
    const r = await runReal(spec(`${base}/status/${status}`, { expectStatus }));
    expect(r.ok).toBe(ok);
    expect(r.status).toBe(status);
    if (!ok) expect(r.reason).toBe(`HTTP ${status} (expected ${expectStatus.join("/")})`);
  });

  it("body regex must match the (bounded) body", async () => {
    expect((await runReal(spec(`${base}/body?text=status:%20green`, { bodyRegex: "status: (green|yellow)" }))).ok).toBe(true);
    const bad = await runReal(spec(`${base}/body?text=status:%20red`, { bodyRegex: "status: (green|yellow)" }));
    expect(bad).toMatchObject({ ok: false, status: 200, error: "EBODY" });
    expect(bad.reason).toBe('HTTP 200 but the body does not match /status: (green|yellow)/: "status: red"');
    // only the first 64 KiB are looked at
    expect((await runReal(spec(`${base}/big`, { bodyRegex: "needle" }))).ok).toBe(false);
    expect((await runReal(spec(`${base}/big`, { bodyRegex: "^x+$" }))).ok).toBe(true);
  });

  it("sends the Host header and the method", async () => {
    expect((await runReal(spec(`${base}/host`))).ok).toBe(false);
    expect((await runReal(spec(`${base}/host`, { hostHeader: "example.org" }))).ok).toBe(true);
    expect((await runReal(spec(`${base}/method`, { method: "HEAD" }))).ok).toBe(true);
    expect((await runReal(spec(`${base}/method`, { method: "POST", bodyRegex: "^POST$" }))).ok).toBe(true);
  });

  it("a slow response times out at the deadline, saying where it was", async () => {
    const t0 = performance.now();
    const r = await runReal(spec(`${base}/slow`, { timeoutMs: 200 }));
    expect(performance.now() - t0).toBeLessThan(1500);
    expect(r).toMatchObject({ ok: false, timedOut: true, error: "ETIMEDOUT" });
    expect(r.reason).toBe("timeout after 200ms (waiting for the response headers)");
  });

  it("an endless body is judged after the first 64 KiB, not at the deadline", async () => {
    expect(await runReal(spec(`${base}/stream`, { timeoutMs: 2000 }))).toMatchObject({ ok: true, timedOut: false });
    expect(await runReal(spec(`${base}/stream`, { timeoutMs: 2000, bodyRegex: "^y+$" }))).toMatchObject({ ok: true, timedOut: false });
  });

  it("connection refused names the error", async () => {
    const closed = await httpServer();
    await closed.close();
    const r = await runReal(spec(`http://127.0.0.1:${closed.port}/ok`));
    expect(r).toMatchObject({ ok: false, error: "ECONNREFUSED", timedOut: false });
    expect(r.reason).toMatch(/^connecting to 127\.0\.0\.1:\d+: ECONNREFUSED/);
  });
});

describe("https", () => {
  it("a self-signed certificate fails verification by default, with a hint", async () => {
    const r = await runReal(spec(`${tlsBase}/ok`));
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/SELF_SIGNED|UNABLE_TO_VERIFY|DEPTH_ZERO/);
    expect(r.reason).toContain("set tls_verify: false for a self-signed certificate");
  });

  it("tls_verify: false accepts it", async () => {
    expect(await runReal(spec(`${tlsBase}/ok`, { tlsVerify: false }))).toMatchObject({ ok: true, status: 200 });
    expect((await runReal(spec(`${tlsBase}/host`, { tlsVerify: false, hostHeader: "example.org" }))).ok).toBe(true);
  });

  it("a slow TLS response times out", async () => {
    const r = await runReal(spec(`${tlsBase}/slow`, { tlsVerify: false, timeoutMs: 200 }));
    expect(r).toMatchObject({ ok: false, timedOut: true });
  });
});
