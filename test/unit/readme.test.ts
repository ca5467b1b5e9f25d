// The README stays true: its commands are the ones CI runs, its generated sections match the
// code, and its Architecture section lists exactly the files in src/.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { README, blockIn, generatedBlocks } from "../helpers/readme-blocks.js";

const root = join(import.meta.dirname, "../..");
const text = readFileSync(README, "utf8");

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [relative(join(root, "src"), p)];
  });
}

describe("README", () => {
  it("starts with exactly two set-up commands, the second of which CI runs verbatim", () => {
    const m = /^# svcroute\n\n```sh\n([^\n]+)\n([^\n]+)\n```\n/.exec(text);
    expect(m, "README must open with a sh block of two commands").not.toBeNull();
    const ci = readFileSync(join(root, ".ci/run"), "utf8");
    expect(ci).toContain(m![2]!);
  });

  it.each(Object.keys(generatedBlocks()))("section %s matches the code (refresh: npx tsx test/helpers/readme-blocks.ts --write)", (name) => {
    expect(blockIn(text, name)).toBe(generatedBlocks()[name]);
  });

  it("Architecture lists every file in src/ and nothing else", () => {
    const arch = /## Architecture[\s\S]*?```\nsrc\/\n([\s\S]*?)```/.exec(text)![1]!;
    const listed: string[] = [];
    const stack: string[] = [];
    for (const line of arch.split("\n")) {
      const m = /^( +)(\S+)/.exec(line);
      if (!m || !line.startsWith("  ")) continue;
      const depth = m[1]!.length / 2 - 1;
      stack.length = depth;
      if (m[2]!.endsWith("/")) stack.push(m[2]!.slice(0, -1));
      else if (depth <= stack.length && /\.\w+$/.test(m[2]!)) listed.push([...stack, m[2]!].join("/"));
    }
    expect(listed.sort()).toEqual(files(join(root, "src")).sort());
  });
});
