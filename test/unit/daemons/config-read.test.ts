import { describe, expect, it } from "vitest";
import { announcedInConfig, maskSecrets } from "../../../src/daemons/config-read.js";
import { fixtureModel, renderReal } from "../../golden/support.js";
import { buildModel } from "../../../src/core/build-model.js";
import { render } from "../../../src/core/render.js";

describe("what a rendered config announces", () => {
  it.each(["frr", "bird"] as const)("%s: healthy prefixes, not withdrawn ones", async (d) => {
    const { manifest } = await fixtureModel("drain");
    const prefixesOf = (ss: typeof manifest.services) => ss.flatMap((s) => s.prefixes.map((p) => p.text)).sort();
    expect(announcedInConfig(render(buildModel(manifest), d).text, d).sort()).toEqual(prefixesOf(manifest.services));
    const first = manifest.services.find((s) => s.onFailure === "withdraw")!;
    const down = render(buildModel(manifest, { services: { [first.name]: "down" }, drained: [] }), d).text;
    expect(first.prefixes.length).toBeGreaterThan(0);
    expect(announcedInConfig(down, d).sort()).toEqual(prefixesOf(manifest.services.filter((s) => s !== first)));
  });

  it("masks passwords of both daemons", async () => {
    const { model } = await fixtureModel("passwords-gtsm");
    for (const d of ["frr", "bird"] as const) {
      const real = renderReal(model, d);
      expect(real).not.toContain("<secret>");
      const masked = maskSecrets(real);
      expect(masked).toContain("<secret>");
      expect(masked).not.toMatch(/password (?!"?<secret>)/);
    }
  });
});
