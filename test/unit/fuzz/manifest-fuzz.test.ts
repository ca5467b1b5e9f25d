// Fuzzing the manifest path: structure-aware mutations of the valid fixtures and raw byte
// mutations. Never a crash or a hang; every rejection is located; every accepted manifest renders
// configs the real parsers accept and that export nothing outside allowed_prefixes.
// Bounded in CI; SVCROUTE_FUZZ_RUNS=10000 (or more) for a long run.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { stringify } from "yaml";
import { describe, expect, it } from "vitest";
import { buildModel } from "../../../src/core/build-model.js";
import { render } from "../../../src/core/render.js";
import { loadSecrets } from "../../../src/core/secrets.js";
import { mustParsePrefix, parsePrefix, prefixContains } from "../../../src/manifest/ip.js";
import { buildFromSources, type LoadResult } from "../../../src/manifest/load.js";
import { decodeManifest, parseManifestText } from "../../../src/manifest/parse.js";
import type { DaemonType, Manifest } from "../../../src/manifest/types.js";
import { FIXTURES, fakeSecretReader, fixtureNames, judge, pool } from "../../golden/support.js";
import { recordFigures } from "../../helpers/figures.js";

const RUNS = Number(process.env.SVCROUTE_FUZZ_RUNS ?? 300);
const SEED = Number(process.env.SVCROUTE_FUZZ_SEED ?? Date.now() % 2 ** 31);
/** a parse + validate of one ≤ 1 MiB input that takes longer than this is a hang */
const SLOW_MS = 2000;

const fixtures = fixtureNames().map((n) => ({ name: n, text: readFileSync(join(FIXTURES, `${n}.yaml`), "utf8") }));

function loadBytes(bytes: Uint8Array): LoadResult {
  const d = decodeManifest("/fuzz/svcroute.yaml", bytes);
  if (!d.ok) return { problems: d.problems, warnings: [], files: ["/fuzz/svcroute.yaml"], stage: "parse" };
  const p = parseManifestText("/fuzz/svcroute.yaml", d.text);
  if (!p.ok) return { problems: p.problems, warnings: [], files: ["/fuzz/svcroute.yaml"], stage: "parse" };
  return buildFromSources(p.source, []);
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Path = (string | number)[];

function paths(v: Json, at: Path = []): Path[] {
  const out: Path[] = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...paths(x, [...at, i])));
  else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) out.push(...paths(x, [...at, k]));
  return out;
}

type Mutation = { kind: "delete" | "replace" | "duplicate" | "unknown-key" | "wrap" | "hostile"; pick: number; value: Json; text: string };

const HOSTILE = ["a\nprotocol static x { route 0.0.0.0/0 blackhole; }", "}", "{", ";", '"', "!", "#", "\u2028", "x".repeat(5000), "\u0000", "0.0.0.0/0", "::/0", "203.0.113.0/24"];

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom("delete", "replace", "duplicate", "unknown-key", "wrap", "hostile"),
  pick: fc.nat(),
  value: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  text: fc.oneof(fc.constantFrom(...HOSTILE), fc.string({ maxLength: 40 })),
});

function mutate(doc: Json, muts: Mutation[]): Json {
  let d = structuredClone(doc);
  for (const m of muts) {
    const ps = paths(d).filter((p) => p.length > 0);
    if (ps.length === 0) break;
    const p = ps[m.pick % ps.length]!;
    let parent = d as Record<string | number, Json>;
    for (const seg of p.slice(0, -1)) parent = parent[seg] as Record<string | number, Json>;
    const last = p[p.length - 1]!;
    switch (m.kind) {
      case "delete":
        if (Array.isArray(parent)) parent.splice(last as number, 1);
        else Reflect.deleteProperty(parent, last);
        break;
      case "replace":
        parent[last] = m.value;
        break;
      case "duplicate":
        if (Array.isArray(parent)) parent.splice(last as number, 0, structuredClone(parent[last]));
        break;
      case "unknown-key":
        if (parent[last] && typeof parent[last] === "object" && !Array.isArray(parent[last])) (parent[last] as Record<string, Json>)[m.text.slice(0, 20) || "x"] = m.value;
        break;
      case "wrap":
        parent[last] = [parent[last]!];
        break;
      case "hostile":
        parent[last] = m.text;
        break;
    }
    d = structuredClone(d);
  }
  return d;
}

/** prefixes a rendered config would ever export, read back from the text */
function exportedPrefixes(daemon: DaemonType, text: string): string[] {
  const out: string[] = [];
  if (daemon === "frr") {
    for (const m of text.matchAll(/^(?:ip|ipv6) prefix-list SVCR-EXPORT-V[46] seq \d+ permit (\S+)/gm)) out.push(m[1]!);
    for (const m of text.matchAll(/^\s+network (\S+)/gm)) out.push(m[1]!);
  } else {
    for (const m of text.matchAll(/^define SVCR_EXPORT[46] = \[([\s\S]*?)\];/gm)) out.push(...m[1]!.split(/[\s,]+/).filter(Boolean));
    for (const m of text.matchAll(/^\s*route (\S+) blackhole;/gm)) out.push(m[1]!);
  }
  return out;
}

