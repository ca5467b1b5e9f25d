// withdrawEverything (the fail-closed guard, `withdraw --all`) against the fake daemon: the
// run-time sweep comes first, then the withdrawn config is written and applied.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadManifest, loadManifestTexts } from "../../../src/manifest/load.js";
import { readManifestTexts } from "../../../src/manifest/read.js";
import { memoryLogger } from "../../../src/supervisor/log.js";
import { withdrawEverything } from "../../../src/supervisor/withdraw.js";
import { FakeDaemon } from "../../helpers/fake-driver.js";
import { tmpTree } from "../../helpers/tmp.js";

async function setup() {
  const dir = tmpTree({});
  const conf = join(dir, "frr.conf");
  const manifest = join(dir, "svcroute.yaml");
  writeFileSync(
    manifest,
    `version: 1
daemon: {type: frr, config_file: ${conf}, socket: ${join(dir, "run")}}
router: {asn: 4200000101, router_id: 192.0.2.1}
peers:
  - {name: tor1, address: 169.254.0.1, remote_asn: 65000}
policy: {allowed_prefixes: [192.0.2.0/24]}
services:
  - {name: dns, prefixes: [192.0.2.53/32]}
supervisor: {state_dir: ${join(dir, "state")}}
`,
  );
  const m = (await loadManifest(manifest)).manifest!;
  const daemon = new FakeDaemon(() => m);
  daemon.running = new Set(["192.0.2.53/32"]);
  writeFileSync(conf, " network 192.0.2.53/32\n");
  return { daemon, manifest, conf, log: memoryLogger() };
}

describe("withdrawEverything", () => {
  it("sweeps at run time first (prefixes leave at once), then writes and applies the withdrawn config", async () => {
    const t = await setup();
    await withdrawEverything(t.manifest, t.log, undefined, { makeDriver: () => t.daemon.driver() });
    expect(t.daemon.calls[0]).toBe("withdrawAllNow");
    expect(t.daemon.calls.slice(1)).toEqual(["validate", "reload", "observe", "confirm"]);
    expect(t.daemon.running.size).toBe(0);
    expect(readFileSync(t.conf, "utf8")).not.toMatch(/network 192\.0\.2\.53/);
  });

  it("a manifest broken since: the files read earlier (as the guard keeps them, unparsed) say what to withdraw", async () => {
    const t = await setup();
    const earlier = await readManifestTexts(t.manifest);
    writeFileSync(t.manifest, "version: 1\ndaemon: [\n");
    expect((await loadManifest(t.manifest)).manifest).toBeUndefined();
    await withdrawEverything(t.manifest, t.log, () => loadManifestTexts(earlier).manifest, { makeDriver: () => t.daemon.driver() });
    expect(t.daemon.running.size).toBe(0);
    expect(readFileSync(t.conf, "utf8")).not.toMatch(/network 192\.0\.2\.53/);
    expect(t.log.lines.some((l) => l.msg.includes("is invalid now; withdrawing with the manifest loaded earlier"))).toBe(true);
    // and without such files, nothing says which daemon to talk to
    await expect(withdrawEverything(t.manifest, t.log, undefined, { makeDriver: () => t.daemon.driver() })).rejects.toThrow(/not valid/);
  });

  it("a daemon that cannot be reached: the config is still written withdrawn, and the failure is thrown", async () => {
    const t = await setup();
    t.daemon.down = true;
    const calls: string[] = [];
    const driver = () => {
      const d = t.daemon.driver();
      return {
        ...d,
        withdrawAllNow: async () => {
          calls.push("withdrawAllNow");
          throw new Error("fake daemon is down");
        },
      };
    };
    await expect(withdrawEverything(t.manifest, t.log, undefined, { makeDriver: driver })).rejects.toThrow(/down/);
    expect(calls).toEqual(["withdrawAllNow", "withdrawAllNow"]);
    expect(readFileSync(t.conf, "utf8")).not.toMatch(/network 192\.0\.2\.53/);
  });
});
