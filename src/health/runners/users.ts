// Resolve a check's `user` / `group` to numeric ids: /etc/passwd and /etc/group first, then
// `getent` (for users from LDAP/SSSD). Answers are cached for a minute; a miss is not cached.
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";

export interface Identity {
  user: string;
  uid: number;
  gid: number;
}

const TTL_MS = 60_000;
const cache = new Map<string, { at: number; value: Identity }>();

/** The fields of the line whose first field is `name` in a colon-separated database. */
export function findEntry(text: string, name: string): string[] | undefined {
  for (const line of text.split("\n")) {
    if (line.startsWith(`${name}:`)) return line.split(":");
  }
  return undefined;
}

async function lookup(db: "passwd" | "group", name: string): Promise<string[] | undefined> {
  try {
    const hit = findEntry(await readFile(`/etc/${db}`, "utf8"), name);
    if (hit) return hit;
  } catch {
    // fall through to getent
  }
  return new Promise((resolve) => {
    execFile("getent", [db, name], { timeout: 2000, env: { PATH: "/usr/bin:/bin" } }, (err, stdout) => {
      resolve(err ? undefined : findEntry(stdout, name));
    });
  });
}

function id(field: string | undefined): number | undefined {
  if (field === undefined || !/^\d+$/.test(field)) return undefined;
  return Number(field);
}

/** uid/gid for running as `user` (with `group`, else the user's primary group), or an error text. */
export async function resolveIdentity(user: string, group: string | undefined): Promise<Identity | { error: string }> {
  const key = `${user}:${group ?? ""}`;
  const hit = cache.get(key);
  if (hit && performance.now() - hit.at < TTL_MS) return hit.value;
  const pw = await lookup("passwd", user);
  const uid = id(pw?.[2]);
  const primary = id(pw?.[3]);
  if (uid === undefined || primary === undefined) return { error: `unknown user "${user}" (not in /etc/passwd or getent passwd)` };
  let gid = primary;
  if (group !== undefined) {
    const gr = await lookup("group", group);
    const g = id(gr?.[2]);
    if (g === undefined) return { error: `unknown group "${group}" (not in /etc/group or getent group)` };
    gid = g;
  }
  const value = { user, uid, gid };
  cache.set(key, { at: performance.now(), value });
  return value;
}

/**
 * How to spawn as `who`: with uid/gid options when we are root, without them when we already
 * are that user, or an error text when we are neither (only root can switch users).
 */
export function spawnIdentity(who: Identity, self = { uid: process.getuid?.() ?? -1, gid: process.getgid?.() ?? -1 }):
  | { uid?: number; gid?: number }
  | { error: string } {
  if (self.uid === 0) return who.uid === 0 && who.gid === 0 ? {} : { uid: who.uid, gid: who.gid };
  if (who.uid === self.uid && who.gid === self.gid) return {};
  return {
    error:
      `cannot run as user "${who.user}" (uid ${who.uid}): svcroute runs as uid ${self.uid}, and only root can switch users; ` +
      `run svcroute as root, or set the check's user to the one svcroute runs as`,
  };
}
