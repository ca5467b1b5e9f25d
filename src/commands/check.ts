// `svcroute check`: validate the manifest; a one-screen summary when valid, every problem when not.
import type { Io } from "../cli.js";
import { SvcrouteError, formatProblem } from "../errors.js";
import { loadManifestOrThrow, resolveManifestPath } from "../manifest/load.js";
import { summarize, summaryText } from "../manifest/summary.js";

export interface CheckOptions {
  manifest?: string;
  dropIns?: string;
  json?: boolean;
}

export function dropInOpt(v: string | undefined): string | null | undefined {
  return v === "none" ? null : v;
}

export async function checkCommand(io: Io, opts: CheckOptions): Promise<number> {
  const path = resolveManifestPath(opts.manifest, io.env);
  const { manifest, warnings } = await loadManifestOrThrow(path, { dropInDir: dropInOpt(opts.dropIns) });
  if (opts.json) {
    io.out(JSON.stringify({ ok: true, ...summarize(manifest), warnings }, null, 2));
  } else {
    io.out(summaryText(manifest));
    for (const w of warnings) io.err(`warning: ${formatProblem(w)}`);
  }
  return 0;
}

export { SvcrouteError };
