// One supervisor per state directory. The lock is a listening socket in the Linux abstract
// namespace: the kernel releases it the instant its holder dies (even by kill -9), so there is no
// stale lock file to clean up, and the fail-closed guard can ask "has a new supervisor taken
// over?" simply by connecting to it. Abstract names are per network namespace, like the routing
// daemon a supervisor drives.
import { createHash } from "node:crypto";
import { createServer, connect, type Server } from "node:net";
import { SvcrouteError } from "../errors.js";

export function lockName(stateDir: string): string {
  return `\0svcroute-lock-${createHash("sha256").update(stateDir).digest("hex").slice(0, 24)}`;
}

export interface Lock {
  release(): Promise<void>;
}

export function acquireLock(stateDir: string): Promise<Lock> {
  const name = lockName(stateDir);
  return new Promise((resolve, reject) => {
    const server: Server = createServer((sock) => sock.end());
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
