// Talk to a running supervisor over its status socket (status, doctor, drain).
import { request } from "node:http";
import { ERROR_CODES, SvcrouteError, type ErrorCode } from "../errors.js";
import type { DrainState } from "./drain.js";
import type { SupervisorStatus } from "./status-types.js";

export function callSupervisor(socketPath: string, method: "GET" | "POST", path: string, timeoutMs = 3000, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(body) };
    const req = request({ socketPath, method, path, timeout: timeoutMs, headers }, (res) => {
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

/** Ask the running supervisor to drain (on) or undrain a service or "all"; its error, if any, as ours. */
export async function requestDrain(socketPath: string, target: string, on: boolean): Promise<DrainState> {
  const r = await callSupervisor(socketPath, "POST", on ? "/drain" : "/undrain", 10_000, JSON.stringify({ target }));
  let body: { code?: string; message?: string; hint?: string } & Partial<DrainState>;
  try {
    body = JSON.parse(r.body) as typeof body;
  } catch {
    throw new SvcrouteError("E_SUPERVISOR_DOWN", `the supervisor answered ${r.status}: ${r.body.trim()}`);
  }
  if (r.status === 200) return body as DrainState;
  const code = (body.code && body.code in ERROR_CODES ? body.code : "E_INTERNAL") as ErrorCode;
  throw new SvcrouteError(code, `the supervisor refused: ${body.message ?? r.body.trim()}`, body.hint ? { hint: body.hint } : {});
}

export async function fetchStatus(socketPath: string): Promise<SupervisorStatus> {
  const r = await callSupervisor(socketPath, "GET", "/status");
  if (r.status !== 200) throw new SvcrouteError("E_SUPERVISOR_DOWN", `the supervisor answered ${r.status}: ${r.body.trim()}`);
  return JSON.parse(r.body) as SupervisorStatus;
}
