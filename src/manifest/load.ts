// The manifest and its drop-ins as read by read.ts, then merged, validated and normalised. Never
// throws for bad input: problems come back as data.
import { existsSync } from "node:fs";
import type { Problem } from "../errors.js";
import { SvcrouteError } from "../errors.js";
import { mergeSources } from "./merge.js";
import { normalize, type Installed } from "./normalize.js";
import { parseManifestText, type ParsedSource } from "./parse.js";
import { parseManifestTexts, readManifestSources, type LoadOptions, type ReadResult, type TextsRead } from "./read.js";
import type { Manifest } from "./types.js";
import { validateMerged } from "./validate.js";

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

/**
 * Parse + merge + validate + normalise already-read sources (pure; used by load and tests). A
 * manifest read fast that has a problem is read again carefully, every file of it: the problems
 * reported (and their positions) are then exactly the careful reader's.
 */
export function buildFromSources(main: ParsedSource, fragments: ParsedSource[], opts: BuildOptions = {}): LoadResult {
  const r = build(main, fragments, opts);
  if (r.problems.length === 0 || ![main, ...fragments].some((s) => s.fast)) return r;
  const again = [main, ...fragments].map((s, i) => (s.fast ? parseManifestText(s.file, s.text, { allowEmpty: i > 0, careful: true }) : ({ ok: true, source: s } as const)));
  const failed = again.flatMap((p) => (p.ok ? [] : p.problems));
  if (failed.length > 0) return { problems: failed, warnings: [], files: r.files, stage: "parse" };
  const sources = again.flatMap((p) => (p.ok ? [p.source] : []));
  return build(sources[0]!, sources.slice(1), opts);
}

function build(main: ParsedSource, fragments: ParsedSource[], opts: BuildOptions): LoadResult {
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
  return fromSources(await readManifestSources(path, opts));
}

/** the manifest of files read earlier (readManifestTexts), parsed and judged now */
export function loadManifestTexts(t: TextsRead): LoadResult {
  return fromSources(parseManifestTexts(t));
}

function fromSources(r: ReadResult): LoadResult {
  if (!r.ok) return { problems: r.problems, warnings: [], files: r.files, stage: r.stage };
  return buildFromSources(r.main, r.fragments, { installed: existsSync });
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
