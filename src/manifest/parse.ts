// One manifest file's text → data plus the document needed to locate any path in it. Pure.
// Hostile input (binary, NUL bytes, alias bombs, deep nesting, duplicate keys) becomes Problems.
// Two readers: the fast one (fast-yaml.ts, data only) first; the careful one (the `yaml` package,
// with positions) when the fast one refuses the file, and for positions, which are only needed
// to report a problem: a source read fast parses its positioned document on first use.
import { LineCounter, parseDocument, isMap, isPair, isScalar, isSeq, type Document, type Node } from "yaml";
import type { Problem } from "../errors.js";
import { fastParse } from "./fast-yaml.js";

export const MAX_MANIFEST_BYTES = 1024 * 1024;
const MAX_DEPTH = 32;

export interface ParsedSource {
  file: string;
  /** the positioned document (parsed on first use for a source read fast) */
  readonly doc: Document | undefined;
  readonly lineCounter: LineCounter;
  data: unknown;
  /** read by the fast reader: the careful one may still have something to say */
  readonly fast: boolean;
  /** the text it was read from (empty for data given directly) */
  readonly text: string;
}

/** a source whose data was not read from text (tests, generated manifests) */
export function dataSource(file: string, data: unknown): ParsedSource {
  return { file, doc: undefined, lineCounter: new LineCounter(), data, fast: false, text: "" };
}

/** a source read fast: its document and line counter come from the careful reader when asked for */
function fastSource(file: string, text: string, data: unknown): ParsedSource {
  let positioned: { doc: Document | undefined; lineCounter: LineCounter } | undefined;
  const get = () => {
    if (!positioned) {
      const lineCounter = new LineCounter();
      positioned = { doc: parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true, stringKeys: false }), lineCounter };
    }
    return positioned;
  };
  return {
    file,
    data,
    fast: true,
    text,
    get doc() {
      return get().doc;
    },
    get lineCounter() {
      return get().lineCounter;
    },
  };
}

export type ParseResult = { ok: true; source: ParsedSource } | { ok: false; problems: Problem[] };

function at(file: string, text: string, offset: number, message: string, hint?: string): Problem {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const col = offset - before.lastIndexOf("\n");
  return { file, line, col, path: "", message, ...(hint ? { hint } : {}) };
}

function depth(v: unknown, d = 0): number {
  if (d > MAX_DEPTH || v === null || typeof v !== "object") return d;
  let max = d;
  for (const x of Object.values(v)) {
    max = Math.max(max, depth(x, d + 1));
    if (max > MAX_DEPTH) break;
  }
  return max;
}

