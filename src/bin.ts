// Process entry point of the `svcroute` executable.
import { main } from "./cli.js";

process.exitCode = await main(process.argv.slice(2));
