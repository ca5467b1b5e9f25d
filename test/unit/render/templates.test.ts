import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { render } from "../../../src/core/render.js";
import { compileDaemon, findTemplateDir, templateDirs } from "../../../src/core/templates.js";
import { fixtureModel } from "../../golden/support.js";

describe("templates", () => {
  it("are found beside the bundle or in the source tree, or where SVCROUTE_TEMPLATES says", () => {
    expect(templateDirs({})[0]).toMatch(/\/templates\/$/);
    expect(findTemplateDir({})).toMatch(/templates\/$/);
    expect(templateDirs({ SVCROUTE_TEMPLATES: "/opt/t" })).toEqual(["/opt/t"]);
    expect(() => findTemplateDir({ SVCROUTE_TEMPLATES: "/nonexistent" })).toThrow(expect.objectContaining({ code: "E_RENDER" }));
  });

  it("are strict: a field the model lacks is an error, not an empty string", async () => {
    const dir = mkdtempSync(join(tmpdir(), "svcroute-tpl-"));
    try {
      mkdirSync(join(dir, "bird"));
      writeFileSync(join(dir, "bird", "bird.conf.hbs"), "router id {{noSuchField}};\n");
      const { model } = await fixtureModel("minimal");
      expect(() => compileDaemon(dir, "bird")(model.bird, { data: {} })).toThrow(/noSuchField/);
      expect(() => render(model, "bird", { templateDir: dir })).toThrow(expect.objectContaining({ code: "E_RENDER" }));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("do not HTML-escape (noEscape)", async () => {
    const { model } = await fixtureModel("passwords-gtsm");
    expect(render(model, "frr", { showSecrets: true }).text).toContain("shared:K3y/[fabric]<a>|b");
  });
});
