// Read the manifest's files from disk (the only I/O in manifest/): the main file and its drop-ins,
// each trust-checked, bounded and parsed, not yet merged or validated. Kept apart from load.ts so
// a command that needs one field (status: the socket) reads the files as carefully without
// loading the schema.
import { constants, promises as fsp } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Problem } from "../errors.js";
import { createTrustChecker, type TrustIssue } from "../effects/file-trust.js";
import { MAX_MANIFEST_BYTES, decodeManifest, parseManifestText, type ParsedSource } from "./parse.js";

const DEFAULT_MANIFEST = "/etc/svcroute/svcroute.yaml";
export const DROP_IN_DIR = "services.d";
export const DROP_IN_NAME = /^[^.].*\.(ya?ml|json)$/;

export interface LoadOptions {
  /** directory of drop-ins; default: services.d beside the manifest; null: none */
  dropInDir?: string | null;
}

export function resolveManifestPath(cli?: string, env: NodeJS.ProcessEnv = process.env): string {
  return cli ?? env.SVCROUTE_MANIFEST ?? DEFAULT_MANIFEST;
}

type Trust = ReturnType<typeof createTrustChecker>;
const trustProblems = (issues: TrustIssue[]): Problem[] => issues.map((i) => ({ file: i.file, line: 1, col: 1, path: "", message: i.message, hint: i.hint }));

/**
 * Read a file safely: must be a regular file (not a FIFO, device or directory) that only root or
 * svcroute's own user can change, at most MAX_MANIFEST_BYTES, read through one descriptor so a
 * file replaced mid-read is read whole.
 */
