import { describe, expect, it } from "vitest";
import { checkHealthAgainstManifest, parseHealthInput } from "../../../src/core/health-input.js";
import { loadFixture } from "../../golden/support.js";

const err = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    return e as { code: string; message: string };
  }
  throw new Error("expected an error");
};

describe("--health file", () => {
  it("reads the full form", () => {
    expect(parseHealthInput("h.json", '{"services": {"dns": "down", "web": "up"}, "drained": ["web", "api", "web"]}')).toEqual({
      services: { dns: "down", web: "up" },
      drained: ["api", "web"],
    });
    expect(parseHealthInput("h.json", '{"drained": "all"}')).toEqual({ services: {}, drained: "all" });
  });

  it("reads the shorthand", () => {
    expect(parseHealthInput("h.json", '{"dns": "down", "web": "drain", "api": "up"}')).toEqual({ services: { dns: "down", api: "up" }, drained: ["web"] });
    // a service may be called "services": a string value makes it shorthand
    expect(parseHealthInput("h.json", '{"services": "down"}')).toEqual({ services: { services: "down" }, drained: [] });
  });

  it.each([
    ["not json", "h.json: not valid JSON"],
    ["[1]", "h.json: the top level must be a JSON object"],
    ['{"dns": "sick"}', "h.json: dns:"],
    ['{"services": {"dns": "drain"}}', "h.json: services.dns:"],
    ['{"services": {}, "drained": [1]}', "h.json: drained.0:"],
    ['{"Bad_Name": "up"}', "h.json: Bad_Name:"],
  ])("rejects %s with E_HEALTH_FILE naming file and key", (text, where) => {
    const e = err(() => parseHealthInput("h.json", text));
    expect(e.code).toBe("E_HEALTH_FILE");
    expect(e.message.startsWith(where)).toBe(true);
  });

  it("refuses services the manifest does not have", () => {
    const { manifest } = loadFixture("deprefer");
    expect(err(() => checkHealthAgainstManifest("h.json", { services: { dbx: "down" }, drained: [] }, manifest)).message).toBe(
      "h.json: services.dbx: no such service in the manifest",
    );
    expect(err(() => checkHealthAgainstManifest("h.json", { services: {}, drained: ["nope"] }, manifest)).code).toBe("E_HEALTH_FILE");
    expect(() => checkHealthAgainstManifest("h.json", { services: { db: "down" }, drained: "all" }, manifest)).not.toThrow();
  });
});
