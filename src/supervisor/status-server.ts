// The local status endpoint: HTTP over a unix socket (mode 0660: root and the svcroute group
// only) serving /status (JSON) and /metrics (Prometheus), POST /drain and /undrain for `svcroute
// drain`/`undrain` (the supervisor writes its own state: operators need no write access to it),
// POST /probe (run a service's checks now and act on them), POST /reload (re-read the manifest)
// and POST /reconcile. An optional TCP listener (loopback by default) serves /metrics only.
import { promises as fsp } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { connect } from "node:net";
import { dirname } from "node:path";
import { SvcrouteError, toSvcrouteError } from "../errors.js";
import type { DrainState } from "./drain.js";
import { renderMetrics } from "./metrics.js";
import type { RoundResult } from "../health/types.js";
import type { ServiceStatus, SupervisorStatus } from "./status-types.js";

/** what POST /probe answers: the round just run and the service as status shows it after acting on it */
export interface ProbeAnswer {
  round: RoundResult;
  service: ServiceStatus;
}

/** what POST /reload answers: whether the manifest on disk was taken, and the reconcile that followed */
export interface ReloadAnswer {
  manifest: SupervisorStatus["manifest"];
  last_reconcile: SupervisorStatus["last_reconcile"];
}

export interface StatusServerOptions {
  socketPath: string;
  getStatus: () => SupervisorStatus;
  onReconcile: (reason: string) => void;
  /** drain (on) or undrain a service or "all"; throws E_USAGE for an unknown service */
  onDrain?: (target: string, on: boolean) => Promise<DrainState>;
  /** run a service's checks now and act on the result; throws E_USAGE for an unknown service */
  onProbe?: (service: string) => Promise<ProbeAnswer>;
  /** re-read the manifest (as SIGHUP does) and reconcile */
  onReload?: () => Promise<ReloadAnswer>;
  metricsListen?: string;
}

const MAX_BODY = 4096;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (c: string) => {
      if (body.length <= MAX_BODY) body += c; // the rest is read and dropped
    });
    req.on("end", () => (body.length > MAX_BODY ? reject(new SvcrouteError("E_USAGE", `the request is over ${MAX_BODY} bytes`)) : resolve(body)));
    req.on("error", reject);
  });
}

/** a POST whose JSON body names one string field: the handler's answer, or the error as JSON */
async function postRequest(req: IncomingMessage, what: string, field: string | undefined, fn: ((value: string) => Promise<unknown>) | undefined): Promise<{ code: number; body: unknown }> {
  if (!fn) return { code: 404, body: { code: "E_USAGE", message: `this supervisor takes no ${what} requests` } };
  try {
    const body = await readBody(req);
    let value = "";
    if (field !== undefined) {
      const v = (JSON.parse(body) as Record<string, unknown>)[field];
      if (typeof v !== "string") throw new SvcrouteError("E_USAGE", `the request needs {"${field}": "<name>"}`);
      value = v;
    }
    return { code: 200, body: await fn(value) };
  } catch (e) {
    const err = e instanceof SyntaxError ? new SvcrouteError("E_USAGE", `the request is not JSON: ${e.message}`) : toSvcrouteError(e);
    return { code: err.code === "E_USAGE" ? 400 : 500, body: { code: err.code, message: err.message, ...(err.hint ? { hint: err.hint } : {}) } };
  }
}

export interface StatusServer {
  /** the TCP metrics listener's port, when there is one (useful with port 0) */
  metricsPort(): number | undefined;
  close(): Promise<void>;
}

function handler(o: StatusServerOptions, metricsOnly: boolean) {
  const posts: Record<string, [string, string | undefined, ((v: string) => Promise<unknown>) | undefined]> = {
    "/drain": ["drain", "target", o.onDrain && ((t) => o.onDrain!(t, true))],
    "/undrain": ["drain", "target", o.onDrain && ((t) => o.onDrain!(t, false))],
    "/probe": ["probe", "service", o.onProbe],
    "/reload": ["reload", undefined, o.onReload && (() => o.onReload!())],
  };
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = (req.url ?? "/").split("?")[0];
    const send = (code: number, type: string, body: string) => {
      res.writeHead(code, { "content-type": type, "cache-control": "no-store" });
      res.end(body);
    };
    try {
      if (req.method === "GET" && url === "/metrics") send(200, "text/plain; version=0.0.4", renderMetrics(o.getStatus()));
      else if (metricsOnly) send(404, "text/plain", "only /metrics is served here\n");
      else if (req.method === "GET" && (url === "/status" || url === "/")) send(200, "application/json", `${JSON.stringify(o.getStatus(), null, 2)}\n`);
      else if (req.method === "POST" && url !== undefined && url in posts) {
        const [what, field, fn] = posts[url]!;
        void postRequest(req, what, field, fn).then((r) => send(r.code, "application/json", `${JSON.stringify(r.body)}\n`));
      } else if (req.method === "POST" && url === "/reconcile") {
        o.onReconcile("api");
        send(202, "application/json", '{"accepted":true}\n');
      } else send(404, "text/plain", "not found: try /status or /metrics\n");
    } catch (e) {
      send(500, "text/plain", `${(e as Error).message}\n`);
    }
  };
}

/** true when something accepts connections on the socket */
function socketAlive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

function listen(server: Server, ...args: unknown[]): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    (server.listen as (...a: unknown[]) => void)(...args, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

export async function startStatusServer(o: StatusServerOptions): Promise<StatusServer> {
  await fsp.mkdir(dirname(o.socketPath), { recursive: true, mode: 0o750 });
  if (await socketAlive(o.socketPath)) {
    throw new SvcrouteError("E_LOCKED", `another process serves ${o.socketPath}`, { hint: "is another svcroute supervisor running? `svcroute status` asks it" });
  }
  await fsp.rm(o.socketPath, { force: true }); // a stale socket from a crashed run
  const unix = createServer(handler(o, false));
  const oldMask = process.umask(0o117);
  try {
    await listen(unix, o.socketPath);
  } finally {
    process.umask(oldMask);
  }
  await fsp.chmod(o.socketPath, 0o660);
  let tcp: Server | undefined;
  if (o.metricsListen) {
    const m = /^\[?([^\]]+)\]?:(\d+)$/.exec(o.metricsListen)!;
    tcp = createServer(handler(o, true));
    try {
      await listen(tcp, Number(m[2]), m[1]);
    } catch (e) {
      unix.close();
      throw new SvcrouteError("E_PERMISSION", `cannot listen on ${o.metricsListen}: ${(e as Error).message}`, { hint: "pick a free port in supervisor.metrics_listen" });
    }
  }
  return {
    metricsPort: () => {
      const a = tcp?.address();
      return a && typeof a === "object" ? a.port : undefined;
    },
    async close() {
      await Promise.all([unix, tcp].filter(Boolean).map((s) => new Promise<void>((r) => s!.close(() => r()))));
      await fsp.rm(o.socketPath, { force: true });
    },
  };
}
