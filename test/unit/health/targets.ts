// Real local targets for runner tests: HTTP and HTTPS (self-signed, made with openssl at test
// time) on 127.0.0.1, TCP listeners, and helpers to run one check with the real runners.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttps } from "node:https";
import type { Server as NetServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { realClock } from "../../../src/health/clock.js";
import { createLimits } from "../../../src/health/limiter.js";
import { makeSlot, runCheck } from "../../../src/health/run-check.js";
import { prepareCheck } from "../../../src/health/runners/index.js";
import type { CheckResult } from "../../../src/health/types.js";
import type { CheckSpec } from "../../../src/manifest/types.js";

export function runReal(spec: CheckSpec): Promise<CheckResult> {
  return runCheck(makeSlot(spec, prepareCheck(spec)), { clock: realClock, limits: createLimits() });
}

export function selfSignedCert(cn = "svc.test"): { key: string; cert: string } {
  const dir = mkdtempSync(join(tmpdir(), "svcroute-tls-"));
  try {
    execFileSync(
      "openssl",
      ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj", `/CN=${cn}`,
        "-addext", `subjectAltName=DNS:${cn},IP:127.0.0.1`, "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem")],
      { stdio: "ignore" },
    );
    return { key: readFileSync(join(dir, "key.pem"), "utf8"), cert: readFileSync(join(dir, "cert.pem"), "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Routes: /ok, /status/NNN, /slow (never answers), /body?text=..., /host (200 only for Host: example.org), /big, /method, /stream (endless body) */
export function handler(req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://x");
  if (url.pathname === "/ok") return void res.end("hello world");
  if (url.pathname.startsWith("/status/")) {
    res.statusCode = Number(url.pathname.slice(8));
    return void res.end(`status ${res.statusCode}`);
  }
  if (url.pathname === "/slow") return; // never answers; closed by closeAllConnections
  if (url.pathname === "/body") return void res.end(url.searchParams.get("text") ?? "");
  if (url.pathname === "/host") {
    res.statusCode = req.headers.host === "example.org" ? 200 : 421;
    return void res.end(String(req.headers.host));
  }
  if (url.pathname === "/big") {
    res.write("x".repeat(70 * 1024));
    return void res.end("needle");
  }
  if (url.pathname === "/method") return void res.end(req.method);
  if (url.pathname === "/stream") {
    // an endless body: 16 KiB at a time until the client goes away
    const chunk = "y".repeat(16 * 1024);
    const t = setInterval(() => res.write(chunk), 5);
    res.on("close", () => clearInterval(t));
    return void res.write(chunk);
  }
  res.statusCode = 404;
  res.end("not found");
}

/** an HTTP(S) server, or a plain TCP one (which has no connections to close first) */
export async function listen(server: Server | NetServer): Promise<{ port: number; close: () => Promise<void> }> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    close: () =>
      new Promise<void>((r) => {
        if ("closeAllConnections" in server) server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export const httpServer = () => listen(createHttp(handler));
export const httpsServer = (tls: { key: string; cert: string }) => listen(createHttps(tls, handler));

/** Resolves when `cond` is true, polling every 10 ms, or rejects after `ms`. */
export async function waitFor(cond: () => boolean, ms = 5000, what = "condition"): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
