// Manifests of thousands of services: read fast, located exactly when wrong, and a mistake made
// a thousand times told once with a count (not a thousand identical lines).
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatProblems, type Problem } from "../../../src/errors.js";
import { loadManifest } from "../../../src/manifest/load.js";
import { parseManifestText } from "../../../src/manifest/parse.js";
import { runCli } from "../../helpers/cli.js";
import { tmpTree } from "../../helpers/tmp.js";
import { MINIMAL, loadText } from "./manifests.js";

const BASE = MINIMAL.replace(/services:[\s\S]*$/, "");

/** n services, one IPv6 /128 each, with a TCP check and `extra` lines */
function services(n: number, from = 0, extra = ""): string {
  const out = ["services:"];
  for (let i = from; i < from + n; i++) {
    out.push(`  - name: s${i}`, `    prefixes: [2001:db8:100::${i.toString(16)}/128]`, "    checks: [{type: tcp, host: 127.0.0.1, port: 80}]");
    if (extra) out.push(`    ${extra}`);
  }
  return `${out.join("\n")}\n`;
}

describe("thousands of services", () => {
  it("1,000 services in 4 drop-ins load, read fast, with the same result as read carefully", async () => {
    const dropIns = Object.fromEntries(Array.from({ length: 4 }, (_, k) => [`${k}.yaml`, services(250, k * 250)]));
    const r = await loadText(BASE, dropIns);
    expect(r.problems).toEqual([]);
    expect(r.manifest!.services).toHaveLength(1000);
    // the careful reader gives the very same manifest (a tag on a node leaves a file to it)
    const tagged = Object.fromEntries(Object.entries(dropIns).map(([k, v]) => [k, v.replace(/^services:/, "services: !!seq")]));
    const read = (t: string) => {
      const p = parseManifestText("x.yaml", t);
      return p.ok && p.source.fast;
    };
    expect([read(dropIns["0.yaml"]!), read(tagged["0.yaml"]!)]).toEqual([true, false]);
    const careful = await loadText(BASE, tagged);
    expect(careful.manifest!.hash).toBe(r.manifest!.hash);
  });

  it("a problem in a manifest read fast is located at its file:line:col, as the careful reader says", async () => {
    const bad = services(300).replace("    prefixes: [2001:db8:100::c8/128]", "    prefixes: [2001:db8:100::c8/64]");
    const r = await loadText(BASE, { "a.yaml": services(200, 1000), "b.yaml": bad });
    const line = bad.split("\n").findIndex((l) => l.includes("::c8/64")) + 1;
    expect(r.problems).toEqual([expect.objectContaining({ file: "services.d/b.yaml", line, col: 16, path: "services.200.prefixes.0" })]);
  });

  it("1,000 services with `timeout: 2s` (equal to the default interval) are refused with one located line per kind, and a count", async () => {
    const dir = tmpTree({ "svcroute.yaml": BASE, "services.d/many.yaml": services(1000, 0, "timeout: 2s") });
    const r = await loadManifest(join(dir, "svcroute.yaml"));
    expect(r.problems).toHaveLength(1000);
    const { code, err } = await runCli(["check", "--manifest", join(dir, "svcroute.yaml")]);
    expect(code).toBe(3);
    const lines = err.trim().split("\n");
    expect(lines[0]).toBe(`error E_MANIFEST_INVALID: ${join(dir, "svcroute.yaml")}: 1000 problem(s) in the manifest`);
    expect(lines[1]).toBe(`${join(dir, "services.d/many.yaml")}:5:14  services.0.timeout  timeout (2s) must be shorter than interval (2s) so runs never overlap`);
    expect(lines.filter((l) => l.includes("must be shorter than interval"))).toHaveLength(3);
    expect(lines).toContain(`    ... and 997 more like these (services.*.timeout) in ${join(dir, "services.d/many.yaml")} (997) (every one: svcroute check --json)`);
    expect(lines.length).toBeLessThan(10);
    const json = await runCli(["check", "--json", "--manifest", join(dir, "svcroute.yaml")]);
    expect((JSON.parse(json.out) as { problems: unknown[] }).problems).toHaveLength(1000);
  });
});

describe("formatProblems", () => {
  const p = (i: number, message: string, file = "a.yaml"): Problem => ({ file, line: i + 1, col: 3, path: `services.${i}.prefixes.0`, message });

  it("a few alike are all shown; many alike show three and a count per file", () => {
    expect(formatProblems([0, 1, 2, 3, 4].map((i) => p(i, `prefix 192.0.2.${i}/32 is used twice`)))).toHaveLength(5);
    const many = [...[0, 1, 2, 3, 4, 5].map((i) => p(i, `prefix 192.0.2.${i}/32 is used twice`)), p(6, "prefix 192.0.2.6/32 is used twice", "b.yaml")];
    expect(formatProblems(many, "warning: ")).toEqual([
      "warning: a.yaml:1:3  services.0.prefixes.0  prefix 192.0.2.0/32 is used twice",
      "warning: a.yaml:2:3  services.1.prefixes.0  prefix 192.0.2.1/32 is used twice",
      "warning: a.yaml:3:3  services.2.prefixes.0  prefix 192.0.2.2/32 is used twice",
      "warning:     ... and 4 more like these (services.*.prefixes.*) in a.yaml (3), b.yaml (1) (every one: svcroute check --json)",
    ]);
  });

  it("different problems are never merged: two kinds of four are eight lines", () => {
    const ps = Array.from({ length: 8 }, (_, i) => p(i, i % 2 ? `"s${i}" is outside policy.allowed_prefixes` : `unknown key "x${i}"`));
    const out = formatProblems(ps);
    expect(out).toHaveLength(8);
    expect(out.some((l) => l.includes("more like these"))).toBe(false);
  });
});
