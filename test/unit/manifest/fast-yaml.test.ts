// The fast reader (js-yaml with the YAML 1.2 core schema) must read every file it accepts exactly
// as the careful one (the `yaml` package, as parse.ts calls it) does: same data, and nothing the
// careful one refuses. Checked on every manifest fixture, on scalars of every spelling the two
// YAML versions disagree about, and on generated documents in block and flow style.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { parseDocument } from "yaml";
import { describe, expect, it } from "vitest";
import { fastParse } from "../../../src/manifest/fast-yaml.js";
import { parseManifestText } from "../../../src/manifest/parse.js";

const RUNS = Number(process.env.SVCROUTE_FUZZ_RUNS ?? 500);

/** the careful reader as parse.ts uses it: data, or undefined when it refuses the text */
function careful(text: string): { data: unknown } | undefined {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, strict: true, stringKeys: false });
  if (doc.errors.length > 0) return undefined;
  try {
    return { data: doc.toJS({ maxAliasCount: 50 }) };
  } catch {
    return undefined;
  }
}

/** fast ⇒ careful, with the same data */
function agree(text: string): void {
  const f = fastParse(text);
  if (!f) return;
  const c = careful(text);
  expect(c, `the careful reader refuses what the fast one read:\n${text}`).toBeDefined();
  expect(f.data, text).toEqual(c!.data);
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.(ya?ml|json)$/.test(n) ? [p] : [];
  });
}

// YAML 1.1 spellings (and others) that YAML 1.2's core schema reads as strings, or differently
const SCALARS = [
  "yes", "no", "on", "off", "y", "n", "Yes", "NO", "true", "True", "TRUE", "tRue", "false", "FALSE",
  "~", "null", "Null", "NULL", "nULL", "", "0", "-0", "+1", "007", "0o17", "0O17", "0x1F", "0X1f", "0b101", "1_000",
  "1:20", "190:20:30", "1.5", "-1.5e3", "1e3", "1E+3", ".5", "5.", "+.5", "1_0.5", ".inf", "-.Inf", "+.INF", ".NaN", ".nan", "nan", "inf",
  "2001-12-14", "2001-12-14t21:59:43.10-05:00", "0.0.0.0/0", "2001:db8::/32", "192.0.2.1", "65000:1", "1:2:3", "0:0",
  "<<", "=", "!", "&a", "*a", "|", ">", "@x", "`x", "%x", "'q'", '"q"', "9007199254740993", "1e400", "-", "- x", "? x", "0x", "0o", "+", ".",
];

