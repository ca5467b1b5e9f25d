// Talk to a running supervisor over its status socket (status, doctor, drain).
import { request } from "node:http";
import { connect } from "node:net";
import { ERROR_CODES, SvcrouteError, type ErrorCode } from "../errors.js";
import type { DrainState } from "./drain.js";
import type { ProbeAnswer, ReloadAnswer } from "./status-server.js";
import type { SupervisorStatus } from "./status-types.js";

export function callSupervisor(socketPath: string, method: "GET" | "POST", path: string, timeoutMs = 3000, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(body) };
    // one connection of its own, not the global agent's: the agent would first ask whether
    // "localhost" is an IP address (Node's IPv6 pattern, milliseconds of a CLI's start-up)
    const createConnection = (o: { timeout?: number }) => connect({ path: socketPath, ...(o.timeout === undefined ? {} : { timeout: o.timeout }) });
    const req = request({ method, path, timeout: timeoutMs, headers, createConnection, defaultPort: 80 }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (body += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("timeout", () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on("error", (e: NodeJS.ErrnoException) => {
      const hint =
        e.code === "ENOENT" || e.code === "ECONNREFUSED"
          ? "start it with `systemctl start svcroute` (or `svcroute run`)"
          : e.code === "EACCES"
            ? "run as root or as a member of the svcroute group"
            : undefined;
      reject(new SvcrouteError(e.code === "EACCES" ? "E_PERMISSION" : "E_SUPERVISOR_DOWN", `cannot reach the supervisor at ${socketPath}: ${e.code ?? e.message}`, hint ? { hint } : {}));
    });
    req.end(body);
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
