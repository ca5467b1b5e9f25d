// Golden files: every fixture manifest rendered for both daemons (BIRD where it can), each file
// then judged by the daemon's real parser. Update with `npx vitest run -u test/golden`.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { isSvcrouteError } from "../../src/errors.js";
import { render } from "../../src/core/render.js";
import { GOLDEN_DIR, fixtureModel, fixtureNames, judge, renderReal } from "./support.js";

const names = fixtureNames();
const DAEMONS = ["frr", "bird"] as const;

describe("golden configs", () => {
  it("has at least 12 fixture manifests", () => {
    expect(names.length).toBeGreaterThanOrEqual(12);
  });

  for (const name of names) {
    for (const daemon of DAEMONS) {
      it(`${name} → ${daemon}`, async () => {
        const { model } = await fixtureModel(name);
        if (daemon === "bird" && model.bird === null) {
          // FRR-only features (BGP unnumbered) must be refused, not rendered wrongly.
          expect(() => render(model, "bird")).toThrow(/BIRD/);
          try {
            render(model, "bird");
          } catch (e) {
            expect(isSvcrouteError(e) && e.code).toBe("E_RENDER");
          }
          return;
        }
        const text = renderReal(model, daemon);
        await expect(text).toMatchFileSnapshot(join(GOLDEN_DIR, `${name}.${daemon}.conf`));
        const verdict = await judge(daemon, text);
        expect(verdict.diagnostics).toEqual([]);
        expect(verdict.ok).toBe(true);
      });
    }
  }

  it("judges every golden file on disk with the real parser (no orphans)", async () => {
    // <name>.<daemon>-<version>.conf files are judged by their version (matrix.test.ts)
    const files = readdirSync(GOLDEN_DIR).filter((f) => /\.(frr|bird)\.conf$/.test(f)).sort();
    expect(files.length).toBeGreaterThanOrEqual(2 * 12);
    for (const f of files) {
      const m = /^(.+)\.(frr|bird)\.conf$/.exec(f);
      expect(m, f).not.toBeNull();
      expect(names, `${f} has no fixture`).toContain(m![1]);
      const v = await judge(m![2] as "frr" | "bird", readFileSync(join(GOLDEN_DIR, f), "utf8"));
      expect({ file: f, ok: v.ok, diagnostics: v.diagnostics }).toEqual({ file: f, ok: true, diagnostics: [] });
    }
  });
});
