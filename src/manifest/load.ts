// Read the manifest and its drop-ins from disk (the only I/O in manifest/), then parse, merge,
// validate and normalise. Never throws for bad input: problems come back as data.
import { constants, existsSync, promises as fsp } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { Problem } from "../errors.js";
import { SvcrouteError } from "../errors.js";
import { createTrustChecker, type TrustIssue } from "../effects/file-trust.js";
import { mergeSources } from "./merge.js";
import { normalize, type Installed } from "./normalize.js";
import { MAX_MANIFEST_BYTES, decodeManifest, parseManifestText, type ParsedSource } from "./parse.js";
import type { Manifest } from "./types.js";
import { validateMerged } from "./validate.js";

const DEFAULT_MANIFEST = "/etc/svcroute/svcroute.yaml";
export const DROP_IN_DIR = "services.d";
const DROP_IN_NAME = /^[^.].*\.(ya?ml|json)$/;

export interface LoadOptions {
  /** directory of drop-ins; default: services.d beside the manifest; null: none */
  dropInDir?: string | null;
}

export interface BuildOptions {
  /** which files exist, for defaults that depend on the distribution (FRR's tools) */
  installed?: Installed;
}

export interface LoadResult {
  manifest?: Manifest;
  problems: Problem[];
  warnings: Problem[];
  files: string[];
  /** which step failed first: reading a file, parsing one, or validating the merged content */
  stage?: "io" | "parse" | "invalid";
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

type SourceRead = { src?: ParsedSource; problems: Problem[]; stage?: "io" | "parse" };

async function readSource(file: string, isMain: boolean, trust: Trust): Promise<SourceRead> {
  const r = await readBounded(file, trust, isMain);
  if (!r.ok) return { problems: r.problems, stage: "io" };
  const d = decodeManifest(file, r.bytes);
  if (!d.ok) return { problems: d.problems, stage: "parse" };
  const p = parseManifestText(file, d.text, { allowEmpty: !isMain });
  return p.ok ? { src: p.source, problems: [] } : { problems: p.problems, stage: "parse" };
}

/** Parse + merge + validate + normalise already-read sources (pure; used by load and tests). */
export function buildFromSources(main: ParsedSource, fragments: ParsedSource[], opts: BuildOptions = {}): LoadResult {
  const files = [main.file, ...fragments.map((f) => f.file)];
  const merged = mergeSources(main, fragments);
  const v = validateMerged(merged);
  const order = (p: Problem) => {
    const i = files.indexOf(p.file);
    return i < 0 ? files.length : i;
  };
  const byPos = (a: Problem, b: Problem) => order(a) - order(b) || a.line - b.line || a.col - b.col;
  const problems = [...v.problems].sort(byPos);
  const warnings = [...v.warnings].sort(byPos);
  if (problems.length > 0 || !v.data) return { problems, warnings, files, stage: "invalid" };
  return { manifest: normalize(v.data, files, merged.serviceSources, opts.installed), problems, warnings, files };
}

export async function loadManifest(path: string, opts: LoadOptions = {}): Promise<LoadResult> {
  const trust = createTrustChecker();
  const main = await readSource(path, true, trust);
  const dropDir = opts.dropInDir === undefined ? join(dirname(path), DROP_IN_DIR) : opts.dropInDir;
  const listing = dropDir === null ? { files: [], problems: [] } : await listDropIns(dropDir, trust);
  // A validate hook (Ansible/Puppet) may check a temp copy of a drop-in: never read it twice.
  const fragmentFiles = listing.files.filter((f) => basename(f) !== basename(path) || dirname(f) !== dirname(path));
  const fragments = await Promise.all(fragmentFiles.map((f) => readSource(f, false, trust)));
  const reads = [main, ...fragments];
  // a parent directory shared by several files is reported once
  const problems = uniqueProblems([...main.problems, ...listing.problems, ...fragments.flatMap((f) => f.problems)]);
  const files = [path, ...fragmentFiles];
  if (!main.src || problems.length > 0) {
    const stage = reads.some((r) => r.stage === "io") || listing.problems.length ? "io" : "parse";
    return { problems, warnings: [], files, stage };
  }
  return buildFromSources(main.src, fragments.flatMap((f) => (f.src ? [f.src] : [])), { installed: existsSync });
}

function uniqueProblems(ps: Problem[]): Problem[] {
  const seen = new Set<string>();
  return ps.filter((p) => {
    const k = `${p.file}\0${p.line}:${p.col}\0${p.path}\0${p.message}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });
}

/** load, or throw the one error type with every problem attached */
export async function loadManifestOrThrow(path: string, opts: LoadOptions = {}): Promise<{ manifest: Manifest; warnings: Problem[] }> {
  const r = await loadManifest(path, opts);
  if (r.manifest) return { manifest: r.manifest, warnings: r.warnings };
  const code = r.stage === "io" ? "E_MANIFEST_IO" : r.stage === "parse" ? "E_MANIFEST_PARSE" : "E_MANIFEST_INVALID";
  throw new SvcrouteError(code, `${path}: ${r.problems.length} problem(s) in the manifest`, {
    problems: r.problems,
    hint: r.stage === "io" ? "fix the files named above" : "fix the lines above; `svcroute schema` prints every allowed field",
  });
}
