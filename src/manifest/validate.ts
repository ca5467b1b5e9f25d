// Merged raw object → schema issues + rule issues, each located at FILE:LINE:COL. Pure.
import type { z } from "zod";
import type { Problem } from "../errors.js";
import type { Merged, Path } from "./merge.js";
import { locate } from "./parse.js";
import { runRules, type RuleIssue } from "./rules/index.js";
import { ManifestSchema, type RawManifest } from "./schema.js";
import { allowedKeysAt, suggestKey } from "./suggest.js";

type Issue = z.core.$ZodIssue;

const show = (v: unknown) => {
  // undefined for undefined and functions, whatever its type says
  const s = (JSON.stringify(v) as string | undefined) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

/** Pick the union branch that got furthest: the one whose issues are deepest and fewest. */
function flattenUnion(issue: Issue & { code: "invalid_union" }): Issue[] {
  const branches = issue.errors.filter((b) => b.length > 0);
  if (branches.length === 0) return [issue];
  const score = (b: Issue[]) => {
    const typeAtRoot = b.some((i) => i.code === "invalid_type" && i.path.length === 0);
    return (typeAtRoot ? 1000 : 0) - Math.max(...b.map((i) => i.path.length)) * 10 + b.length;
  };
  const best = [...branches].sort((a, b) => score(a) - score(b))[0]!;
  // every branch failed on the value itself: say what any of them would have taken
  const rootOnly = branches.every((b) => b.length === 1 && b[0]!.path.length === 0 && (b[0]!.code === "invalid_type" || b[0]!.code === "invalid_value"));
  if (rootOnly) {
    const wants = branches.map((b) => {
      const i = b[0] as { code: string; expected?: string; values?: unknown[] };
      return i.code === "invalid_type" ? `a ${i.expected}` : `one of ${(i.values ?? []).map((v) => JSON.stringify(v)).join("|")}`;
    });
    return [{ ...issue, errors: [], message: `expected ${wants.join(" or ")}` }];
  }
  return best.flatMap((i) => {
    const withPath = { ...i, path: [...issue.path, ...i.path] } as Issue;
    return withPath.code === "invalid_union" ? flattenUnion(withPath) : [withPath];
  });
}

function schemaProblems(merged: Merged): { issues: { path: Path; message: string; hint?: string; key?: string }[]; data?: RawManifest } {
  const r = ManifestSchema.safeParse(merged.data, { reportInput: true });
  if (r.success) return { issues: [], data: r.data };
  const out: { path: Path; message: string; hint?: string; key?: string }[] = [];
  const missing = (i: Issue) => (i as { input?: unknown }).input === undefined;
  const flat = r.error.issues.flatMap((i) => (i.code === "invalid_union" && !missing(i) ? flattenUnion(i) : [i]));
  for (const i of flat) {
    const path = i.path as Path;
    if (i.code === "unrecognized_keys") {
      const allowed = allowedKeysAt(ManifestSchema, path, merged.data);
      for (const k of i.keys) {
        const s = suggestKey(k, allowed);
        out.push({
          path: [...path, k],
          key: k,
          message: `unknown key "${k}"`,
          hint: s ? `did you mean "${s}"?` : allowed.length ? `allowed here: ${allowed.join(", ")}` : undefined,
        });
      }
      continue;
    }
    const input = (i as { input?: unknown }).input;
    if ((i.code === "invalid_type" || i.code === "invalid_union" || i.code === "invalid_value") && input === undefined) {
      out.push({ path, message: `required field "${path[path.length - 1]}" is missing` });
      continue;
    }
    if (i.code === "invalid_union" && (i as { note?: string }).note === "No matching discriminator") {
      out.push({ path: path[path.length - 1] === "type" ? path : [...path, "type"], message: `unknown check type ${show(input && typeof input === "object" ? (input as { type?: unknown }).type : input)}`, hint: "type is one of: exec, http, tcp, file" });
      continue;
    }
    const got = input !== undefined && (i.code === "invalid_format" || i.code === "invalid_value" || i.code === "too_big" || i.code === "too_small" || i.code === "invalid_type" || i.code === "invalid_union") ? ` (got ${show(input)})` : "";
    out.push({ path, message: `${i.message}${got}` });
  }
  return { issues: out };
}

function toProblem(merged: Merged, x: { path: Path; message: string; hint?: string; key?: string; related?: Path }): Problem {
  const o = merged.origin(x.path);
  const pos = x.key !== undefined ? locate(o.src, o.path.slice(0, -1), { key: x.key }) : locate(o.src, o.path);
  let message = x.message;
  if (x.related) {
    const r = merged.origin(x.related);
    const rp = locate(r.src, r.path);
    message += ` (first at ${r.src.file}:${rp.line}:${rp.col}, ${r.path.join(".")})`;
  }
  return { file: o.src.file, ...pos, path: o.path.join("."), message, ...(x.hint ? { hint: x.hint } : {}) };
}

const isUnder = (p: Path, q: Path) => q.length <= p.length && q.every((s, i) => String(s) === String(p[i]));

export function validateMerged(merged: Merged): { problems: Problem[]; warnings: Problem[]; data?: RawManifest } {
  const schema = schemaProblems(merged);
  const rules = runRules(merged.data);
  // A rule's finding on a value the schema already rejected would only repeat it.
  const fresh = (r: RuleIssue) => !schema.issues.some((s) => isUnder(r.path, s.path) || isUnder(s.path, r.path));
  const errs = rules.filter((r) => r.severity !== "warning" && fresh(r));
  const warns = rules.filter((r) => r.severity === "warning");
  const problems = [...merged.problems, ...[...schema.issues, ...errs].map((x) => toProblem(merged, x))];
  const warnings = warns.map((x) => toProblem(merged, x));
  return problems.length === 0 && schema.data ? { problems, warnings, data: schema.data } : { problems, warnings };
}
