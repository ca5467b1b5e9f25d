// Who besides root and svcroute's own user could change what the host announces. A manifest or
// drop-in file must be owned by one of them and writable by no one else; a drop-in directory
// too, sticky or not (there, adding a file is the attack); a directory above them may be
// written by others only with the sticky bit (like /tmp), which keeps them from replacing a
// trusted entry. A parent's owner is not judged: Ansible's validate hook checks a temp file in
// the connecting user's own home.
import { readFileSync, type Stats } from "node:fs";
import { promises as fsp } from "node:fs";
import { dirname, resolve } from "node:path";

export type TrustKind = "manifest file" | "drop-in file" | "drop-in directory" | "parent directory";

export interface Owner {
  uid: number;
  gid: number;
  mode: number;
}

const STICKY = 0o1000;

/** The users a file may belong to: root and the user svcroute runs as. */
export function trustedUids(euid = process.geteuid?.() ?? 0): number[] {
  return euid === 0 ? [0] : [0, euid];
}

/** What makes `st` writable by someone untrusted, as phrases (empty: nobody else). Pure. */
export function untrustedWriters(st: Owner, kind: TrustKind, trusted: number[], names: Names): string[] {
  const out: string[] = [];
  const exempt = kind === "parent directory" && (st.mode & STICKY) !== 0;
  if (kind !== "parent directory" && !trusted.includes(st.uid)) out.push(`owned by ${names.user(st.uid)}`);
  if ((st.mode & 0o020) !== 0 && st.gid !== 0 && !exempt) out.push(`writable by group ${names.group(st.gid)}`);
  if ((st.mode & 0o002) !== 0 && !exempt) out.push("writable by every user");
  return out;
}

const CONSEQUENCE: Record<TrustKind, string> = {
  "manifest file": "whoever can write it decides what this host announces",
  "drop-in file": "whoever can write it decides what this host announces",
  "drop-in directory": "whoever can write it can add a service that this host announces",
  "parent directory": "whoever can write it can replace the manifest files below it",
};

/** The problem text and fix for a path that others could change. Pure. */
export function trustProblem(path: string, st: Owner, kind: TrustKind, writers: string[], names: Names): { message: string; hint: string } {
  const mode = (st.mode & 0o7777).toString(8).padStart(4, "0");
  const message = `${kind} is ${writers.join(" and ")} (owner ${names.user(st.uid)}:${names.group(st.gid)}, mode ${mode}): ${CONSEQUENCE[kind]}`;
  const fixes: string[] = [];
  if (writers.some((w) => w.startsWith("owned by"))) fixes.push(`chown root ${path}`);
  let want = st.mode & 0o7777 & ~0o022;
  if (kind === "drop-in directory") want &= ~STICKY;
  if (want !== (st.mode & 0o7777)) fixes.push(`chmod ${want.toString(8).padStart(4, "0")} ${path}`);
  const note =
    kind === "parent directory"
      ? " (or set the sticky bit, chmod +t, if others must add files there)"
      : " (the package installs /etc/svcroute, services.d and the manifest as root:svcroute, 0750 and 0640)";
  return { message, hint: `${fixes.join(" && ")}${note}` };
}

/** uid/gid → name from /etc/passwd and /etc/group (the number when unknown). */
export interface Names {
  user(uid: number): string;
  group(gid: number): string;
}

export function systemNames(): Names {
  const table = (file: string) => {
    const m = new Map<number, string>();
    try {
      for (const line of readFileSync(file, "utf8").split("\n")) {
        const f = line.split(":");
        if (f.length > 2 && /^\d+$/.test(f[2]!) && !m.has(Number(f[2]))) m.set(Number(f[2]), f[0]!);
      }
    } catch {
      // numbers only
    }
    return m;
  };
  let users: Map<number, string> | undefined;
  let groups: Map<number, string> | undefined;
  return {
    user: (uid) => (users ??= table("/etc/passwd")).get(uid) ?? `uid ${uid}`,
    group: (gid) => (groups ??= table("/etc/group")).get(gid) ?? `gid ${gid}`,
  };
}

export interface TrustIssue {
  file: string;
  message: string;
  hint: string;
}

/**
 * Judges paths for one load: each file or drop-in directory itself, and every directory above
 * it (both the path as given and the one it resolves to through symlinks). Directories are
 * stat'ed once per checker.
 */
export function createTrustChecker(trusted = trustedUids(), names: Names = systemNames()) {
  const seen = new Map<string, Promise<TrustIssue | undefined>>();
  const judge = (path: string, st: Owner, kind: TrustKind): TrustIssue | undefined => {
    const writers = untrustedWriters(st, kind, trusted, names);
    return writers.length === 0 ? undefined : { file: path, ...trustProblem(path, st, kind, writers, names) };
  };
  const parent = (dir: string): Promise<TrustIssue | undefined> => {
    let p = seen.get(dir);
    if (!p) {
      p = fsp.stat(dir).then(
        (st: Stats) => judge(dir, st, "parent directory"),
        () => undefined, // unreadable or gone: reading the file below says so
      );
      seen.set(dir, p);
    }
    return p;
  };
  const ancestors = async (path: string): Promise<TrustIssue[]> => {
    const dirs = new Set<string>();
    const real = await fsp.realpath(path).catch(() => undefined);
    for (const start of [resolve(path), ...(real ? [real] : [])]) {
      for (let d = dirname(start); ; d = dirname(d)) {
        dirs.add(d);
        if (d === dirname(d)) break;
      }
    }
    const found = await Promise.all([...dirs].map(parent));
    return found.filter((x): x is TrustIssue => x !== undefined);
  };
  return {
    /** a file already opened (st from its descriptor) or a directory, and everything above it */
    async check(path: string, st: Owner, kind: Exclude<TrustKind, "parent directory">): Promise<TrustIssue[]> {
      const own = judge(path, st, kind);
      return [...(own ? [own] : []), ...(await ancestors(path))];
    },
  };
}
