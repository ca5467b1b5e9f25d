// One supervisor per state directory. The lock is a listening socket in the Linux abstract
// namespace: the kernel releases it when its holder dies (even by kill -9), so there is no stale
// lock file to clean up, and the fail-closed guard can ask "has a new supervisor taken over?" by
// connecting to it: the holder answers with its pid. (Only the answer counts: for a few ms after
// a killed holder is gone, the kernel still accepts connections on its socket, which nobody will
// ever answer.) Abstract names are per network namespace, like the routing daemon a supervisor
// drives.
import { createHash } from "node:crypto";
import { createServer, connect, type Server } from "node:net";
import { SvcrouteError } from "../errors.js";

function lockName(stateDir: string): string {
  return `\0svcroute-lock-${createHash("sha256").update(stateDir).digest("hex").slice(0, 24)}`;
}

export interface Lock {
  release(): Promise<void>;
}

export function acquireLock(stateDir: string): Promise<Lock> {
  const name = lockName(stateDir);
  return new Promise((resolve, reject) => {
    const server: Server = createServer((sock) => {
      // a prober that hangs up first (lockHeld) resets the connection: never an uncaught error
      sock.on("error", () => undefined);
      sock.end(`${process.pid}\n`);
    });
    server.once("error", (e: NodeJS.ErrnoException) => {
      if (e.code === "EADDRINUSE") {
        reject(new SvcrouteError("E_LOCKED", `another svcroute supervisor is running for ${stateDir}`, { hint: "`svcroute status` asks the running one; stop it before starting another" }));
      } else reject(e);
    });
    server.listen({ path: name }, () => {
      server.unref();
      resolve({ release: () => new Promise<void>((r) => server.close(() => r())) });
    });
  });
}

/** true when a supervisor holds the lock for this state directory */
export function lockHeld(stateDir: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ path: lockName(stateDir) });
    s.once("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

/**
 * The pid of the supervisor holding the lock, as it answers itself, or undefined when nobody
 * answers within `timeoutMs` (no holder, or one that is dying: see the top of this file).
 */
export function lockHolder(stateDir: string, timeoutMs = 1000): Promise<number | undefined> {
  return new Promise((resolve) => {
    const s = connect({ path: lockName(stateDir) });
    let buf = "";
    let settled = false;
    const done = (pid: number | undefined) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      s.destroy();
      resolve(pid);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    s.setEncoding("utf8");
    s.on("data", (d: string) => {
      buf += d;
      const m = /^(\d+)\n/.exec(buf);
      if (m) done(Number(m[1]));
    });
    s.on("end", () => done(undefined));
    // a dying holder's socket resets the connection: every error means "no answer"
    s.on("error", () => done(undefined));
  });
}
