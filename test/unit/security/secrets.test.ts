// BGP passwords never leave the config file: not in logs, status, metrics, render output, diffs,
// parser evidence or error messages.
import { describe, expect, it } from "vitest";
import { buildModel } from "../../../src/core/build-model.js";
import { render } from "../../../src/core/render.js";
import { loadSecrets, parseSecret } from "../../../src/core/secrets.js";
import { maskSecrets } from "../../../src/daemons/config-read.js";
import { formatDiagnostics } from "../../../src/daemons/validate.js";
import { errorToJson, formatError, toSvcrouteError } from "../../../src/errors.js";
import { buildFromSources } from "../../../src/manifest/load.js";
import { parseManifestText } from "../../../src/manifest/parse.js";
import type { Manifest } from "../../../src/manifest/types.js";
import { NO_DRAIN } from "../../../src/supervisor/drain.js";
import { Engine } from "../../../src/supervisor/engine.js";
import { memoryLogger } from "../../../src/supervisor/log.js";
import { renderMetrics } from "../../../src/supervisor/metrics.js";
import { buildStatus } from "../../../src/supervisor/status.js";
import { readFileSync } from "node:fs";
import { createFrrDriver } from "../../../src/daemons/frr.js";
import { capturedFile, replay } from "../../helpers/captured-exec.js";
import { FakeDaemon } from "../../helpers/fake-driver.js";

const PW = "S3cret-md5.key$7";
const MANIFEST = `version: 1
daemon: {type: frr, config_file: /fake/frr.conf, socket: /fake/run}
router: {asn: 4200000101, router_id: 192.0.2.1}
peers:
  - {name: tor1, address: 169.254.0.1, remote_asn: 65000, password_file: /etc/svcroute/tor1.secret}
policy: {allowed_prefixes: [192.0.2.0/24]}
services:
  - {name: dns, prefixes: [192.0.2.53/32]}
`;
const reader = async () => ({ text: `${PW}\n`, mode: 0o100640 });

function manifest(): Manifest {
  const p = parseManifestText("/m.yaml", MANIFEST);
  if (!p.ok) throw new Error("bad");
  return buildFromSources(p.source, []).manifest!;
}

describe("secrets stay secret", () => {
  it("render masks unless asked, and the masked text can never be written", async () => {
    const m = manifest();
    const model = buildModel(m, undefined, await loadSecrets(m, reader));
    for (const d of ["frr", "bird"] as const) {
      const shown = render(model, d);
      expect(shown.text).not.toContain(PW);
      expect(shown.masked).toBe(true);
      expect(render(model, d, { showSecrets: true }).text).toContain(PW);
      expect(JSON.stringify(model)).not.toContain(PW);
    }
  });

  // The routing daemon's side comes from the real FRR driver answered with what FRR printed
  // (test/fixtures/captured/frr/): vtysh -C quoting the password line it refuses, and
  // frr-reload.py failing on a password line, both with the captures' made-up password.
  it.each([
    ["the daemon's parser rejects the config (vtysh -C quotes the line)", "vtysh-C-password-line.txt", undefined],
    ["the daemon refuses the reload (frr-reload.py and the remaining diff quote the line)", "vtysh-C-good.txt", "frr-reload-reload-refused-password.txt"],
  ])("the supervisor's logs, status, metrics and errors never contain the password: %s", async (_w, vtyshC, reload) => {
    let current: Manifest | undefined;
    const daemon = new FakeDaemon(() => current!);
    const log = memoryLogger();
    const { exec } = replay("frr", (cmd, args) => {
      if (cmd.endsWith("vtysh")) return vtyshC;
      if (cmd.endsWith("bgpd")) return "bgpd-C-good.txt";
      if (cmd.endsWith("frr-reload.py")) return args[0] === "--reload" ? reload : "frr-reload-test-refused-password.txt";
      return undefined;
    });
    const frr = (m: Manifest) => createFrrDriver(m.daemon, { exec });
    const engine = new Engine(
      {
        log,
        now: () => 1,
        sleep: async () => undefined,
        loadManifest: async () => {
          current = manifest();
          return { manifest: current, problems: [], warnings: [], files: ["/m.yaml"] };
        },
        makeDriver: () => ({ ...daemon.driver(), validate: (t) => frr(current!).validate(t), reload: () => frr(current!).reload() }),
        readSecrets: (m) => loadSecrets(m, reader),
        health: { update: () => undefined, setDrained: () => undefined, states: () => [{ name: "dns", state: "UP", phase: "UP" }], stateOf: () => undefined },
        readDrain: async () => NO_DRAIN,
        drainFileSince: async () => undefined,
        writeConfig: async (p, t) => void daemon.files.set(p, t),
        readConfig: async (p) => daemon.files.get(p),
        saveAnnounced: async () => undefined,
        loadAnnounced: async () => undefined,
        verifyTimeoutMs: 10,
        verifyPollMs: 5,
        scheduleDrainCheck: () => undefined,
      },
      "/m.yaml",
    );
    expect(readFileSync(capturedFile("frr", reload ?? vtyshC), "utf8"), "the capture quotes the password, as FRR does").toContain(PW);
    const r = await engine.reconcile(new Set(["start"]));
    expect(r.ok).toBe(false);
    const status = buildStatus(engine.state, [], { pid: 1, startedAt: 0 });
    const kept = engine.state.rejected?.error;
    const everything = [JSON.stringify(log.lines), JSON.stringify(status), renderMetrics(status), JSON.stringify(engine.state.lastReconcile), kept ? formatError(kept) : ""];
    for (const t of everything) expect(t).not.toContain(PW);
    expect(status.last_reconcile?.code).toBe(reload ? "E_APPLY" : "E_DAEMON_REJECTED");
  });

  it("parser evidence that quotes a password line is masked", () => {
    const v = {
      ok: false,
      daemon: "frr" as const,
      judges: ["vtysh -C"],
      diagnostics: [{ line: 40, message: "Unknown command", text: ` neighbor 169.254.0.1 password ${PW}` }],
      output: `line 40: % Unknown command[12]:  neighbor 169.254.0.1 password ${PW}\n% bad password ${PW}`,
      durationMs: 1,
    };
    const text = formatDiagnostics(v, "/etc/frr/frr.conf");
    expect(text).not.toContain(PW);
    expect(text).toContain("password <secret>");
    expect(maskSecrets(`  password "${PW}";`)).toBe('  password "<secret>";');
  });

  it("a malformed password file is reported without echoing its content", () => {
    for (const bad of [`${PW} with space`, `${PW}\nsecond line`, `"${PW}"`]) {
      const e = toSvcrouteError((() => {
        try {
          parseSecret("/etc/svcroute/tor1.secret", { text: bad, mode: 0o100640 });
        } catch (x) {
          return x;
        }
        throw new Error("accepted");
      })());
      expect(formatError(e)).not.toContain(PW);
      expect(JSON.stringify(errorToJson(e))).not.toContain(PW);
    }
  });
});
