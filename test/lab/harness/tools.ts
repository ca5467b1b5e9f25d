// The daemon programs svcroute runs for a lab host (its manifest's `daemon.*` paths): this
// machine's own, or wrappers that run a Debian 13 root's with chroot. The root sees this machine's
// /tmp, so the files svcroute hands them (configs, temp files to judge, sockets) are the same paths.
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type { HostPlan } from "./topology.js";

export interface DaemonTools {
  vtysh: string;
  bgpd: string;
  frrReload: string;
  bird: string;
  birdc: string;
}

/** the program inside a root (and this machine's default) for each tool */
const IN_ROOT: DaemonTools = {
  vtysh: "/usr/bin/vtysh",
  bgpd: "/usr/lib/frr/bgpd",
  frrReload: "/usr/lib/frr/frr-reload.py",
  bird: "/usr/sbin/bird",
  birdc: "/usr/sbin/birdc",
};

export const HOST_TOOLS: DaemonTools = IN_ROOT;

/**
 * The tools of `root`: for null this machine's own; otherwise shell wrappers in `binDir`/<root's
 * name> that exec the root's program with chroot. Written when missing or different, and then by
 * rename: rewriting a wrapper in place while a supervisor runs it fails with ETXTBSY.
 */
export function toolsFor(root: string | null, binDir: string): DaemonTools {
  if (root === null) return HOST_TOOLS;
  const dir = join(binDir, basename(root));
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const out = {} as DaemonTools;
  for (const [k, program] of Object.entries(IN_ROOT) as [keyof DaemonTools, string][]) {
    const file = join(dir, basename(program));
    const text = `#!/bin/sh\nexec chroot ${root} ${program} "$@"\n`;
    if (current(file) !== text) {
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, text);
      chmodSync(tmp, 0o755);
      renameSync(tmp, file);
    }
    out[k] = file;
  }
  return out;
}

function current(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** the manifest's `daemon:` lines (indented two spaces) that point svcroute at `tools` */
export function toolLines(kind: "frr" | "bird", tools: DaemonTools): string[] {
  if (tools === HOST_TOOLS) return [];
  return kind === "frr" ? [`vtysh: ${tools.vtysh}`, `bgpd: ${tools.bgpd}`, `frr_reload: ${tools.frrReload}`] : [`bird: ${tools.bird}`, `birdc: ${tools.birdc}`];
}

/** a host's tools; wrappers live in the run directory (bin/ beside the nodes' directories) */
export const hostTools = (host: HostPlan): DaemonTools => toolsFor(host.paths?.root ?? null, join(dirname(host.dir), "bin"));
