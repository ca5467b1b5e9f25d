// file runner: a path that exists or is absent (maintenance switches).
import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CheckSpec } from "../../../src/manifest/types.js";
import { tmpTree } from "../../helpers/tmp.js";
import { runReal } from "./targets.js";

const spec = (path: string, healthyWhen: "exists" | "absent"): CheckSpec => ({ type: "file", name: "switch", timeoutMs: 500, path, healthyWhen });

describe("file", () => {
  it.each([
    ["here", "exists", true, "exists"],
    ["here", "absent", false, "exists (healthy when absent)"],
    ["missing", "exists", false, "is absent (healthy when exists)"],
    ["missing", "absent", true, "is absent"],
    ["here/below", "absent", true, "is absent"],
    ["dangling", "exists", false, "is absent (healthy when exists)"],
  ] as const)("%s, healthy when %s → %s", async (name, when, ok, says) => {
    const dir = tmpTree({ here: "x" });
    symlinkSync(join(dir, "nowhere"), join(dir, "dangling"));
    const r = await runReal(spec(join(dir, name), when));
    expect(r.ok).toBe(ok);
    expect(r.reason).toBe(`${join(dir, name)} ${says}`);
  });
});
