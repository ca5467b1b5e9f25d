// The plain forms of the two commands that hooks and monitors call over and over, `check` and
// `status` with a manifest, a socket, --drop-ins, --json or --nagios, run without building the CLI
// (commander and its parse are a tenth of their start-up). Any other form, and anything whose
// reading by commander is not certain here (a value that starts with "-", an option given twice,
// --help, `--opt=value`), goes to cli.ts unchanged.
import type { CheckOptions } from "./commands/check.js";
import type { StatusOptions } from "./commands/status.js";
import { processIo, type Io } from "./io.js";
import { errorExit } from "./outcome.js";

export type Direct = { command: "check"; opts: CheckOptions } | { command: "status"; opts: StatusOptions };

// each command's options as cli.ts defines them: flag → option key, with a value or without
const WITH_VALUE: Record<Direct["command"], Record<string, string>> = {
  check: { "-m": "manifest", "--manifest": "manifest", "--drop-ins": "dropIns" },
  status: { "-m": "manifest", "--manifest": "manifest", "--socket": "socket" },
};
const FLAGS: Record<Direct["command"], Record<string, string>> = {
  check: { "--json": "json" },
  status: { "--json": "json", "--nagios": "nagios" },
};

/** the command and its options as commander would pass them, when argv is one of the plain forms */
export function directCommand(argv: readonly string[]): Direct | undefined {
  const [command, ...rest] = argv;
  if (command !== "check" && command !== "status") return undefined;
  const opts: Record<string, string | boolean> = {};
  let positional: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    const valued = WITH_VALUE[command][arg];
    const key = valued ?? FLAGS[command][arg];
    if (key === undefined) {
      // check's one optional [manifest]; status takes none
      if (command !== "check" || arg.startsWith("-") || positional !== undefined) return undefined;
      positional = arg;
      continue;
    }
    if (key in opts) return undefined;
    if (valued) {
      const v = rest[++i];
      if (v === undefined || v.startsWith("-")) return undefined;
      opts[key] = v;
    } else opts[key] = true;
  }
  if (command === "status") return { command, opts };
  return { command, opts: { ...opts, manifest: (opts.manifest as string | undefined) ?? positional } };
}

/** Run the CLI with raw argv (without node and script); returns the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  const d = directCommand(argv);
  if (!d) return (await import("./cli.js")).main(argv, io);
  try {
    if (d.command === "check") return await (await import("./commands/check.js")).checkCommand(io, d.opts);
    return await (await import("./commands/status.js")).statusCommand(io, d.opts);
  } catch (e) {
    return errorExit(e, io, argv.includes("--json"));
  }
}