describe("the fast reader reads what the careful one reads", () => {
  it("every manifest fixture", () => {
    const all = files(join(import.meta.dirname, "../../fixtures/manifests"));
    expect(all.length).toBeGreaterThan(20);
    let read = 0;
    for (const f of all) {
      const text = readFileSync(f, "utf8");
      agree(text);
      if (fastParse(text)) read++;
    }
    // most of them are read fast (the bad YAML and alias ones are not)
    expect(read).toBeGreaterThan(all.length / 2);
  });

  it("scalars in every YAML 1.1 / 1.2 spelling, plain and quoted, as values and keys", () => {
    for (const s of SCALARS) {
      for (const text of [`k: ${s}\n`, `k: [${s}]\n`, `k: {a: ${s}}\n`, `k:\n  - ${s}\n`, `${s}: v\n`, `k: '${s}'\n`, `k: "${s}"\n`, `k: !!str ${s}\n`, `k: !!int ${s}\n`, `k: !!float ${s}\n`, `k: !!bool ${s}\n`, `k: !!null ${s}\n`]) agree(text);
    }
  });

  it("anchors and aliases: collections are left to the careful reader, which bounds them", () => {
    expect(fastParse("a: &x [1, 2]\nb: *x\n")).toBeUndefined();
    const bomb = ["a: &a [x, x]", ...Array.from({ length: 12 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`)].join("\n");
    expect(fastParse(bomb)).toBeUndefined();
    agree("a: &x 5\nb: *x\n");
    expect(parseManifestText("/m.yaml", bomb).ok).toBe(false);
  });

  it("duplicate keys, tabs, multiple documents, tags and deep nesting", () => {
    for (const text of ["a: 1\na: 2\n", "a:\n\t- 1\n", "a: 1\n---\nb: 2\n", "a: !foo 1\n", "a: !!binary aGk=\n", "a: !!timestamp 2001-12-14\n", "a: !!set {x}\n", "<<: {a: 1}\nb: 2\n", "[".repeat(200) + "]".repeat(200), "a:\n".repeat(50) + "  x"]) agree(text);
    expect(fastParse("a: 1\na: 2\n")).toBeUndefined();
  });

  it(`the fixtures edited line by line: indentation, characters and lines added or removed (${RUNS} runs)`, () => {
    const texts = files(join(import.meta.dirname, "../../fixtures/manifests")).map((f) => readFileSync(f, "utf8"));
    const chars = [" ", "  ", "-", "- ", ":", ": ", "#", " #", "'", '"', "[", "]", "{", "}", ",", "|", ">", "\t", "\n", "?", "&a", "*a", "!", "~", "0x1", "yes"];
    const edit = fc.record({ line: fc.nat(), col: fc.nat(), kind: fc.integer({ min: 0, max: 4 }), text: fc.constantFrom(...chars) });
    fc.assert(
      fc.property(fc.nat({ max: texts.length - 1 }), fc.array(edit, { minLength: 1, maxLength: 4 }), (t, edits) => {
        const lines = texts[t]!.split("\n");
        for (const e of edits) {
          if (lines.length === 0) lines.push("");
          const i = e.line % lines.length;
          const l = lines[i]!;
          const c = l.length ? e.col % l.length : 0;
          if (e.kind === 0) lines[i] = l.slice(0, c) + e.text + l.slice(c);
          else if (e.kind === 1) lines[i] = l.slice(0, c) + l.slice(c + 1);
          else if (e.kind === 2) lines.splice(i, 1);
          else if (e.kind === 3) lines.splice(i, 0, l);
          else lines[i] = e.text.trim() ? ` ${l}` : l.replace(/^ /, "");
        }
        agree(lines.join("\n"));
      }),
      { numRuns: RUNS },
    );
  });

  it("an anchor with no space before a flow collection (`&a[x]`: js-yaml reads it, yaml refuses it) and every other anchor or alias go to the careful reader", () => {
    // found by the property above (seed 1475993390): a fixture with `prefixes: &a[192.0.2.80/32]`
    for (const text of ["prefixes: &a[192.0.2.80/32]\n", "a: &x 1\nb: *x\n", "a: &x [1]\n"]) {
      expect(fastParse(text), text).toBeUndefined();
      agree(text);
    }
    expect(careful("prefixes: &a[192.0.2.80/32]\n")).toBeUndefined();
    expect(fastParse("a: x&y*z\nb: '&a'\n")).toEqual({ data: { a: "x&y*z", b: "&a" } });
  });

  it("comments, block scalars, multi-line plain scalars", () => {
    for (const text of [
      "a: 1 # c\nb: x#y\n# full\nc: 'it''s' # q\n",
      "a: |\n  line1\n  it's \"x\n\nb: >-\n  folded\n  text\n",
      "a: |2\n   x\nb: 1\n",
      "a: plain\n  continued\nb: 2\n",
      "a:\n  - x\n  -\n    b: 1\n  - c: 2\n    d: 3\n",
      "a: [1, 2] # c\nb: {c: d, e: [f]}\n",
      "a: 'x' y\n",
      'a: "x\\"y"\n',
      "a:\n- 1\n- 2\nb: 3\n",
      "a:   \t 1\n",
    ])
      agree(text);
  });

  it(`generated documents, block and flow (${RUNS} runs)`, () => {
    const scalar = fc.oneof(fc.constantFrom(...SCALARS), fc.string({ maxLength: 8 }), fc.integer().map(String), fc.double().map(String));
    const key = fc.oneof(fc.constantFrom("a", "b", "name", "1", "true", "~", "x y"), fc.string({ minLength: 1, maxLength: 5 }));
    const quote = (s: string, q: number) => (q === 0 ? s : q === 1 ? `'${s.replace(/'/g, "''")}'` : JSON.stringify(s));
    type Node = { kind: "s"; v: string; q: number } | { kind: "l"; items: Node[]; flow: boolean } | { kind: "m"; entries: [string, Node][]; flow: boolean };
    const { node } = fc.letrec<{ node: Node }>((tie) => ({
      node: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.record({ kind: fc.constant("s" as const), v: scalar, q: fc.integer({ min: 0, max: 2 }) }),
        fc.record({ kind: fc.constant("l" as const), items: fc.array(tie("node"), { maxLength: 3 }), flow: fc.boolean() }),
        fc.record({ kind: fc.constant("m" as const), entries: fc.array(fc.tuple(key, tie("node")), { maxLength: 3 }), flow: fc.boolean() }),
      ),
    }));
    const flow = (n: Node): string =>
      n.kind === "s" ? quote(n.v, n.q) : n.kind === "l" ? `[${n.items.map(flow).join(", ")}]` : `{${n.entries.map(([k, v]) => `${quote(k, 2)}: ${flow(v)}`).join(", ")}}`;
    const block = (n: Node, ind: string): string => {
      if (n.kind === "s" || n.flow) return ` ${flow(n)}\n`;
      if (n.kind === "l") return n.items.length ? `\n${n.items.map((x) => `${ind}-${block(x, `${ind}  `)}`).join("")}` : " []\n";
      return n.entries.length ? `\n${n.entries.map(([k, v]) => `${ind}${quote(k, 2)}:${block(v, `${ind}  `)}`).join("")}` : " {}\n";
    };
    fc.assert(
      fc.property(fc.array(fc.tuple(key, node), { minLength: 1, maxLength: 4 }), (entries) => {
        agree(entries.map(([k, v]) => `${quote(k, 2)}:${block(v, "  ")}`).join(""));
      }),
      { numRuns: RUNS },
    );
  });
});
