// Every invalid fixture yields its exact error list (snapshotted next to it, with positions);
// every shipped example is valid.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatProblem } from "../../../src/errors.js";
import { loadManifest } from "../../../src/manifest/load.js";

const root = join(import.meta.dirname, "../../..");
const invalidDir = join(root, "test/fixtures/manifests/invalid");
const examplesDir = join(root, "packaging/examples");

describe("invalid fixtures", () => {
  for (const name of readdirSync(invalidDir).sort()) {
    it(name, async () => {
      const dir = join(invalidDir, name);
      const r = await loadManifest(join(dir, "svcroute.yaml"));
      expect(r.manifest).toBeUndefined();
      const text = r.problems.map((p) => formatProblem(p).replaceAll(`${dir}/`, "")).join("\n");
      await expect(`${text}\n`).toMatchFileSnapshot(join(dir, "expected-errors.txt"));
    });
  }
});

describe("shipped examples", () => {
  for (const name of readdirSync(examplesDir).filter((f) => /\.(ya?ml|json)$/.test(f))) {
    it(`${name} is valid, with no warning (an example shows nothing that has no effect)`, async () => {
      const r = await loadManifest(join(examplesDir, name), { dropInDir: null });
      expect(r.problems).toEqual([]);
      expect(r.warnings).toEqual([]);
      expect(r.manifest).toBeDefined();
    });
  }
});
