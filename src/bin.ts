#!/usr/bin/env node
// Process entry point of the `svcroute` executable. `--version` alone, and `--help` alone in the
// production build (its text captured from the CLI when the bundle is built), are answered here
// without loading the CLI (commander): a version probe or a help page costs what Node itself
// costs. `check` and `status` in their plain forms skip commander too (cli-direct.ts). The bundle is
// CommonJS: no top-level await.
import { VERSION } from "./version.js";

declare const __SVCROUTE_HELP__: string | undefined;

const argv = process.argv.slice(2);
const only = argv.length === 1 ? argv[0] : undefined;
if (only === "--version" || only === "-V") process.stdout.write(`${VERSION}\n`);
else if ((only === "--help" || only === "-h") && typeof __SVCROUTE_HELP__ === "string") process.stdout.write(__SVCROUTE_HELP__);
else
  void import("./cli-direct.js")
    .then(({ main }) => main(argv))
    .then((code) => {
      process.exitCode = code;
    });
