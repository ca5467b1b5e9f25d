// `svcroute diff`: what svcroute would write now vs the file on disk vs what the daemon runs,
// as unified diffs with passwords masked. Exit 0 when all agree, 1 when something differs.
import { promises as fsp } from "node:fs";
import { createTwoFilesPatch } from "diff";
import type { Io } from "../io.js";
import { buildModel } from "../core/build-model.js";
import { ALL_UP, type Announce } from "../core/desired.js";
import { healthFromAnnounce } from "../core/health-from-announce.js";
import { render } from "../core/render.js";
import { maskSecrets } from "../daemons/config-read.js";
import { daemonCapabilities, makeDriver } from "../daemons/make.js";
import { diffIsEmpty } from "../daemons/frr-parse.js";
import { toSvcrouteError } from "../errors.js";
import { loadManifestOrThrow } from "../manifest/load.js";
import { resolveManifestPath } from "../manifest/read.js";
import { fetchStatus } from "../supervisor/client.js";

/**
 * The checksum covers the real passwords, so it never matches a masked render, and only a masked
 * render says that it is masked: leave both lines out.
 */
export const comparable = (t: string) =>
  maskSecrets(t)
    .replace(/^[#!] svcroute-checksum sha256:\S+\n/m, "")
    .replace(/^[#!] MASKED: passwords are shown as <secret>\..*\n/m, "");

export async function diffCommand(io: Io, opts: { manifest?: string; socket?: string }): Promise<number> {
  const path = resolveManifestPath(opts.manifest, io.env);
  const { manifest: m } = await loadManifestOrThrow(path);
  let health = ALL_UP;
  let source = "the supervisor is not running: rendered with every service healthy";
  try {
    const st = await fetchStatus(opts.socket ?? m.supervisor.statusSocket);
    const announce: Record<string, Announce> = {};
    for (const s of st.services) announce[s.name] = (s.prefixes[0]?.desired ?? "withdrawn");
    health = healthFromAnnounce(m, announce);
    source = "rendered with the health the supervisor reports";
  } catch {
    // keep ALL_UP
  }
  const rendered = comparable(render(buildModel(m, health, undefined, { capabilities: await daemonCapabilities(m.daemon) }), m.daemon.type).text);
  const onDisk = await fsp.readFile(m.daemon.configFile, "utf8").then(comparable, () => undefined);
  let differs = false;
  io.out(`# ${source}`);
  if (onDisk === undefined) {
    io.out(`# ${m.daemon.configFile} does not exist`);
    differs = true;
  } else if (onDisk === rendered) {
    io.out(`# rendered == ${m.daemon.configFile}`);
  } else {
    differs = true;
    io.out(createTwoFilesPatch("rendered", m.daemon.configFile, rendered, onDisk, "svcroute render", "on disk", { context: 3 }).trimEnd());
  }
  const driver = makeDriver(m.daemon);
  try {
    const d = await driver.diffAgainst(m.daemon.configFile);
    if (d === null) {
      io.out("# running config: BIRD cannot print it; `birdc configure check` parses the file, `svcroute doctor` compares times");
    } else if (diffIsEmpty(d)) io.out(`# ${m.daemon.configFile} == running config`);
    else {
      differs = true;
      io.out(`--- ${m.daemon.configFile}\n+++ running config (what frr-reload.py would change to make it equal the file)`);
      for (const l of d.toDelete) io.out(`- ${maskSecrets(l)}`);
      for (const l of d.toAdd) io.out(`+ ${maskSecrets(l)}`);
    }
  } catch (e) {
    io.out(`# running config: not available (${toSvcrouteError(e).message})`);
    differs = true;
  } finally {
    driver.close();
  }
  return differs ? 1 : 0;
}
