// The fixture manifests together use every field of the schema, every enum value and every
// alternative shape (e.g. `bfd: true` and `bfd: {interval}`), so the golden files cover it all.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { manifestJsonSchema } from "../../src/manifest/jsonschema.js";
import { FIXTURES, fixtureNames } from "./support.js";

type Schema = Record<string, unknown>;

/** path → the value kinds the schema allows there (enum values, or JSON types) */
function schemaKinds(s: Schema, path: string, out: Map<string, Set<string>>): void {
  const add = (k: string) => out.set(path, (out.get(path) ?? new Set()).add(k));
  for (const alt of [...((s.anyOf as Schema[] | undefined) ?? []), ...((s.oneOf as Schema[] | undefined) ?? [])]) schemaKinds(alt, path, out);
  if (s.anyOf || s.oneOf) return;
  if (Array.isArray(s.enum)) for (const v of s.enum) add(JSON.stringify(v));
  else if (s.const !== undefined) add(JSON.stringify(s.const));
  else if (typeof s.type === "string") add(s.type === "integer" ? "number" : s.type);
  if (s.type === "object" && s.properties) {
    for (const [k, v] of Object.entries(s.properties as Record<string, Schema>)) schemaKinds(v, path ? `${path}.${k}` : k, out);
  }
  if (s.type === "object" && typeof s.additionalProperties === "object") schemaKinds(s.additionalProperties as Schema, `${path}.*`, out);
  if (s.type === "array" && s.items) schemaKinds(s.items as Schema, `${path}[]`, out);
}

function dataKinds(v: unknown, path: string, out: Map<string, Set<string>>): void {
  const add = (k: string) => out.set(path, (out.get(path) ?? new Set()).add(k));
  if (Array.isArray(v)) {
    add("array");
    for (const x of v) dataKinds(x, `${path}[]`, out);
  } else if (v !== null && typeof v === "object") {
    add("object");
    const record = path.endsWith(".env");
    for (const [k, x] of Object.entries(v)) dataKinds(x, record ? `${path}.*` : path ? `${path}.${k}` : k, out);
  } else {
    add(typeof v);
    add(JSON.stringify(v));
  }
}

describe("fixture manifests", () => {
  it("together cover every schema field, enum value and alternative", () => {
    const want = new Map<string, Set<string>>();
    schemaKinds(manifestJsonSchema(), "", want);
    want.delete("");
    const have = new Map<string, Set<string>>();
    for (const n of fixtureNames()) dataKinds(parse(readFileSync(join(FIXTURES, `${n}.yaml`), "utf8")), "", have);
    const missing: string[] = [];
    for (const [path, kinds] of want) {
      for (const k of kinds) if (!have.get(path)?.has(k)) missing.push(`${path}: ${k}`);
    }
    expect(missing).toEqual([]);
    expect(want.size).toBeGreaterThan(80);
  });
});
