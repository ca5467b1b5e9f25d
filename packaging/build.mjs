// Production build: every runtime dependency bundled (no node_modules at run time), one file per
// command so that a command loads only what it needs:
//   dist/svcroute.cjs           the entry point: answers `--version` and `--help`, else loads cli.cjs
//   dist/cli.cjs                argv, --help, errors → exit codes (commander)
//   dist/commands/<name>.cjs    what cli.ts imports lazily (`import("./commands/check.js")`), and
//                               what those import lazily in turn (check-daemon, check-health)
//   dist/commands/yaml.cjs      the `yaml` package, loaded on first use (DEFERRED below)
//   dist/templates/             the Handlebars templates
// CommonJS, not ES modules: Node starts a CommonJS file ~10 ms sooner (no ES module loader), a
// tenth of a bare `node -e 0`. A module two commands share is in both files; nothing is shared at
// run time except SvcrouteError, whose `instanceof` works across copies (src/errors.ts).
// Target node18 = the oldest nodejs the packages depend on.
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { build } from "esbuild";
import { packageDirs } from "./lib/copyright.mjs";
import { chmodSync, cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const out = join(root, "dist");
const LAZY = /import\("(\.\/[\w./-]+)\.js"\)/g;

/** src/bin.ts and every module reached by a lazy `import("./x.js")`, as entry name → source file */
function entries() {
  const found = { svcroute: join(root, "src/bin.ts") };
  const todo = [found.svcroute];
  for (let file; (file = todo.pop()); ) {
    for (const m of readFileSync(file, "utf8").matchAll(LAZY)) {
      const target = join(dirname(file), `${m[1]}.ts`);
      const name = relative(join(root, "src"), target).replace(/\.ts$/, "");
      if (found[name]) continue;
      found[name] = target;
      todo.push(target);
    }
  }
  return found;
}

// A lazy import stays a separate file: `require("./commands/check.cjs")` at the moment it runs.
const lazyFiles = {
  name: "lazy-imports-are-files",
  setup(b) {
    b.onResolve({ filter: /^\.\.?\// }, (a) => (a.kind === "dynamic-import" ? { path: a.path.replace(/\.js$/, ".cjs"), external: true } : undefined));
  },
};

// commander requires child_process (and with it net, dgram and a dozen internal modules) only to
// run executable subcommands, which svcroute has none of: load it when first used, not at --help.
const lazyChildProcess = {
  name: "commander-lazy-child-process",
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (a) => (a.importer.includes("/node_modules/commander/") ? { path: "child_process", namespace: "lazy" } : undefined));
    b.onLoad({ filter: /.*/, namespace: "lazy" }, () => ({ contents: 'module.exports = { get spawn() { return require("node:child_process").spawn; } };', loader: "js" }));
  },
};

// Packages a command needs only now and then, loaded on first use (synchronously: a property of
// the import is read) from a file of their own, so the commands that bundle an import of them do
// not parse them at start-up. yaml is the careful manifest reader: a manifest that the fast one
// (js-yaml) reads needs it only to place a problem, so `status` and a clean `check` never load it.
const DEFERRED = { yaml: "commands/yaml" };
const deferred = {
  name: "deferred-packages",
  setup(b) {
    b.onResolve({ filter: new RegExp(`^(${Object.keys(DEFERRED).join("|")})$`) }, (a) =>
      a.importer.includes("/node_modules/") || a.kind === "entry-point" ? undefined : { path: a.path, namespace: "deferred" },
    );
    // the stub's require of the package's own file stays a require, relative to the command's file
    b.onResolve({ filter: /.*/, namespace: "deferred" }, (a) => ({ path: a.path, external: true }));
    b.onLoad({ filter: /.*/, namespace: "deferred" }, (a) => {
      // the exports' names are known at build time: a getter each, as a CommonJS module has them
      const names = Object.keys(createRequire(join(root, "package.json"))(a.path));
      const file = `./${DEFERRED[a.path].replace(/^commands\//, "")}.cjs`;
      const getters = names.map((n) => `  get ${JSON.stringify(n)}() { return load()[${JSON.stringify(n)}]; },`).join("\n");
      return { contents: `let m;\nconst load = () => m ?? (m = require(${JSON.stringify(file)}));\nmodule.exports = {\n${getters}\n};\n`, loader: "js" };
    });
  },
};

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
const t0 = performance.now();
const points = { ...entries(), ...Object.fromEntries(Object.entries(DEFERRED).map(([p, name]) => [name, createRequire(join(root, "package.json")).resolve(p)])) };
const options = {
  entryPoints: points,
  outdir: out,
  outExtension: { ".js": ".cjs" },
  bundle: true,
  platform: "node",
  format: "cjs",
  target: "node18",
  // a lazy import() becomes require(): no ES module loader at all
  supported: { "dynamic-import": false },
  // whitespace only (names stay for stack traces): V8 keeps a file's source in memory for as long
  // as the process runs, one byte per character when it is all ASCII (comments are not)
  minifyWhitespace: true,
  legalComments: "none",
  metafile: true,
  define: { __SVCROUTE_VERSION__: JSON.stringify(pkg.version), "import.meta.url": "importMetaUrl" },
  inject: [join(root, "packaging/lib/import-meta-url.mjs")],
  plugins: [lazyFiles, lazyChildProcess, deferred],
  logLevel: "warning",
};
const result = await build(options);
// the stub requires "./<package>.cjs": only a file beside it, in dist/commands/, may hold it
for (const [file, o] of Object.entries(result.metafile.outputs)) {
  if (Object.keys(o.inputs).some((i) => i.startsWith("deferred:")) && !file.startsWith("dist/commands/")) throw new Error(`${file} imports a deferred package (${Object.keys(DEFERRED).join(", ")}) but is not in dist/commands/`);
}
// `svcroute --help` is answered by the entry point itself: the text commander prints (at 80
// columns, as to a pipe) is captured from this build and compiled into the entry
const help = execFileSync(process.execPath, [join(out, "svcroute.cjs"), "--help"], { encoding: "utf8", env: { ...process.env, COLUMNS: "80", SVCROUTE_CODE_CACHE: "none" } });
await build({ ...options, entryPoints: { svcroute: points.svcroute }, define: { ...options.define, __SVCROUTE_HELP__: JSON.stringify(help) }, metafile: false });
chmodSync(join(out, "svcroute.cjs"), 0o755);
// what went into the bundle, for the copyright file (packaging/lib/copyright.mjs); not shipped
writeFileSync(join(out, "inputs.json"), `${JSON.stringify(Object.keys(result.metafile.inputs).sort(), null, 1)}\n`);
// the dependencies (package.json's) each output file holds, for the bench's floor under the
// supervisor's memory: bare Node loading just those (test/bench/footprint.ts); not shipped
const direct = (dirs) => dirs.map((d) => d.replace(/^node_modules\//, "")).filter((n) => n in pkg.dependencies);
const byOutput = Object.entries(result.metafile.outputs).map(([f, o]) => [f.replace(/^(.*\/)?dist\//, ""), direct(packageDirs(Object.keys(o.inputs)))]);
writeFileSync(join(out, "packages.json"), `${JSON.stringify(Object.fromEntries(byOutput.filter(([, p]) => p.length)), null, 1)}\n`);
cpSync(join(root, "templates"), join(out, "templates"), { recursive: true });
const files = Object.keys(points).length;
console.log(`built dist/svcroute.cjs and ${files - 1} files it loads on demand (svcroute ${pkg.version}) in ${Math.round(performance.now() - t0)} ms`);
