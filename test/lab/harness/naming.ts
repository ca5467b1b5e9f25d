// Names and places of one run. Every namespace and state directory of the harness starts with
// LAB_PREFIX, so leftovers of crashed runs can be found again without touching anyone else's.
import { randomBytes } from "node:crypto";
import { join } from "node:path";

export const LAB_PREFIX = "svrl";
/** state and work directories of every run: /tmp/svrl/<id>/ */
export const STATE_ROOT = `/tmp/${LAB_PREFIX}`;
/** node names become part of namespace names and interface names stay short: keep them small */
export const NODE_NAME = /^[a-z][a-z0-9]{0,11}$/;
const RUN_ID = /^[a-z0-9]{4}$/;

export function newRunId(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  return [...randomBytes(4)].map((b) => alphabet[b % alphabet.length]).join("");
}

export function isRunId(s: string): boolean {
  return RUN_ID.test(s);
}

export function runDir(id: string): string {
  return join(STATE_ROOT, id);
}

export function nsName(id: string, node: string): string {
  return `${LAB_PREFIX}-${id}-${node}`;
}

/** the run id of a namespace name made by nsName, or undefined for anyone else's namespace */
export function runIdOfNs(ns: string): string | undefined {
  const m = new RegExp(`^${LAB_PREFIX}-([a-z0-9]{4})-[a-z][a-z0-9]*$`).exec(ns);
  return m?.[1];
}

/** interface names live inside the namespaces, so they only need to be unique per node */
export const hostIfName = (k: number): string => `eth${k}`;
export const torIfName = (port: number): string => `swp${port}`;
export const SERVICE_IFB = "svc0";
