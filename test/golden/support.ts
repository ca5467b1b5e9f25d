// Shared by the golden, unit and property tests of the renderer: fixture loading, fake password
// files, and a daemon-parser judge that runs the real binaries.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildModel } from "../../src/core/build-model.js";
import { ALL_UP, type HealthInput } from "../../src/core/desired.js";
import { parseHealthInput } from "../../src/core/health-input.js";
import type { RoutingModel } from "../../src/core/model.js";
import { render } from "../../src/core/render.js";
import { loadSecrets, type SecretReader, type SecretStore } from "../../src/core/secrets.js";
import { validateConfigText, type Verdict } from "../../src/daemons/validate.js";
import type { DaemonCapabilities } from "../../src/core/capabilities.js";
import { exec } from "../../src/effects/exec.js";
import { buildFromSources } from "../../src/manifest/load.js";
import { dataSource, parseManifestText } from "../../src/manifest/parse.js";
import type { DaemonType, Manifest } from "../../src/manifest/types.js";

export const FIXTURES = fileURLToPath(new URL("../fixtures/manifests/valid/", import.meta.url));
export const GOLDEN_DIR = fileURLToPath(new URL("./__golden__/", import.meta.url));
/** the version named in golden headers, so a release does not rewrite every golden file */
export const GOLDEN_VERSION = "0.0.0-golden";

export const FAKE_PASSWORDS: Record<string, string> = {
  "/etc/svcroute/secrets/tor1.key": "Tor1-md5.key$2024",
  "/etc/svcroute/secrets/shared.key": "shared:K3y/[fabric]<a>|b",
};

export const fakeSecretReader: SecretReader = async (path) => {
  const text = FAKE_PASSWORDS[path];
  if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: "ENOENT" });
  return { text: `${text}\n`, mode: 0o100640 };
};

export function fixtureNames(): string[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith(".yaml"))
    .map((f) => f.slice(0, -5))
    .sort();
}

export function manifestFromText(file: string, text: string): Manifest {
  const p = parseManifestText(file, text);
  if (!p.ok) throw new Error(`${file}: ${JSON.stringify(p.problems)}`);
  const r = buildFromSources(p.source, []);
  if (!r.manifest) throw new Error(`${file}: ${JSON.stringify(r.problems)}`);
  return r.manifest;
}

/** a manifest from plain data (no YAML), as the property tests build them */
export function manifestFromData(data: unknown, file = "/gen/svcroute.yaml"): ReturnType<typeof buildFromSources> {
  return buildFromSources(dataSource(file, data), []);
}

export function loadFixture(name: string): { manifest: Manifest; health: HealthInput } {
  const file = join(FIXTURES, `${name}.yaml`);
  const manifest = manifestFromText(`valid/${name}.yaml`, readFileSync(file, "utf8"));
  const hf = join(FIXTURES, `${name}.health.json`);
  const health = existsSync(hf) ? parseHealthInput(hf, readFileSync(hf, "utf8")) : ALL_UP;
  return { manifest, health };
}

/**
 * Golden headers name a fixed per-fixture hash instead of the manifest's content hash: that hash
 * covers every normalised field (check timings too), and a change there must not rewrite every
 * golden file. The hash itself is tested in locked-down.test.ts.
 */
export function goldenHash(name: string): string {
  return createHash("sha256").update(`golden fixture ${name}`).digest("hex");
}

/** the fixture's model; `capabilities`: those of a daemon version (default: the oldest behaviour) */
export async function fixtureModel(name: string, capabilities?: DaemonCapabilities): Promise<{ manifest: Manifest; model: RoutingModel; secrets: SecretStore }> {
  const loaded = loadFixture(name);
  const manifest = { ...loaded.manifest, hash: goldenHash(name) };
  const { health } = loaded;
  const secrets = await loadSecrets(manifest, fakeSecretReader);
  return { manifest, model: buildModel(manifest, health, secrets, { version: GOLDEN_VERSION, ...(capabilities ? { capabilities } : {}) }), secrets };
}

/** model of a manifest with everything healthy and fake secrets */
export async function quickModel(m: Manifest, health: HealthInput = ALL_UP): Promise<RoutingModel> {
  return buildModel(m, health, await loadSecrets(m, fakeSecretReader), { version: GOLDEN_VERSION });
}

export function renderReal(model: RoutingModel, daemon: DaemonType): string {
  return render(model, daemon, { showSecrets: true }).text;
}

export function judge(daemon: DaemonType, text: string): Promise<Verdict> {
  return validateConfigText(daemon, text, { exec });
}

/** Run `fn` over items with at most `n` in flight (the parsers are separate processes). */
export async function pool<T, R>(items: T[], n: number, fn: (t: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

/**
 * The statements of a config, as a sorted multiset: comment lines dropped, each line trimmed;
 * for BIRD every `;`, `{` and `}` also ends a statement. Text that smuggled a statement in
 * changes this set.
 */
export function statementSet(daemon: DaemonType, text: string): string[] {
  const lines = text.split("\n");
  const out: string[] = [];
  for (const raw of lines) {
    const l = raw.trim();
    if (l === "") continue;
    if (daemon === "frr") {
      if (l.startsWith("!")) continue;
      out.push(l);
    } else {
      if (l.startsWith("#")) continue;
      out.push(...l.split(/(?<=[;{}])/).map((s) => s.trim()).filter(Boolean));
    }
  }
  return out.sort();
}
