// The finding codes doctor reports are FINDING_CODES (Finding.code has that type, so a rule cannot
// report another); here each listed code is one its area's rule reports, and docs/doctor.md lists
// exactly these, area by area, and shows no other in its examples.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FINDING_CODES, type Area } from "../../../src/doctor/types.js";

const ROOT = join(import.meta.dirname, "../../..");
const DOCTOR = join(ROOT, "src/doctor");
const page = readFileSync(join(ROOT, "docs/doctor.md"), "utf8");
const CODE = /\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g;

/** the source files of src/doctor but types.ts, relative to it */
const sources = readdirSync(DOCTOR, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".ts") && f !== "types.ts");
/** the files of an area's rule: checks/<area>.ts, and for the supervisor the findings of its services */
const ruleFiles = (area: Area) => [`checks/${area}.ts`, ...(area === "supervisor" ? ["service-findings.ts"] : [])];

describe("doctor's finding codes", () => {
  it.each(Object.keys(FINDING_CODES) as Area[])("%s: every code is reported by the area's rule, and by no other file", (area) => {
    for (const code of FINDING_CODES[area]) {
      const where = sources.filter((f) => readFileSync(join(DOCTOR, f), "utf8").includes(`"${code}"`));
      expect(where.filter((f) => !ruleFiles(area).includes(f)), code).toEqual([]);
      expect(where.length, `${code} is in no rule of ${area}`).toBeGreaterThan(0);
    }
    expect(sources, "every rule file exists").toEqual(expect.arrayContaining(ruleFiles(area)));
  });

  it("docs/doctor.md lists exactly these codes, by area in report order", () => {
    const table = page.slice(page.indexOf("| area | finding codes |"));
    const rows = table.split("\n").slice(2).filter((l) => l.startsWith("| "));
    const listed = rows.map((l) => {
      const [, area, codes] = l.split("|").map((c) => c.trim());
      return [area, codes!.match(CODE) ?? []];
    });
    expect(Object.fromEntries(listed)).toEqual(FINDING_CODES);
    expect(listed.map(([area]) => area)).toEqual(Object.keys(FINDING_CODES));
  });

  it("docs/doctor.md's examples show only these codes", () => {
    const shown = [...page.matchAll(/```\n([\s\S]*?)```/g)].flatMap((m) => [...m[1]!.matchAll(/ {2}\[([A-Z_]+)\]$/gm)].map((x) => x[1]!));
    expect(shown.length).toBeGreaterThan(0);
    const known = new Set<string>(Object.values(FINDING_CODES).flat());
    expect(shown.filter((c) => !known.has(c))).toEqual([]);
  });

});
