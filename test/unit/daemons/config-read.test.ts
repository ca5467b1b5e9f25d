import { describe, expect, it } from "vitest";
import { announcedInConfig, maskSecrets } from "../../../src/daemons/config-read.js";
import { fixtureModel, renderReal } from "../../golden/support.js";
import { buildModel } from "../../../src/core/build-model.js";
import { render } from "../../../src/core/render.js";

describe("what a rendered config announces", () => {
  it.each(["frr", "bird"] as const)("%s: healthy prefixes, not withdrawn ones", async (d) => {
    const { manifest } = await fixtureModel("drain");
    const all = manifest.services.flatMap((s) => s.prefixes.filter((p) => manifest.policy.allowed.some(() => true)).map((p) => p.text));
    const upText = render(buildModel(manifest), d).text;
    expect(announcedInConfig(upText, d).length).toBeGreaterThan(0);
    const first = manifest.services.find((s) => s.onFailure === "withdraw")!;
    const down = render(buildModel(manifest, { services: { [first.name]: "down" }, drained: [] }), d).text;
    const got = announcedInConfig(down, d);
    for (const p of first.prefixes) expect(got).not.toContain(p.text);
    expect(got.every((p) => all.includes(p))).toBe(true);
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
