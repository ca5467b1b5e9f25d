// Production build: one ESM file with every runtime dependency bundled (no node_modules at run
// time) plus the templates beside it. Target node18 = the oldest nodejs the packages depend on.
import { build } from "esbuild";
import { cpSync, mkdirSync, readFileSync, rmSync, chmodSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const out = join(root, "dist");
rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const t0 = performance.now();
await build({
  entryPoints: [join(root, "src/bin.ts")],
  outfile: join(out, "svcroute.mjs"),
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node18",
  minify: false,
  legalComments: "linked",
  define: { __SVCROUTE_VERSION__: JSON.stringify(pkg.version) },
  // CJS dependencies (yaml, handlebars, commander) call require(): give the ESM bundle one.
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __svcrouteCreateRequire } from 'node:module';\nconst require = __svcrouteCreateRequire(import.meta.url);",
  },
  logLevel: "warning",
});
chmodSync(join(out, "svcroute.mjs"), 0o755);
cpSync(join(root, "templates"), join(out, "templates"), { recursive: true });
console.log(`built dist/svcroute.mjs (svcroute ${pkg.version}) in ${Math.round(performance.now() - t0)} ms`);
