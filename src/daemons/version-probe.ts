// Learning the routing daemon's version: from the running daemon when it answers, else from its
// binary (`bgpd --version`, `bird --version`), so `render` and `check --with-daemon` also know it
// with nothing running. The answer is kept until the daemon's instance changes (an upgrade
// restarts it).
import type { Exec } from "../effects/exec.js";
import type { DaemonConfig } from "../manifest/types.js";
import { parseDaemonVersion } from "./versions.js";
import { capabilitiesOf, type DaemonCapabilities, type DaemonVersion } from "../core/capabilities.js";

/** the version the daemon's binary reports (null when it is missing or says nothing usable) */
export async function binaryVersion(cfg: DaemonConfig, exec: Exec): Promise<DaemonVersion | null> {
  const r = await exec(cfg.type === "frr" ? cfg.bgpd : cfg.bird, ["--version"], { timeoutMs: 5000 });
  if (r.notFound || r.timedOut) return null;
  return parseDaemonVersion(cfg.type, `${r.stdout}\n${r.stderr}`);
}

export interface VersionSources {
  /** the running daemon's identity (changes on restart); null or a throw: not running */
  instance(): Promise<string | null>;
  /** the running daemon's own word */
  running(): Promise<DaemonVersion | null>;
  binary(): Promise<DaemonVersion | null>;
}

/** capabilities(), asking again only when the daemon's instance changed (or nothing runs) */
export function cachedCapabilities(src: VersionSources): () => Promise<DaemonCapabilities> {
  let last: { instance: string; caps: DaemonCapabilities } | undefined;
  return async () => {
    const instance = await src.instance().catch(() => null);
    if (last && instance !== null && last.instance === instance) return last.caps;
    const fromDaemon = instance !== null ? await src.running().catch(() => null) : null;
    const caps = capabilitiesOf(fromDaemon ?? (await src.binary().catch(() => null)));
    last = instance !== null ? { instance, caps } : undefined;
    return caps;
  };
}
