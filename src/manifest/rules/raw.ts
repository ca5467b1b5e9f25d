// What every cross-field rule reads: the merged raw manifest, read defensively (a value of the
// wrong shape is skipped: the schema reports it), and what a rule reports.
import { parseDuration } from "../duration.js";

export type Path = (string | number)[];

export interface RuleIssue {
  path: Path;
  message: string;
  hint?: string;
  /** warnings are printed but do not make the manifest invalid */
  severity?: "error" | "warning";
  /** another place this finding refers to (e.g. the first of two duplicates) */
  related?: Path;
}

export type Obj = Record<string, unknown>;

export const isObj = (x: unknown): x is Obj => typeof x === "object" && x !== null && !Array.isArray(x);

export const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);

export const str = (x: unknown): string | undefined => (typeof x === "string" ? x : undefined);

export const dur = (x: unknown): number | undefined => (typeof x === "string" ? (parseDuration(x) ?? undefined) : undefined);

export function services(m: Obj): [Obj, number][] {
  return arr(m.services).flatMap((s, i) => (isObj(s) ? [[s, i] as [Obj, number]] : []));
}

export function peers(m: Obj): [Obj, number][] {
  return arr(m.peers).flatMap((p, i) => (isObj(p) ? [[p, i] as [Obj, number]] : []));
}

export function daemonType(m: Obj): string | undefined {
  return typeof m.daemon === "string" ? m.daemon : isObj(m.daemon) ? str(m.daemon.type) : undefined;
}

export function duplicates<T>(items: [T, Path][], what: (v: T) => string, label: string): RuleIssue[] {
  const seen = new Map<string, Path>();
  const out: RuleIssue[] = [];
  for (const [v, path] of items) {
    const key = what(v);
    const first = seen.get(key);
    if (first) out.push({ path, message: `${label} ${key} is used twice`, related: first });
    else seen.set(key, path);
  }
  return out;
}
