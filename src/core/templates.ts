// Find, read and compile the Handlebars templates once per process. The bundle ships them in
// dist/templates/ beside dist/svcroute.cjs and dist/commands/; from a source checkout they are in
// templates/.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";
import { SvcrouteError } from "../errors.js";
import type { DaemonType } from "../manifest/types.js";
import { SECRET_PLACEHOLDER, type Secret } from "./secrets.js";

export type Template = (context: unknown, options: { data: Record<string, unknown> }) => string;

const COMPILE = { noEscape: true, strict: true } as const;
const ROOT: Record<DaemonType, string> = { frr: "frr.conf.hbs", bird: "bird.conf.hbs" };

/** Candidate template directories, most specific first. */
export function templateDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  if (env.SVCROUTE_TEMPLATES) return [env.SVCROUTE_TEMPLATES];
  // bundle: dist/commands/run.cjs → dist/templates; sources: src/core/templates.ts → templates/
  return ["./templates/", "../templates/", "../../templates/"].map((rel) => fileURLToPath(new URL(rel, import.meta.url)));
}

export function findTemplateDir(env: NodeJS.ProcessEnv = process.env): string {
  const dirs = templateDirs(env);
  const found = dirs.find((d) => existsSync(join(d, "frr", ROOT.frr)) && existsSync(join(d, "bird", ROOT.bird)));
  if (!found) {
    throw new SvcrouteError("E_RENDER", `config templates not found (looked in ${dirs.join(", ")})`, {
      hint: "reinstall svcroute, or set SVCROUTE_TEMPLATES to the directory holding frr/ and bird/",
    });
  }
  return found;
}

/** Formatting helpers only: they never decide what goes into a config. */
function registerHelpers(hb: typeof Handlebars): void {
  // {{lines items " set " [";"]}}: each item on its own line between a prefix and an optional
  // suffix (nothing for an empty list).
  // Cheaper than a nested #each on the 10,000-service path, and only formatting.
  hb.registerHelper("lines", (items: readonly string[], prefix: string, ...rest: unknown[]) => {
    const suffix = rest.length > 1 && typeof rest[0] === "string" ? rest[0] : "";
    let out = "";
    for (const x of items) out += `${prefix}${x}${suffix}\n`;
    return out;
  });
  // {{commaLines items "  "}}: a comma-separated list, one item per indented line (BIRD sets).
  hb.registerHelper("commaLines", (items: readonly string[], indent: string) => `${indent}${items.join(`,\n${indent}`)}`);
  hb.registerHelper("secret", (s: Secret, options: Handlebars.HelperOptions) =>
    (options.data as { showSecrets?: boolean }).showSecrets === true ? s.reveal() : SECRET_PLACEHOLDER,
  );
}

export function compileDaemon(dir: string, daemon: DaemonType): Template {
  const hb = Handlebars.create();
  registerHelpers(hb);
  const ddir = join(dir, daemon);
  for (const file of readdirSync(ddir).sort()) {
    if (!file.endsWith(".hbs") || file === ROOT[daemon]) continue;
    hb.registerPartial(file.slice(0, -4), hb.compile(readFileSync(join(ddir, file), "utf8"), COMPILE));
  }
  return hb.compile(readFileSync(join(ddir, ROOT[daemon]), "utf8"), COMPILE);
}

const cache = new Map<string, Template>();

export function templateFor(daemon: DaemonType, dir?: string): Template {
  const d = dir ?? findTemplateDir();
  const key = `${d}\0${daemon}`;
  let t = cache.get(key);
  if (!t) {
    t = compileDaemon(d, daemon);
    cache.set(key, t);
  }
  return t;
}
