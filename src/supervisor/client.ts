// Talk to a running supervisor over its status socket (status, doctor, drain).
import { request } from "node:http";
import { SvcrouteError } from "../errors.js";
import type { SupervisorStatus } from "./status-types.js";

export function callSupervisor(socketPath: string, method: "GET" | "POST", path: string, timeoutMs = 3000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path, timeout: timeoutMs }, (res) => {
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
    req.end();
  });
}

export async function fetchStatus(socketPath: string): Promise<SupervisorStatus> {
  const r = await callSupervisor(socketPath, "GET", "/status");
  if (r.status !== 200) throw new SvcrouteError("E_SUPERVISOR_DOWN", `the supervisor answered ${r.status}: ${r.body.trim()}`);
  return JSON.parse(r.body) as SupervisorStatus;
}
