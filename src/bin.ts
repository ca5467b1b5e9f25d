#!/usr/bin/env node
// Process entry point of the `svcroute` executable. `--version` alone, and `--help` alone in the
// production build (its text captured from the CLI when the bundle is built), are answered here
// without loading the CLI (commander): a version probe or a help page costs what Node itself
// costs. `check` and `status` in their plain forms skip commander too (cli-direct.ts). The bundle is
// CommonJS: no top-level await.
import { CODE_CACHE_DIR, enableCodeCache } from "./code-cache.js";
import { writeAll } from "./io.js";
import { VERSION } from "./version.js";

declare const __SVCROUTE_HELP__: string | undefined;
declare const __dirname: string;

const argv = process.argv.slice(2);
const only = argv.length === 1 ? argv[0] : undefined;
if (only === "--version" || only === "-V") writeAll(1, `${VERSION}\n`);
else if ((only === "--help" || only === "-h") && typeof __SVCROUTE_HELP__ === "string") writeAll(1, __SVCROUTE_HELP__);
else {
  // the bundle as installed (not the sources under tsx); the long-running commands compile once anyway
  if (typeof __SVCROUTE_HELP__ === "string" && argv[0] !== "run" && argv[0] !== "guard") enableCodeCache(__dirname, process.env.SVCROUTE_CODE_CACHE || CODE_CACHE_DIR);
  void import("./cli-direct.js")
    .then(({ main }) => main(argv))
    .then((code) => {
      process.exitCode = code;
    });
}
