// Which build of FRR and BIRD the lab's hosts run: this machine's own packages (Debian 12: FRR 8.4,
// BIRD 2.0.12) or Debian 13's, from root filesystems that `npm run setup` builds (test/roots.sh),
// run with chroot. The ToRs always run this machine's FRR: they are the fabric, not the subject.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { LabError } from "./errors.js";

/** where `npm run setup` keeps the Debian 13 roots (outside the checkout; test/roots.sh agrees) */
export const ROOTS_DIR = "/var/cache/svcroute";
export const TRIXIE_ROOT = join(ROOTS_DIR, "trixie-root");
export const TRIXIE_BIRD2_ROOT = join(ROOTS_DIR, "trixie-root-bird2");

export type DaemonSetName = "debian12" | "debian13" | "debian13-bird2";
export const DAEMON_SET_NAMES: readonly DaemonSetName[] = ["debian12", "debian13", "debian13-bird2"];

/** One daemon as built by one distribution. */
export interface DaemonBuild {
  /** the root filesystem it runs from, or null for this machine's own */
  root: string | null;
  /** "FRR 8.4", "BIRD 3.1": what the tests and reports call it */
  label: string;
  /** "8.4", "3.1": the version the label names (as versionOf() reads it) */
  version: string;
  /** the distribution's packages it comes from */
  packages: string;
}

export interface DaemonSet {
  name: DaemonSetName;
  frr: DaemonBuild;
  bird: DaemonBuild;
}

export const DAEMON_SETS: Record<DaemonSetName, DaemonSet> = {
  debian12: {
    name: "debian12",
    frr: { root: null, label: "FRR 8.4", version: "8.4", packages: "Debian 12 `frr`, `frr-pythontools`" },
    bird: { root: null, label: "BIRD 2.0.12", version: "2.0.12", packages: "Debian 12 `bird2`" },
  },
  debian13: {
    name: "debian13",
    frr: { root: TRIXIE_ROOT, label: "FRR 10.3", version: "10.3", packages: "Debian 13 `frr`, `frr-pythontools`" },
    bird: { root: TRIXIE_ROOT, label: "BIRD 3.1", version: "3.1", packages: "Debian 13 `bird3`" },
  },
  "debian13-bird2": {
    name: "debian13-bird2",
    frr: { root: TRIXIE_ROOT, label: "FRR 10.3", version: "10.3", packages: "Debian 13 `frr`, `frr-pythontools`" },
    bird: { root: TRIXIE_BIRD2_ROOT, label: "BIRD 2.17", version: "2.17", packages: "Debian 13 `bird2`" },
  },
};

export const isDaemonSetName = (s: string): s is DaemonSetName => (DAEMON_SET_NAMES as readonly string[]).includes(s);

/** the set named by SVRL_DAEMONS (default debian12) */
export function daemonSetFromEnv(env: NodeJS.ProcessEnv = process.env): DaemonSet {
  const name = env.SVRL_DAEMONS?.trim() || "debian12";
  if (!isDaemonSetName(name)) throw new LabError(`SVRL_DAEMONS=${name} names no daemon set`, { hint: `one of ${DAEMON_SET_NAMES.join(", ")}` });
  return DAEMON_SETS[name];
}

/** `cmd args` run from `root` (chroot), or as is for this machine's own build */
export function inRoot(root: string | null, cmd: string, args: readonly string[]): [string, string[]] {
  return root === null ? [cmd, [...args]] : ["chroot", [root, cmd, ...args]];
}

/** a root's user's uid and gid (its /etc/passwd; this machine's for root null) */
export function userIn(root: string | null, user: string): { uid: number; gid: number } | undefined {
  try {
    const line = readFileSync(join(root ?? "/", "etc/passwd"), "utf8")
      .split("\n")
      .find((l) => l.startsWith(`${user}:`));
    const [, , uid, gid] = line?.split(":") ?? [];
    return uid === undefined || gid === undefined ? undefined : { uid: Number(uid), gid: Number(gid) };
  } catch {
    return undefined;
  }
}

/** FRR 10 configures staticd (and more) through mgmtd, which must start first */
export const frrHasMgmtd = (root: string | null): boolean => existsSync(join(root ?? "/", "usr/lib/frr/mgmtd"));

/** "frr-10.3.", "bird-2.0.12.": what the names of the outputs a build printed start with (test/fixtures/captured) */
export const filePrefix = (b: DaemonBuild): string => `${b.label.toLowerCase().replace(/\s+/g, "-")}.`;

/** every distinct build of one daemon in the matrix, in set order */
export function buildsOf(daemon: "frr" | "bird"): DaemonBuild[] {
  const seen = new Map<string, DaemonBuild>();
  for (const n of DAEMON_SET_NAMES) seen.set(DAEMON_SETS[n][daemon].label, DAEMON_SETS[n][daemon]);
  return [...seen.values()];
}
