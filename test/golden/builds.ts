// Every daemon build of the matrix as a judge of rendered configs: its own parser (`bird -p`,
// `vtysh -C` + `bgpd -C`, run from its Debian 13 root with chroot where it comes from one) and the
// capabilities svcroute derives from its binary's version, as `render` and `check --with-daemon` do.
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DaemonCapabilities } from "../../src/core/capabilities.js";
import { binaryVersion } from "../../src/daemons/version-probe.js";
import { capabilitiesOf } from "../../src/core/capabilities.js";
import { validateConfigText, type Verdict } from "../../src/daemons/validate.js";
import { exec } from "../../src/effects/exec.js";
import type { DaemonConfig, DaemonType } from "../../src/manifest/types.js";
import { buildsOf, filePrefix, type DaemonBuild } from "../lab/harness/daemon-sets.js";
import { ensureRoot } from "../lab/harness/roots.js";
import { toolsFor, type DaemonTools } from "../lab/harness/tools.js";

export interface Judge {
  daemon: DaemonType;
  /** "frr-10.3", "bird-2.0.12" */
  version: string;
  build: DaemonBuild;
  /** why this build cannot judge here (no root, not root), or null */
  unavailable: string | null;
  tools(): DaemonTools;
  capabilities(): Promise<DaemonCapabilities>;
  judge(text: string): Promise<Verdict>;
}

const PROGRAMS: Record<DaemonType, string[]> = { frr: ["usr/bin/vtysh", "usr/lib/frr/bgpd"], bird: ["usr/sbin/bird"] };

let binDir: string | undefined;

function judgeOf(daemon: DaemonType, build: DaemonBuild): Judge {
  const missing = build.root !== null && PROGRAMS[daemon].some((p) => !existsSync(join(build.root!, p)));
  const unavailable =
    build.root === null ? null : process.getuid?.() !== 0 ? "chroot needs root" : missing ? `${build.root} is not built (npm run setup builds it)` : null;
  const tools = () => {
    if (build.root !== null) ensureRoot(build.root, PROGRAMS[daemon]);
    binDir ??= mkdtempSync(join(tmpdir(), "svcroute-judges-"));
    return toolsFor(build.root, binDir);
  };
  return {
    daemon,
    version: filePrefix(build).slice(0, -1),
    build,
    unavailable,
    tools,
    async capabilities() {
      const t = tools();
      return capabilitiesOf(await binaryVersion({ type: daemon, bgpd: t.bgpd, bird: t.bird } as DaemonConfig, exec));
    },
    judge(text) {
      return validateConfigText(daemon, text, { exec, binaries: tools() });
    },
  };
}

/** FRR 8.4 and 10.3, BIRD 2.0.12, 2.17 and 3.1 */
export const JUDGES: Judge[] = (["frr", "bird"] as const).flatMap((d) => buildsOf(d).map((b) => judgeOf(d, b)));
