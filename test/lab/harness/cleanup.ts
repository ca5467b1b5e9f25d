// Last-resort cleanup: runs still alive when the process exits (or is interrupted) are torn down.
import type { TeardownReport } from "./teardown.js";

export interface Closable {
  id: string;
  downSync(): TeardownReport | undefined;
}

const live = new Map<string, Closable>();
let exitHookInstalled = false;
let signalHooksInstalled = false;

function closeAll(): void {
  for (const lab of [...live.values()]) {
    try {
      lab.downSync();
    } catch {
      // exiting anyway; `lab down` finds whatever is left
    }
  }
}

export function track(lab: Closable): void {
  live.set(lab.id, lab);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", closeAll);
  }
}

export function untrack(id: string): void {
  live.delete(id);
}

/** For CLI use: tear down on SIGINT/SIGTERM/SIGHUP, then exit with 128 + signal number. */
export function installSignalHandlers(): void {
  if (signalHooksInstalled) return;
  signalHooksInstalled = true;
  const codes: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
  for (const [sig, code] of Object.entries(codes)) {
    process.on(sig, () => {
      closeAll();
      process.exit(code);
    });
  }
}
