// `svcroute drain [SERVICE|--all] [--wait]` / `undrain`: de-prefer with GRACEFUL_SHUTDOWN, then
// withdraw after drain_wait. The running supervisor is asked over its socket and persists the state
// itself (it survives restarts), so members of the svcroute group can drain without write access to
// the state directory; with no supervisor running, the client writes the state when it may.
// A manifest on disk that is refused does not stop a drain: the supervisor judges the service name
// against the last good manifest it runs, which is exactly when an operator needs to drain.
import type { Io } from "../io.js";
import { SvcrouteError, isSvcrouteError } from "../errors.js";
import { formatDuration, parseDuration } from "../manifest/duration.js";
import { loadManifest, loadManifestOrThrow } from "../manifest/load.js";
import { resolveManifestPath } from "../manifest/read.js";
import type { Manifest } from "../manifest/types.js";
import { fetchStatus, requestDrain } from "../supervisor/client.js";
import { changeDrain, drainStatePath } from "../supervisor/drain.js";
import type { SupervisorStatus } from "../supervisor/status-types.js";
import { resolveSocket } from "./socket-path.js";

export interface DrainOptions {
  manifest?: string;
  socket?: string;
  all?: boolean;
  /** drain: return once every prefix of the target is withdrawn at every peer */
  wait?: boolean;
  /** how long --wait waits (a duration); default drain_wait + 30s */
  timeout?: string;
}

const WAIT_POLL_MS = 200;
/** --wait beyond drain_wait: the withdrawal itself, and a reconcile that may be running */
export const WAIT_MARGIN_MS = 30_000;
/** --wait when the manifest on disk is refused and drain_wait is not known here */
const WAIT_DEFAULT_MS = 120_000;

/** What still keeps a drain from being complete: prefixes not yet withdrawn, or still advertised to a peer. Pure. */
export function drainPending(s: SupervisorStatus, target: string): string[] {
  const services = s.services.filter((sv) => target === "all" || sv.name === target);
  if (services.length === 0 && target !== "all") return [`no service ${target} in the supervisor's manifest`];
  const out: string[] = [];
  for (const sv of services) {
    for (const p of sv.prefixes) {
      if (p.desired !== "withdrawn") out.push(`${p.prefix} ${p.desired}`);
      const at = Object.entries(p.advertised).filter(([, v]) => v).map(([peer]) => peer);
      if (at.length) out.push(`${p.prefix} still advertised to ${at.join(", ")}`);
    }
  }
  return out;
}

async function waitWithdrawn(io: Io, socket: string, target: string, timeoutMs: number): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    const pending = drainPending(await fetchStatus(socket), target);
    if (pending.length === 0) break;
    if (Date.now() - t0 >= timeoutMs) {
      throw new SvcrouteError("E_TIMEOUT", `${target === "all" ? "every service" : target} is not withdrawn at every peer after ${formatDuration(timeoutMs)}: ${pending.join("; ")}`, {
        hint: "`svcroute status` shows each prefix per peer; a longer --timeout waits longer (the drain goes on either way)",
      });
    }
    await new Promise((r) => setTimeout(r, WAIT_POLL_MS));
  }
  io.out(`${target === "all" ? "every service" : target}: withdrawn at every peer after ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

function waitTimeout(opts: DrainOptions, m: Manifest | undefined): number {
  if (opts.timeout !== undefined) {
    const ms = parseDuration(opts.timeout);
    if (ms === null) throw new SvcrouteError("E_USAGE", `--timeout ${opts.timeout} is not a duration`, { hint: 'e.g. "90s" or "2m"' });
    return ms;
  }
  return m ? m.maintenance.drainWaitMs + WAIT_MARGIN_MS : WAIT_DEFAULT_MS;
}

export async function drainCommand(io: Io, service: string | undefined, opts: DrainOptions, on: boolean): Promise<number> {
  if (!service && !opts.all) throw new SvcrouteError("E_USAGE", "name a service or pass --all");
  if (opts.wait && !on) throw new SvcrouteError("E_USAGE", "--wait is for drain: undrain announces again as soon as the service is healthy");
  const path = resolveManifestPath(opts.manifest, io.env);
  const { socket } = await resolveSocket(io.env, { socket: opts.socket, manifest: path });
  // the manifest says which services there are and how long a drain waits; with --socket it may not be here
  const load = opts.socket ? undefined : await loadManifest(path);
  const manifest = load?.manifest;
  const names = manifest?.services.map((s) => s.name);
  if (service && names && !names.includes(service)) {
    throw new SvcrouteError("E_USAGE", `no service named "${service}" in the manifest`, { hint: `services: ${names.join(", ")}` });
  }
  const target = opts.all ? "all" : service!;
  const timeoutMs = waitTimeout(opts, manifest);
  try {
    await requestDrain(socket, target, on);
    if (load && !manifest) io.err(`note: ${path} is refused (${load.problems.length} problem(s), \`svcroute check\` lists them); the supervisor used its last good manifest`);
  } catch (e) {
    if (!isSvcrouteError(e) || e.code !== "E_SUPERVISOR_DOWN") throw e;
    // no supervisor: the state is written here, which needs a valid manifest (its state_dir and services)
    const m = manifest ?? (await loadManifestOrThrow(path)).manifest;
    const dir = m.supervisor.stateDir;
    await changeDrain(dir, m.services.map((s) => s.name), target, on, Date.now()).catch((w: unknown) => {
      const code = (w as { cause?: NodeJS.ErrnoException }).cause?.code ?? (w as NodeJS.ErrnoException).code;
      if (code !== "EACCES" && code !== "EPERM") throw w;
      throw new SvcrouteError("E_PERMISSION", `the supervisor is not running (${e.message}), and this user may not write ${drainStatePath(dir)}`, {
        hint: "start the supervisor (systemctl start svcroute), which takes drains from members of the svcroute group, or run this as root",
      });
    });
    if (opts.wait) {
      throw new SvcrouteError("E_SUPERVISOR_DOWN", `the drain is recorded, but no supervisor runs to withdraw anything (${e.message})`, { hint: "start the supervisor: it applies the drain at once" });
    }
    io.err(`note: the supervisor is not running (${e.message}); the change takes effect when it starts`);
  }
  const what = target === "all" ? "every service" : target;
  const after = manifest ? formatDuration(manifest.maintenance.drainWaitMs) : "drain_wait";
  io.out(on ? `${what}: draining — announced with GRACEFUL_SHUTDOWN (65535:0) now, withdrawn after ${after}` : `${what}: undrained — announced normally again while healthy`);
  if (opts.wait) await waitWithdrawn(io, socket, target, timeoutMs);
  return 0;
}
