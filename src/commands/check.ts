// `svcroute check`: validate the manifest; a one-screen summary when valid, every problem when not.
import type { Io } from "../io.js";
import { exitCodeFor, formatProblems } from "../errors.js";
import { loadManifestOrThrow } from "../manifest/load.js";
import { resolveManifestPath } from "../manifest/read.js";
import { summarize, summaryText } from "../manifest/summary.js";

export interface CheckOptions {
  manifest?: string;
  dropIns?: string;
  json?: boolean;
  /** also run every service's checks once (exit 1, E_UNHEALTHY, when a service fails) */
  runChecks?: boolean;
  /** also render the config and have the daemon's own parser judge it */
  withDaemon?: boolean;
}

export function dropInOpt(v: string | undefined): string | null | undefined {
  return v === "none" ? null : v;
}

export async function checkCommand(io: Io, opts: CheckOptions): Promise<number> {
  const path = resolveManifestPath(opts.manifest, io.env);
  const { manifest, warnings } = await loadManifestOrThrow(path, { dropInDir: dropInOpt(opts.dropIns) });
  const daemon = opts.withDaemon ? (await (await import("./check-daemon.js")).validateWithDaemon(manifest)).verdict : undefined;
  const health = opts.runChecks ? await (await import("./check-health.js")).runChecksOnce(manifest) : undefined;
  if (opts.json) {
    const checks = health ? { health: { ok: health.ok, services: health.results } } : {};
    const parser = daemon ? { daemon_check: { ok: daemon.ok, judges: daemon.judges, duration_ms: daemon.durationMs } } : {};
    io.out(JSON.stringify({ ok: health?.ok ?? true, ...summarize(manifest), warnings, ...checks, ...parser }, null, 2));
  } else {
    io.out(summaryText(manifest));
    if (daemon) io.out(`  daemon    the rendered config passes ${daemon.judges.join(" + ")} (${daemon.durationMs} ms)`);
    if (health) io.out(`\nchecks (run once):\n${health.text}`);
    for (const l of formatProblems(warnings, "warning: ")) io.err(l);
  }
  return health && !health.ok ? exitCodeFor("E_UNHEALTHY") : 0;
}

