// hash64 (src/hash.ts): the code cache's and the socket record's keys.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { hash64 } from "../../src/hash.js";

describe("hash64", () => {
  it("is the same for the same text and differs for a change of one character, the length kept", () => {
    const text = readFileSync(import.meta.filename, "utf8");
    expect(hash64(text)).toMatch(/^[0-9a-f]{16}$/);
    expect(hash64(text)).toBe(hash64(text));
    const keys = new Set([text, text.replace("a", "b"), text.replace("e", "f"), `${text.slice(0, -1)}X`, text.replace(/ /, "\t")].map(hash64));
    expect(keys.size).toBe(5);
  });
});