function outsideAllowed(m: Manifest, prefixes: string[]): string[] {
  return prefixes.filter((p) => {
    const r = parsePrefix(p);
    return !r.ok || !m.policy.allowed.some((a) => prefixContains(a, r.prefix));
  });
}

function assertLocated(r: LoadResult): void {
  for (const p of r.problems) {
    expect(p.line).toBeGreaterThanOrEqual(1);
    expect(p.col).toBeGreaterThanOrEqual(1);
    expect(p.message.length).toBeGreaterThan(0);
    expect(p.message).not.toMatch(/\n\s+at /);
  }
}

describe(`fuzz: manifests (${RUNS} structure-aware + ${RUNS} byte mutations per run, seed ${SEED})`, () => {
  const figures = { structureCases: 0, structureAccepted: 0, byteCases: 0, byteAccepted: 0, crashes: 0, slowest_ms: 0, parserJudged: 0, parserRejected: 0, exportsOutsideAllowed: 0 };

  it("structure-aware mutations of the valid fixtures", async () => {
    const samples = fc.sample(fc.tuple(fc.nat({ max: fixtures.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 3 }), fc.boolean()), { numRuns: RUNS, seed: SEED });
    const accepted: Manifest[] = [];
    for (const [fi, muts, asJson] of samples) {
      const base = (await import("yaml")).parse(fixtures[fi]!.text) as Json;
      const doc = mutate(base, muts);
      const text = asJson ? JSON.stringify(doc, null, 1) : stringify(doc);
      const t0 = performance.now();
      let r: LoadResult;
      try {
        r = loadBytes(Buffer.from(text));
      } catch (e) {
        figures.crashes++;
        throw new Error(`crash on ${JSON.stringify(text).slice(0, 300)}: ${(e as Error).stack}`, { cause: e });
      }
      figures.slowest_ms = Math.max(figures.slowest_ms, performance.now() - t0);
      expect(performance.now() - t0, "parse+validate took too long").toBeLessThan(SLOW_MS);
      figures.structureCases++;
      assertLocated(r);
      if (r.manifest) {
        figures.structureAccepted++;
        accepted.push(r.manifest);
      } else expect(r.problems.length).toBeGreaterThan(0);
    }
    // every accepted manifest: both renders judged by the real parsers, exports inside the guardrail
    const jobs: { daemon: DaemonType; text: string; m: Manifest }[] = [];
    for (const m of accepted.slice(0, 150)) {
      const model = buildModel(m, { services: {}, drained: [] }, await loadSecrets(m, fakeSecretReader));
      for (const d of ["frr", "bird"] as const) {
        if (d === "bird" && !model.bird) continue;
        const text = render(model, d, { showSecrets: true }).text;
        const bad = outsideAllowed(m, exportedPrefixes(d, text));
        figures.exportsOutsideAllowed += bad.length;
        expect(bad, `${d} exports outside allowed_prefixes`).toEqual([]);
        jobs.push({ daemon: d, text, m });
      }
    }
    const verdicts = await pool(jobs, 3, async (j) => ({ j, v: await judge(j.daemon, j.text) }));
    figures.parserJudged = verdicts.length;
    figures.parserRejected = verdicts.filter((x) => !x.v.ok).length;
    expect(verdicts.filter((x) => !x.v.ok).map((x) => ({ daemon: x.j.daemon, diagnostics: x.v.diagnostics }))).toEqual([]);
  }, 180_000);

  it("raw byte mutations (flips, insertions, deletions, truncation)", () => {
    const op = fc.record({ kind: fc.constantFrom("flip", "insert", "delete", "truncate"), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) });
    const samples = fc.sample(fc.tuple(fc.nat({ max: fixtures.length - 1 }), fc.array(op, { minLength: 1, maxLength: 8 })), { numRuns: RUNS, seed: SEED + 1 });
    for (const [fi, ops] of samples) {
      let b = [...Buffer.from(fixtures[fi]!.text)];
      for (const o of ops) {
        const at = o.at % Math.max(1, b.length);
        if (o.kind === "flip") b[at] = o.byte;
        else if (o.kind === "insert") b.splice(at, 0, o.byte);
        else if (o.kind === "delete") b.splice(at, 1);
        else b = b.slice(0, at);
      }
      const t0 = performance.now();
      let r: LoadResult;
      try {
        r = loadBytes(Uint8Array.from(b));
      } catch (e) {
        figures.crashes++;
        throw new Error(`crash on bytes ${Buffer.from(b).toString("base64").slice(0, 200)}: ${(e as Error).stack}`, { cause: e });
      }
      figures.slowest_ms = Math.max(figures.slowest_ms, performance.now() - t0);
      expect(performance.now() - t0).toBeLessThan(SLOW_MS);
      figures.byteCases++;
      assertLocated(r);
      if (r.manifest) {
        figures.byteAccepted++;
        // accepted after mutation: still nothing outside the guardrail in the model
        for (const s of r.manifest.services) for (const p of s.prefixes) expect(r.manifest.policy.allowed.some((a) => prefixContains(a, mustParsePrefix(p.text)))).toBe(true);
      }
    }
    recordFigures("fuzz", { seed: SEED, runs: RUNS, ...figures, slowest_ms: Math.round(figures.slowest_ms) });
  });
});
