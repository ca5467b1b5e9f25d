// The `--health FILE` format: {"services": {"dns": "down"}, "drained": ["web"]} or the shorthand
// {"dns": "down", "web": "drain"}. Parsing is pure; reading the file happens in the command.
import * as z from "zod";
import "../zod.js";
import { SvcrouteError } from "../errors.js";
import { NAME } from "../manifest/patterns.js";
import type { Manifest } from "../manifest/types.js";
import type { HealthInput } from "./desired.js";

const serviceName = z.string().regex(NAME, { error: "not a service name" });

const FullSchema = z.strictObject({
  services: z.record(serviceName, z.enum(["up", "down"])).optional(),
  drained: z.union([z.literal("all"), z.array(serviceName).max(20000)]).optional(),
});

const ShorthandSchema = z.record(serviceName, z.enum(["up", "down", "drain"]));

function fail(file: string, key: string, message: string): never {
  throw new SvcrouteError("E_HEALTH_FILE", `${file}: ${key === "" ? "" : `${key}: `}${message}`, {
    hint: 'expected {"services": {"NAME": "up"|"down"}, "drained": ["NAME", ...] | "all"} or {"NAME": "up"|"down"|"drain"}',
  });
}

type Issue = z.core.$ZodIssue;

/** The most specific issue: inside a union, the branch that got furthest. */
function deepest(i: Issue): Issue {
  if (i.code !== "invalid_union" || i.errors.length === 0) return i;
  const inner = i.errors.flat().map((x) => deepest({ ...x, path: [...i.path, ...x.path] }));
  return inner.sort((a, b) => b.path.length - a.path.length)[0] ?? i;
}

function firstIssue(file: string, err: z.ZodError): never {
  const i = deepest(err.issues[0]!);
  const key = i.path.map(String).join(".");
  return fail(file, key, i.code === "unrecognized_keys" ? `unknown key(s) ${i.keys.map((k) => `"${k}"`).join(", ")}` : i.message);
}

/** The full form has only `services` (an object) and `drained` (a list or "all"); anything else is shorthand. */
function looksFull(v: Record<string, unknown>): boolean {
  const keys = Object.keys(v);
  if (keys.length === 0 || !keys.every((k) => k === "services" || k === "drained")) return false;
  const servicesOk = v.services === undefined || (typeof v.services === "object" && v.services !== null);
  const drainedOk = v.drained === undefined || v.drained === "all" || Array.isArray(v.drained);
  return servicesOk && drainedOk;
}

/** Parse health JSON text; errors are E_HEALTH_FILE naming the file and the bad key. */
export function parseHealthInput(file: string, text: string): HealthInput {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    return fail(file, "", `not valid JSON: ${(e as Error).message}`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) return fail(file, "", "the top level must be a JSON object");
  const obj = data as Record<string, unknown>;
  if (looksFull(obj)) {
    const r = FullSchema.safeParse(obj);
    if (!r.success) return firstIssue(file, r.error);
    const drained = r.data.drained ?? [];
    return { services: { ...(r.data.services ?? {}) }, drained: drained === "all" ? "all" : [...new Set(drained)].sort() };
  }
  const r = ShorthandSchema.safeParse(obj);
  if (!r.success) return firstIssue(file, r.error);
  const services: HealthInput["services"] = {};
  const drained: string[] = [];
  for (const [name, v] of Object.entries(r.data)) {
    if (v === "drain") drained.push(name);
    else services[name] = v;
  }
  return { services, drained: drained.sort() };
}

/** A health file naming a service the manifest lacks is a typo or a stale file: refuse it. */
export function checkHealthAgainstManifest(file: string, h: HealthInput, m: Manifest): void {
  const known = new Set(m.services.map((s) => s.name));
  for (const name of Object.keys(h.services)) {
    if (!known.has(name)) fail(file, `services.${name}`, "no such service in the manifest");
  }
  if (h.drained !== "all") {
    h.drained.forEach((name, i) => {
      if (!known.has(name)) fail(file, `drained.${i}`, `no such service in the manifest: "${name}"`);
    });
  }
}
