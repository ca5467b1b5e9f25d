// http/https check: one request on a fresh connection (no keep-alive, so a broken listener is
// seen), healthy when the status is expected and the body (first BODY_LIMIT bytes) matches the
// optional regex (HEAD: status only). TLS is verified unless tls_verify: false; with a Host header the TLS server
// name (SNI and certificate check) is that host. The deadline (abort signal) covers connect,
// TLS, headers and body. node:https (and TLS) is loaded with the first https check, not before.
import http from "node:http";
import type https from "node:https";
import { isIP } from "node:net";
import type { CheckSpec } from "../../manifest/types.js";
import type { Outcome, RunContext, RunFn } from "../types.js";
import { errnoOf, oneLine, quote } from "./text.js";

type HttpSpec = Extract<CheckSpec, { type: "http" }>;

const BODY_LIMIT = 64 * 1024;

const TLS_HINT = "; set tls_verify: false for a self-signed certificate";

function failure(e: unknown, ctx: RunContext): Outcome {
  const code = errnoOf(e) ?? "EHTTP";
  const msg = oneLine(e instanceof Error ? e.message : String(e));
  const tls = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|HOSTNAME|ALTNAME/.test(code) || /certificate/i.test(msg);
  return { ok: false, reason: `${ctx.phase}: ${code}${msg.includes(code) ? "" : ` (${msg})`}${tls ? TLS_HINT : ""}`, error: code };
}

export function prepareHttp(spec: HttpSpec): RunFn {
  const url = new URL(spec.url);
  const secure = url.protocol === "https:";
  let mod: typeof http | typeof https | undefined = secure ? undefined : http;
  const regex = spec.bodyRegex === undefined ? undefined : new RegExp(spec.bodyRegex);
  const expected = new Set(spec.expectStatus);
  const headers: Record<string, string> = { "User-Agent": "svcroute-health", Connection: "close", Accept: "*/*" };
  if (spec.hostHeader) headers.Host = spec.hostHeader;
  if (spec.method === "POST") headers["Content-Length"] = "0";
  const sniHost = spec.hostHeader?.replace(/:\d+$/, "");
  const tls = secure
    ? { rejectUnauthorized: spec.tlsVerify, ...(sniHost && !isIP(sniHost) ? { servername: sniHost } : {}) }
    : {};
  const expectText = spec.expectStatus.join("/");

  return async (ctx) => {
    mod ??= (await import("node:https")).default;
    const client = mod;
    return new Promise<Outcome>((resolve) => {
      let settled = false;
      const finish = (o: Outcome) => {
        if (settled) return;
        settled = true;
        req.destroy();
        resolve(o);
      };
      ctx.phase = `connecting to ${url.host}`;
      const req = client.request(url, { method: spec.method, headers, agent: false, signal: ctx.signal, ...tls }, (res) => {
        const status = res.statusCode ?? 0;
        ctx.phase = `reading the body of HTTP ${status}`;
        const statusOk = expected.has(status);
        if (!statusOk || regex === undefined || spec.method === "HEAD") {
          // Drain the body (so the server does not see a reset mid-response) and decide at its
          // end, or after BODY_LIMIT bytes of an endless one.
          const verdict: Outcome = statusOk
            ? { ok: true, reason: `HTTP ${status}`, status }
            : { ok: false, reason: `HTTP ${status} (expected ${expectText})`, status, error: "ESTATUS" };
          let drained = 0;
          res.on("data", (c: Buffer) => {
            drained += c.length;
            if (drained >= BODY_LIMIT) finish(verdict);
          });
          res.on("end", () => finish(verdict));
          res.on("error", (e) => finish(failure(e, ctx)));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        const judge = () => {
          const body = Buffer.concat(chunks, size).subarray(0, BODY_LIMIT).toString("utf8");
          if (regex.test(body)) finish({ ok: true, reason: `HTTP ${status}, body matches`, status });
          else finish({ ok: false, reason: `HTTP ${status} but the body does not match /${spec.bodyRegex}/: ${quote(body, 80)}`, status, error: "EBODY" });
        };
        res.on("data", (c: Buffer) => {
          chunks.push(c);
          size += c.length;
          if (size >= BODY_LIMIT) judge();
        });
        res.on("end", judge);
        res.on("error", (e) => finish(failure(e, ctx)));
      });
      req.on("socket", (sock) => {
        sock.once(secure ? "secureConnect" : "connect", () => {
          ctx.phase = "waiting for the response headers";
        });
      });
      req.on("error", (e) => finish(failure(e, ctx)));
      req.end();
    });
  };
}
