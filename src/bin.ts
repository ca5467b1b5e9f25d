#!/usr/bin/env node
// Process entry point of the `svcroute` executable. `--version` alone is answered here without
// loading the CLI (commander): a version probe, run by config management on every host, costs
// what Node itself costs. The bundle is CommonJS: no top-level await.
import { VERSION } from "./version.js";

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === "--version" || argv[0] === "-V")) process.stdout.write(`${VERSION}\n`);
else
  void import("./cli.js")
    .then(({ main }) => main(argv))
    .then((code) => {
      process.exitCode = code;
    });
