// "did you mean ...?" for unknown keys: the allowed keys at a path come from the zod schema itself.
import type { z } from "zod";

type AnyDef = { type: string; [k: string]: unknown };
const defOf = (s: unknown): AnyDef => (s as { _zod: { def: AnyDef } })._zod.def;

function unwrap(s: z.ZodType): z.ZodType {
  let cur = s;
  for (;;) {
    const d = defOf(cur);
    if (d.type === "optional" || d.type === "default" || d.type === "nullable" || d.type === "readonly") cur = d.innerType as z.ZodType;
    else return cur;
  }
}

/** The object keys the schema allows at `path` (given the data, to pick a union branch). */
export function allowedKeysAt(schema: z.ZodType, path: (string | number)[], data: unknown): string[] {
  let cur: z.ZodType | undefined = schema;
  let value: unknown = data;
  for (let i = 0; i <= path.length && cur; i++) {
    cur = pickBranch(unwrap(cur), value);
    if (!cur) return [];
    if (i === path.length) break;
    const seg = path[i]!;
    const d = defOf(cur);
    if (d.type === "object") cur = (d.shape as Record<string, z.ZodType>)[String(seg)];
    else if (d.type === "array") cur = d.element as z.ZodType;
    else if (d.type === "record") cur = d.valueType as z.ZodType;
    else return [];
    value = value && typeof value === "object" ? (value as Record<string, unknown>)[seg as string] : undefined;
  }
  if (!cur) return [];
  const d = defOf(unwrap(cur));
  return d.type === "object" ? Object.keys(d.shape as object) : [];
}

function pickBranch(s: z.ZodType, value: unknown): z.ZodType | undefined {
  const d = defOf(s);
  if (d.type !== "union") return s;
  const options = (d.options as z.ZodType[]).map(unwrap);
  const objects = options.filter((o) => defOf(o).type === "object");
  if (objects.length <= 1) return objects[0] ?? options[0];
  // discriminated union: the option whose literal `type` equals the data's
  const t = value && typeof value === "object" ? (value as Record<string, unknown>).type : undefined;
  for (const o of objects) {
    const typeField = (defOf(o).shape as Record<string, z.ZodType>).type;
    if (typeField && defOf(typeField).type === "literal" && (defOf(typeField).values as unknown[]).includes(t)) return o;
  }
  return undefined;
}

function levenshtein(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** Words operators reach for, from other tools' vocabularies. */
const ALIASES: Record<string, string> = {
  neighbors: "peers",
  neighbours: "peers",
  neighbor: "peers",
  remote_as: "remote_asn",
  peer_as: "remote_asn",
  as: "asn",
  local_as: "asn",
  check: "checks",
  prefix: "prefixes",
  ip: "address",
  password: "password_file",
  healthchecks: "checks",
  cmd: "command",
  args: "command",
};

export function suggestKey(unknown: string, allowed: string[]): string | undefined {
  const alias = ALIASES[unknown.toLowerCase()];
  if (alias && allowed.includes(alias)) return alias;
  const norm = unknown.toLowerCase().replace(/-/g, "_");
  if (allowed.includes(norm)) return norm;
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of allowed) {
    const d = levenshtein(norm, k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}
