import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import { readdirSync, readFileSync } from "node:fs";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { ERROR_CODES } from "../../src/errors.js";
import { VERSION } from "../../src/version.js";
import { runCli } from "../helpers/cli.js";
import { tmpTree } from "../helpers/tmp.js";
import { MINIMAL } from "./manifest/manifests.js";

const root = join(import.meta.dirname, "../..");
const example = join(root, "packaging/examples/svcroute.yaml");

describe("svcroute check", () => {
  it("valid manifest: exit 0 and a summary", async () => {
    const r = await runCli(["check", "--manifest", example]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("is valid");
    expect(r.out).toMatch(/services\s+1, prefixes 1/);
  });

  it("accepts the manifest as a positional argument and from SVCROUTE_MANIFEST", async () => {
    expect((await runCli(["check", example])).code).toBe(0);
    expect((await runCli(["check"], { SVCROUTE_MANIFEST: example })).code).toBe(0);
  });

  it("invalid manifest: exit 3 and every problem with file:line:col", async () => {
    const dir = tmpTree({ "m.yaml": MINIMAL.replace("asn: 4200000101", "asn: 23456").replace("[192.0.2.53/32]", "[198.51.100.1/32]") });
    const r = await runCli(["check", "-m", join(dir, "m.yaml")]);
    expect(r.code).toBe(ERROR_CODES.E_MANIFEST_INVALID.exit);
    expect(r.err).toContain("error E_MANIFEST_INVALID");
    expect(r.err).toContain(`${join(dir, "m.yaml")}:4:8  router.asn  ASN 23456 cannot be used`);
    expect(r.err).toMatch(/m\.yaml:14:\d+ {2}services\.0\.prefixes\.0 {2}198\.51\.100\.1\/32 is outside/);
    expect(r.err).not.toMatch(/\n\s+at /);
  });

  it("--json gives machine-readable results for both outcomes", async () => {
    const ok = JSON.parse((await runCli(["check", "--json", "-m", example])).out) as unknown;
    expect(ok).toMatchObject({ ok: true, counts: { services: 1, prefixes: 1 }, daemon: { type: "bird" } });
    const dir = tmpTree({ "m.yaml": "version: 1\n" });
    const bad = await runCli(["check", "--json", "-m", join(dir, "m.yaml")]);
    expect(bad.code).toBe(3);
    const j = JSON.parse(bad.out) as { problems: unknown[] };
    expect(j).toMatchObject({ ok: false, code: "E_MANIFEST_INVALID" });
    expect(j.problems.length).toBeGreaterThan(3);
    expect(j.problems[0]).toEqual(expect.objectContaining({ file: join(dir, "m.yaml"), line: 1, col: 1, path: expect.any(String), message: expect.any(String) }));
  });

  it("parse errors and unreadable files have their own codes", async () => {
    const dir = tmpTree({ "m.yaml": "a: [\n" });
    expect((await runCli(["check", "-m", join(dir, "m.yaml")])).err).toContain("E_MANIFEST_PARSE");
    const missing = await runCli(["check", "-m", join(dir, "nope.yaml")]);
    expect(missing.code).toBe(3);
    expect(missing.err).toContain("E_MANIFEST_IO");
    expect(missing.err).toContain("file not found");
  });
});

describe("svcroute schema", () => {
  it("prints the JSON Schema, which describes every field", async () => {
    const r = await runCli(["schema"]);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.out) as { $schema: string; properties: Record<string, unknown> };
    expect(s.$schema).toBe("https://json-schema.org/draft/2020-12/schema");
    expect(Object.keys(s.properties)).toEqual(["version", "daemon", "router", "peers", "policy", "services", "addresses", "maintenance", "supervisor"]);
    const undocumented: string[] = [];
    const walk = (node: Record<string, unknown>, path: string) => {
      const props = node.properties as Record<string, Record<string, unknown>> | undefined;
      for (const [k, v] of Object.entries(props ?? {})) {
        if (!v.description && k !== "type") undocumented.push(`${path}${k}`);
        walk(v, `${path}${k}.`);
      }
      for (const key of ["items", "additionalProperties"]) if (node[key] && typeof node[key] === "object") walk(node[key] as Record<string, unknown>, path);
      for (const key of ["anyOf", "oneOf"]) for (const x of (node[key] as Record<string, unknown>[] | undefined) ?? []) walk(x, path);
    };
    walk(s, "");
    expect(undocumented).toEqual([]);
    await expect(`${JSON.stringify(s, null, 2)}\n`).toMatchFileSnapshot(join(root, "test/fixtures/manifests/schema-snapshot.json"));
  });

  it("every shipped example and valid fixture validates against it; invalid ones do not", async () => {
    const ajv = new Ajv2020.default({ allErrors: true, strict: false });
    const validate = ajv.compile(JSON.parse((await runCli(["schema"])).out) as object);
    const examples = readdirSync(join(root, "packaging/examples")).filter((f) => f.endsWith(".yaml"));
    expect(examples.length).toBeGreaterThan(1);
    for (const f of examples) {
      const data = parse(readFileSync(join(root, "packaging/examples", f), "utf8")) as unknown;
      expect(validate(data), `${f}: ${JSON.stringify(validate.errors)}`).toBe(true);
    }
    const typos = parse(readFileSync(join(root, "test/fixtures/manifests/invalid/typos/svcroute.yaml"), "utf8")) as unknown;
    expect(validate(typos)).toBe(false);
  });
});

describe("help, version, usage errors", () => {
  it("--version prints the package version", async () => {
    const r = await runCli(["--version"]);
    expect(r.code).toBe(0);
    expect(r.out.trim()).toBe(VERSION);
    expect(VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.each([["--help"], ["check", "--help"], ["schema", "--help"]])("%s works", async (...argv) => {
    const r = await runCli(argv);
    expect(r.code).toBe(0);
    expect(r.out).toContain("Usage: svcroute");
  });

  it("top-level help documents the exit codes", async () => {
    const r = await runCli(["--help"]);
    for (const [code, v] of Object.entries(ERROR_CODES)) expect(r.out).toMatch(new RegExp(`\\s${v.exit}\\s.*${code}`));
  });

  it("an unknown command or option is a usage error (exit 2) with a suggestion", async () => {
    const r = await runCli(["chek"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("(Did you mean check?)");
    expect((await runCli(["check", "--bogus"])).code).toBe(2);
  });
});
