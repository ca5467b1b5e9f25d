// Making a Debian 13 root usable for daemons started with chroot: this machine's /tmp (where every
// lab file, socket and pid file lives) bind-mounted at ROOT/tmp, and /proc (test/roots.sh mount).
// Several labs, of several people, may use a root at once: mounting is idempotent under a lock, and
// nothing ever unmounts a root while the machine runs.
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { runSync } from "./exec.js";
import { LabError } from "./errors.js";

/** builds the roots (`npm run setup`) and mounts them */
export const ROOTS_SCRIPT = resolve(import.meta.dirname, "../../roots.sh");

const mounted = new Set<string>();

/** programs a root must have, by what it is for */
function rootMisses(root: string, programs: readonly string[]): string[] {
  return programs.filter((p) => !existsSync(join(root, p)));
}

/**
 * Checks that `root` holds `programs` (paths inside it) and mounts /tmp and /proc there unless they
 * are. Throws a LabError naming the fix (`npm run setup` builds the roots).
 */
export function ensureRoot(root: string, programs: readonly string[]): void {
  const missing = rootMisses(root, programs);
  if (missing.length > 0) {
    throw new LabError(`the Debian 13 root ${root} lacks ${missing.join(", ")}`, { hint: "npm run setup (as root) builds the roots the lab's daemon sets run from" });
  }
  if (mounted.has(root)) return;
  const r = runSync("sh", [ROOTS_SCRIPT, "mount", root], { allowFail: true });
  if (r.code !== 0) throw new LabError(`could not mount /tmp and /proc in ${root}`, { details: (r.stderr || r.stdout).trim() });
  mounted.add(root);
}
