// `svcroute check --with-daemon`: render the real config (passwords included) and let the
// routing daemon's own parser judge it. Also the building block the supervisor validates with.
import { buildModel } from "../core/build-model.js";
import { ALL_UP, type HealthInput } from "../core/desired.js";
import { render } from "../core/render.js";
import { loadSecrets, type SecretReader } from "../core/secrets.js";
import { daemonCapabilities } from "../daemons/make.js";
import { assertDaemonAccepts, type ParserBinaries, type Verdict } from "../daemons/validate.js";
import { exec as realExec, type Exec } from "../effects/exec.js";
import { readSecretFile } from "../effects/secret-file.js";
import type { DaemonType, Manifest } from "../manifest/types.js";

export interface DaemonCheckDeps {
  exec?: Exec;
  readSecret?: SecretReader;
  /** default: the manifest's daemon */
  daemon?: DaemonType;
  health?: HealthInput;
  tmpRoot?: string;
}

export interface DaemonCheckResult {
  ok: true;
  /** the real config text (it holds passwords: never print it) */
  text: string;
  verdict: Verdict;
}

function binariesOf(m: Manifest): ParserBinaries {
  return { bird: m.daemon.bird, vtysh: m.daemon.vtysh, bgpd: m.daemon.bgpd };
}

/** Throws E_DAEMON_REJECTED (with the parser's file:line output), E_DAEMON_MISSING or E_SECRET. */
export async function validateWithDaemon(manifest: Manifest, deps: DaemonCheckDeps = {}): Promise<DaemonCheckResult> {
  const daemon = deps.daemon ?? manifest.daemon.type;
  const secrets = await loadSecrets(manifest, deps.readSecret ?? readSecretFile);
  // judged as it would be written for the installed version
  const capabilities = await daemonCapabilities({ ...manifest.daemon, type: daemon }, { exec: deps.exec ?? realExec });
  const model = buildModel(manifest, deps.health ?? ALL_UP, secrets, { capabilities });
  const { text } = render(model, daemon, { showSecrets: true });
  const label = `${manifest.daemon.configFile} (rendered)`;
  const verdict = await assertDaemonAccepts(daemon, text, label, {
    exec: deps.exec ?? realExec,
    binaries: binariesOf(manifest),
    ...(deps.tmpRoot ? { tmpRoot: deps.tmpRoot } : {}),
  });
  return { ok: true, text, verdict };
}

