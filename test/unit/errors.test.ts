import { describe, expect, it, vi } from "vitest";
import { SvcrouteError, isSvcrouteError, toSvcrouteError } from "../../src/errors.js";

describe("SvcrouteError across bundles", () => {
  it("an error from another copy of the module is still a SvcrouteError (the CLI and each command are bundled apart)", async () => {
    vi.resetModules();
    const other = await import("../../src/errors.js");
    expect(other.SvcrouteError).not.toBe(SvcrouteError);
    const e = new other.SvcrouteError("E_MANIFEST_INVALID", "bad");
    expect(e instanceof SvcrouteError).toBe(true);
    expect(isSvcrouteError(e)).toBe(true);
    expect(toSvcrouteError(e)).toBe(e);
    expect(new SvcrouteError("E_USAGE", "x") instanceof other.SvcrouteError).toBe(true);
  });

  it("nothing else is one", () => {
    for (const x of [new Error("x"), { code: "E_USAGE", message: "x" }, null, undefined, "E_USAGE", 3]) expect(x instanceof SvcrouteError).toBe(false);
    expect(toSvcrouteError(new Error("boom")).code).toBe("E_INTERNAL");
  });
});
