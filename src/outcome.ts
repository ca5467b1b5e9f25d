// The one place where an error a command throws becomes a message and an exit code, for the CLI
// (cli.ts) and for the commands run without it (cli-direct.ts).
import { errorToJson, exitCodeFor, formatError, toSvcrouteError } from "./errors.js";
import type { Io } from "./io.js";

/** print the error (as JSON when the command was asked for --json) and return its exit code */
export function errorExit(e: unknown, io: Io, json: boolean): number {
  const err = toSvcrouteError(e);
  if (json) io.out(JSON.stringify(errorToJson(err), null, 2));
  else io.err(formatError(err));
  if (err.code === "E_INTERNAL" && io.env.SVCROUTE_DEBUG && e instanceof Error && e.stack) io.err(e.stack);
  return exitCodeFor(err.code);
}