async function readBounded(file: string, trust: Trust, isMain: boolean): Promise<{ ok: true; bytes: Uint8Array } | { ok: false; problems: Problem[] }> {
  const fail = (message: string, hint?: string) => ({ ok: false as const, problems: [{ file, line: 1, col: 1, path: "", message, ...(hint ? { hint } : {}) }] });
  let fh: fsp.FileHandle;
  try {
    // O_NONBLOCK: opening a FIFO must not block waiting for a writer.
    fh = await fsp.open(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return fail("file not found", "pass --manifest PATH or set SVCROUTE_MANIFEST");
    if (code === "EACCES") return fail("permission denied", "run as a user that can read the manifest (root or the svcroute group)");
    if (code === "EISDIR") return fail("is a directory, not a file");
    return fail(`cannot open: ${(e as Error).message}`);
  }
  try {
    const st = await fh.stat();
    if (!st.isFile()) return fail(st.isFIFO() ? "is a FIFO, not a regular file" : "is not a regular file (device, socket or directory)");
    // what this file says is announced to the network: only root (and config management) may write it
    const issues = await trust.check(file, st, isMain ? "manifest file" : "drop-in file");
    if (issues.length > 0) return { ok: false, problems: trustProblems(issues) };
    if (st.size > MAX_MANIFEST_BYTES) {
      return fail(`file is ${st.size} bytes; a manifest may be at most ${MAX_MANIFEST_BYTES} bytes`, "split services into drop-in files under services.d/");
    }
    const buf = Buffer.alloc(MAX_MANIFEST_BYTES + 1);
    let n = 0;
    for (;;) {
      const { bytesRead } = await fh.read(buf, n, buf.length - n, n);
      if (bytesRead === 0) break;
      n += bytesRead;
      if (n > MAX_MANIFEST_BYTES) return fail(`file grew beyond ${MAX_MANIFEST_BYTES} bytes while being read`);
    }
    return { ok: true, bytes: buf.subarray(0, n) };
  } catch (e) {
    return fail(`cannot read: ${(e as Error).message}`);
  } finally {
    await fh.close().catch(() => undefined);
  }
}

async function listDropIns(dir: string, trust: Trust): Promise<{ files: string[]; problems: Problem[] }> {
  let names: string[];
  try {
    const st = await fsp.stat(dir);
    if (st.isDirectory()) {
      const issues = await trust.check(dir, st, "drop-in directory");
      if (issues.length > 0) return { files: [], problems: trustProblems(issues) };
    }
    names = await fsp.readdir(dir);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return { files: [], problems: [] };
    return { files: [], problems: [{ file: dir, line: 1, col: 1, path: "", message: `cannot list drop-in directory: ${(e as Error).message}` }] };
  }
  // Byte order, not locale order: the same on every machine.
  const files = names.filter((n) => DROP_IN_NAME.test(n)).sort((a, b) => (Buffer.from(a) < Buffer.from(b) ? -1 : a === b ? 0 : 1));
  return { files: files.map((n) => join(dir, n)), problems: [] };
}

/** one file read and decoded (text), or why it could not be */
type TextRead = { file: string; isMain: boolean; text?: string; problems: Problem[]; stage?: "io" | "parse" };

async function readText(file: string, isMain: boolean, trust: Trust): Promise<TextRead> {
  const r = await readBounded(file, trust, isMain);
  if (!r.ok) return { file, isMain, problems: r.problems, stage: "io" };
  const d = decodeManifest(file, r.bytes);
  return d.ok ? { file, isMain, text: d.text, problems: [] } : { file, isMain, problems: d.problems, stage: "parse" };
}

/** The manifest's files read (trust-checked, bounded, decoded) in order, main file first, not yet parsed. */
export interface TextsRead {
  reads: TextRead[];
  /** a problem listing the drop-in directory */
  listing: Problem[];
  files: string[];
}

export async function readManifestTexts(path: string, opts: LoadOptions = {}): Promise<TextsRead> {
  const trust = createTrustChecker();
  const main = await readText(path, true, trust);
  const dropDir = opts.dropInDir === undefined ? join(dirname(path), DROP_IN_DIR) : opts.dropInDir;
  const listing = dropDir === null ? { files: [], problems: [] } : await listDropIns(dropDir, trust);
  // A validate hook (Ansible/Puppet) may check a temp copy of a drop-in: never read it twice.
  const fragmentFiles = listing.files.filter((f) => basename(f) !== basename(path) || dirname(f) !== dirname(path));
  const fragments = await Promise.all(fragmentFiles.map((f) => readText(f, false, trust)));
  return { reads: [main, ...fragments], listing: listing.problems, files: [path, ...fragmentFiles] };
}

/** The manifest's files read, trust-checked and parsed, not yet merged or validated. */
export type ReadResult = { ok: true; main: ParsedSource; fragments: ParsedSource[] } | { ok: false; problems: Problem[]; files: string[]; stage: "io" | "parse" };

/** the files read by readManifestTexts, parsed */
export function parseManifestTexts(t: TextsRead): ReadResult {
  const reads = t.reads.map((r) => {
    if (r.text === undefined) return r;
    const p = parseManifestText(r.file, r.text, { allowEmpty: !r.isMain });
    return p.ok ? { ...r, src: p.source } : { ...r, problems: p.problems, stage: "parse" as const };
  });
  const [main, ...fragments] = reads as [(typeof reads)[number], ...typeof reads];
  // a parent directory shared by several files is reported once
  const problems = uniqueProblems([...main.problems, ...t.listing, ...fragments.flatMap((f) => f.problems)]);
  const src = (r: (typeof reads)[number]) => ("src" in r ? r.src : undefined);
  const mainSrc = src(main);
  if (!mainSrc || problems.length > 0) {
    const stage = reads.some((r) => r.stage === "io") || t.listing.length ? "io" : "parse";
    return { ok: false, problems, files: t.files, stage };
  }
  return { ok: true, main: mainSrc, fragments: fragments.flatMap((f) => (src(f) ? [src(f)!] : [])) };
}

export async function readManifestSources(path: string, opts: LoadOptions = {}): Promise<ReadResult> {
  return parseManifestTexts(await readManifestTexts(path, opts));
}

function uniqueProblems(ps: Problem[]): Problem[] {
  const seen = new Set<string>();
  return ps.filter((p) => {
    const k = `${p.file}\0${p.line}:${p.col}\0${p.path}\0${p.message}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });
}
