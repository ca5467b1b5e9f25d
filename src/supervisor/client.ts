// Talk to a running supervisor over its status socket (status, doctor, drain). One HTTP/1.1
// exchange per connection, written and read here over node:net: loading node:http's client is a
// tenth of what `svcroute status` adds to Node's own start-up, and the supervisor's answers
// (status-server.ts) are small, whole and closed after (`Connection: close`), sized or chunked.
import { connect } from "node:net";
import { ERROR_CODES, SvcrouteError, type ErrorCode } from "../errors.js";
import type { DrainState } from "./drain.js";
import type { ProbeAnswer, ReloadAnswer } from "./status-server.js";
import type { SupervisorStatus } from "./status-types.js";

/** an HTTP/1.1 response, whole: its status and body (Content-Length, chunked, or up to the close) */
export function parseResponse(raw: Buffer): { status: number; body: string } {
  const end = raw.indexOf("\r\n\r\n");
  if (end < 0) throw new Error("an incomplete HTTP answer");
  const head = raw.subarray(0, end).toString("latin1").split("\r\n");
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(head[0] ?? "")?.[1];
  if (!status) throw new Error(`not an HTTP answer: ${JSON.stringify(head[0]?.slice(0, 40))}`);
  const header = (name: string) => head.find((l) => l.toLowerCase().startsWith(`${name}:`))?.slice(name.length + 1).trim();
  let body = raw.subarray(end + 4);
  if (header("transfer-encoding")?.toLowerCase() === "chunked") {
    const parts: Buffer[] = [];
    for (let at = 0; ; ) {
      const eol = body.indexOf("\r\n", at);
      const size = eol < 0 ? NaN : parseInt(body.subarray(at, eol).toString("latin1"), 16);
      if (!Number.isInteger(size) || eol + 2 + size > body.length) throw new Error("an incomplete chunked HTTP answer");
      if (size === 0) break;
      parts.push(body.subarray(eol + 2, eol + 2 + size));
      at = eol + 2 + size + 2;
    }
    body = Buffer.concat(parts);
  } else {
    const length = header("content-length");
    if (length !== undefined) body = body.subarray(0, Number(length));
  }
  return { status: Number(status), body: body.toString("utf8") };
}

export function callSupervisor(socketPath: string, method: "GET" | "POST", path: string, timeoutMs = 3000, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const sock = connect({ path: socketPath });
    const chunks: Buffer[] = [];
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      f();
    };
    const timer = setTimeout(() => settle(() => reject(new SvcrouteError("E_SUPERVISOR_DOWN", `cannot reach the supervisor at ${socketPath}: no answer within ${timeoutMs} ms`))), timeoutMs);
    sock.on("connect", () => {
      const fields = body === undefined ? "" : `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`;
      sock.write(`${method} ${path} HTTP/1.1\r\nHost: svcroute\r\nConnection: close\r\n${fields}\r\n${body ?? ""}`);
    });
    sock.on("data", (c: Buffer) => chunks.push(c));
    sock.on("end", () =>
      settle(() => {
        try {
          resolve(parseResponse(Buffer.concat(chunks)));
        } catch (e) {
          reject(new SvcrouteError("E_SUPERVISOR_DOWN", `the supervisor at ${socketPath} answered ${(e as Error).message}`));
        }
      }),
    );
    sock.on("error", (e: NodeJS.ErrnoException) =>
      settle(() => {
        const hint =
          e.code === "ENOENT" || e.code === "ECONNREFUSED"
            ? "start it with `systemctl start svcroute` (or `svcroute run`)"
            : e.code === "EACCES"
              ? "run as root or as a member of the svcroute group"
              : undefined;
        reject(new SvcrouteError(e.code === "EACCES" ? "E_PERMISSION" : "E_SUPERVISOR_DOWN", `cannot reach the supervisor at ${socketPath}: ${e.code ?? e.message}`, hint ? { hint } : {}));
      }),
    );
  });
}

/** POST a JSON request to the supervisor; its answer, or its error as ours */
async function post<T>(socketPath: string, path: string, request: unknown, timeoutMs: number): Promise<T> {
  const r = await callSupervisor(socketPath, "POST", path, timeoutMs, JSON.stringify(request));
  let body: { code?: string; message?: string; hint?: string };
  try {
    body = JSON.parse(r.body) as typeof body;
  } catch {
    throw new SvcrouteError("E_SUPERVISOR_DOWN", `the supervisor answered ${r.status}: ${r.body.trim()}`);
  }
  if (r.status === 200) return body as T;
  const code = (body.code && body.code in ERROR_CODES ? body.code : "E_INTERNAL") as ErrorCode;
  throw new SvcrouteError(code, `the supervisor refused: ${body.message ?? r.body.trim()}`, body.hint ? { hint: body.hint } : {});
}

/** Ask the running supervisor to drain (on) or undrain a service or "all"; its error, if any, as ours. */
export function requestDrain(socketPath: string, target: string, on: boolean): Promise<DrainState> {
  return post(socketPath, on ? "/drain" : "/undrain", { target }, 10_000);
}

/** Ask the running supervisor to run a service's checks now and act on the result. */
export function requestProbe(socketPath: string, service: string, timeoutMs: number): Promise<ProbeAnswer> {
  return post(socketPath, "/probe", { service }, timeoutMs);
}

/** Ask the running supervisor to re-read its manifest (as SIGHUP does) and reconcile. */
export function requestReload(socketPath: string, timeoutMs: number): Promise<ReloadAnswer> {
  return post(socketPath, "/reload", {}, timeoutMs);
}

export async function fetchStatus(socketPath: string): Promise<SupervisorStatus> {
  const r = await callSupervisor(socketPath, "GET", "/status");
  if (r.status !== 200) throw new SvcrouteError("E_SUPERVISOR_DOWN", `the supervisor answered ${r.status}: ${r.body.trim()}`);
  return JSON.parse(r.body) as SupervisorStatus;
}