/** Decode bytes strictly as UTF-8 text; binary content is a problem, not mojibake. */
export function decodeManifest(file: string, bytes: Uint8Array): { ok: true; text: string } | { ok: false; problems: Problem[] } {
  if (bytes.length > MAX_MANIFEST_BYTES) {
    return {
      ok: false,
      problems: [{ file, line: 1, col: 1, path: "", message: `file is ${bytes.length} bytes; a manifest may be at most ${MAX_MANIFEST_BYTES} bytes`, hint: "split services into drop-in files under services.d/" }],
    };
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    const bad = bytes.findIndex((b) => b >= 0x80);
    return { ok: false, problems: [at(file, Buffer.from(bytes.subarray(0, Math.max(0, bad))).toString("latin1"), Math.max(0, bad), "file is not UTF-8 text (binary data?)")] };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const nul = text.indexOf("\u0000");
  if (nul >= 0) return { ok: false, problems: [at(file, text, nul, "file contains a NUL byte (binary data?)")] };
  return { ok: true, text };
}

/**
 * `careful`: read with the `yaml` package only (positions at once); by default the fast reader
 * goes first and the careful one only when it refuses the file or the data is not a mapping.
 */
export function parseManifestText(file: string, text: string, opts: { allowEmpty?: boolean; careful?: boolean } = {}): ParseResult {
  if (text.trim() === "" || /^(\s*#[^\n]*\n?)*\s*$/.test(text)) {
    if (opts.allowEmpty) return { ok: true, source: { file, doc: undefined, lineCounter: new LineCounter(), data: {}, fast: false, text } };
    return { ok: false, problems: [{ file, line: 1, col: 1, path: "", message: "file is empty", hint: "see `svcroute schema` or the README for a minimal manifest" }] };
  }
  if (!opts.careful) {
    const f = fastParse(text);
    if (f && depth(f.data) <= MAX_DEPTH) return { ok: true, source: fastSource(file, text, f.data) };
  }
  // not before the fast reader: a file it reads needs no `yaml` package (a file of its own in the bundle)
  const lineCounter = new LineCounter();
  let doc: Document;
  try {
    doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, strict: true, stringKeys: false });
  } catch (e) {
    if (e instanceof RangeError) return { ok: false, problems: [at(file, text, 0, `nesting is too deep (more than ${MAX_DEPTH} levels)`)] };
    return { ok: false, problems: [at(file, text, 0, `cannot parse: ${(e as Error).message}`)] };
  }
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((err) => {
        if (/call stack/i.test(err.message)) return at(file, text, 0, `nesting is too deep (more than ${MAX_DEPTH} levels)`);
        const p = at(file, text, err.pos[0], err.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, ""));
        if (err.code === "DUPLICATE_KEY") p.hint = "each key may appear once per mapping; merge the two entries";
        return p;
      }),
    };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 50 });
  } catch (e) {
    const msg = (e as Error).message;
    if (/alias/i.test(msg)) return { ok: false, problems: [at(file, text, 0, "too many YAML alias references (a resource-exhaustion pattern)", "write the values out instead of using anchors and aliases")] };
    if (e instanceof RangeError) return { ok: false, problems: [at(file, text, 0, `nesting is too deep (more than ${MAX_DEPTH} levels)`)] };
    return { ok: false, problems: [at(file, text, 0, `cannot read: ${msg}`)] };
  }
  if (depth(data) > MAX_DEPTH) return { ok: false, problems: [at(file, text, 0, `nesting is too deep (more than ${MAX_DEPTH} levels)`)] };
  if (data === null || data === undefined) {
    if (opts.allowEmpty) return { ok: true, source: { file, doc, lineCounter, data: {}, fast: false, text } };
    return { ok: false, problems: [{ file, line: 1, col: 1, path: "", message: "file is empty" }] };
  }
  if (typeof data !== "object" || Array.isArray(data)) {
    const kind = Array.isArray(data) ? "a list" : `a ${typeof data} (${JSON.stringify(data).slice(0, 40)})`;
    const off = doc.contents?.range?.[0] ?? 0;
    return { ok: false, problems: [at(file, text, off, `the top level must be a mapping of keys (version:, daemon:, ...), found ${kind}`)] };
  }
  return { ok: true, source: { file, doc, lineCounter, data, fast: false, text } };
}

/** 1-based line/col of a path inside a source; `key` → the key itself rather than its value. */
export function locate(src: ParsedSource, path: (string | number)[], opts: { key?: string } = {}): { line: number; col: number } {
  const pos = (off: number | undefined) => {
    if (off === undefined) return { line: 1, col: 1 };
    const lp = src.lineCounter.linePos(off);
    return { line: lp.line, col: lp.col };
  };
  if (!src.doc) return { line: 1, col: 1 };
  // walk down as far as the document goes; a missing key is reported at its parent
  let node: unknown = src.doc.contents;
  for (const seg of path) {
    const next = isMap(node) || isSeq(node) ? node.get(seg, true) : undefined;
    if (next === undefined) break;
    node = next;
  }
  if (opts.key !== undefined && isMap(node)) {
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === opts.key);
    if (pair && isScalar(pair.key)) return pos(pair.key.range?.[0]);
  }
  return pos((node as Node | undefined)?.range?.[0]);
}
