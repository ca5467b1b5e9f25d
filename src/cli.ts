// argv → subcommand. Subcommands are imported lazily so one-shot commands start fast. This is the
// ONE place where errors become messages and exit codes.
import { Command, CommanderError, Option } from "commander";
import { ERROR_CODES, errorToJson, exitCodeFor, formatError, toSvcrouteError } from "./errors.js";
import { processIo, type Io } from "./io.js";
import { VERSION } from "./version.js";

export type { Io };

const manifestOption = () =>
  new Option("-m, --manifest <path>", "manifest file (default: $SVCROUTE_MANIFEST or /etc/svcroute/svcroute.yaml)");
const dropInOption = () =>
  new Option("--drop-ins <dir>", "drop-in directory (default: services.d beside the manifest; 'none' to skip)");

function exitTable(): string {
  const byExit = new Map<number, string[]>();
  for (const [code, v] of Object.entries(ERROR_CODES)) byExit.set(v.exit, [...(byExit.get(v.exit) ?? []), code]);
  return [...byExit.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([n, codes]) => `  ${String(n).padStart(2)}  ${codes.join(", ")}`)
    .join("\n");
}

function buildProgram(io: Io, setExit: (n: number) => void): Command {
  const program = new Command();
  program
    .name("svcroute")
    .description(
      "Announce this host's healthy services to the network over BGP. svcroute reads a small " +
        "manifest (services, prefixes, health checks, peers), renders a locked-down FRR or BIRD " +
        "config from it, and keeps the routing daemon's announcements equal to the healthy services.",
    )
    .version(VERSION, "-V, --version", "print the version")
    .showSuggestionAfterError(true)
    .addHelpText("after", `\nExit codes:\n   0  success\n${exitTable()}\n\nDocumentation: /usr/share/doc/svcroute/README.md`)
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride();

  const run = <A extends unknown[]>(fn: (...args: A) => Promise<number>) =>
    async (...args: A) => {
      setExit(await fn(...args));
    };

  program
    .command("check")
    .description("validate the manifest (and drop-ins); print a summary or every problem with its file:line")
    .argument("[manifest]", "manifest file (same as --manifest)")
    .addOption(manifestOption())
    .addOption(dropInOption())
    .option("--json", "machine-readable output")
    .option("--run-checks", "also run every service's health checks once and print each result (exit 1 if a service fails)")
    .option("--with-daemon", "also render the config and have the routing daemon's own parser judge it")
    .action(
      run(async (positional: string | undefined, opts: Record<string, unknown>) => {
        const { checkCommand } = await import("./commands/check.js");
        return checkCommand(io, { ...opts, manifest: (opts.manifest as string | undefined) ?? positional });
      }),
    );

  program
    .command("schema")
    .description("print the manifest's JSON Schema (for editors and CI pipelines)")
    .option("--markdown", "print the manifest reference as a markdown table instead")
    .action(
      run(async (opts: { markdown?: boolean }) => {
        const { schemaCommand } = await import("./commands/schema.js");
        return schemaCommand(io, opts);
      }),
    );

  program
    .command("render")
    .description("print the FRR or BIRD config svcroute renders from the manifest (passwords masked)")
    .addOption(manifestOption())
    .addOption(dropInOption())
    .addOption(new Option("--daemon <daemon>", "render for this daemon (default: the manifest's)").choices(["frr", "bird"]))
    .option("--health <file>", 'health state to render: {"services": {"dns": "down"}, "drained": ["web"]} or {"dns": "down", "web": "drain"}')
    .option("--show-secrets", "print real passwords instead of <secret> (reads password files)")
    .action(
      run(async (opts: Record<string, unknown>) => {
        const { renderCommand } = await import("./commands/render.js");
        return renderCommand(io, opts);
      }),
    );

  program
    .command("status")
    .description("what the supervisor is doing: services, prefixes per peer, sessions, last reconcile")
    .addOption(manifestOption())
    .option("--socket <path>", "the supervisor's status socket (default: from the manifest)")
    .option("--json", "machine-readable output")
    .option("--watch [seconds]", "redraw every few seconds (default 2)")
    .option("--nagios", "one Nagios/Icinga line; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN")
    .action(
      run(async (opts: Record<string, unknown>) => {
        const { statusCommand } = await import("./commands/status.js");
        return statusCommand(io, opts);
      }),
    );

  program
    .command("probe")
    .description("run one service's health checks once and print each result (exit 1 if the service fails)")
    .argument("<service>", "the service's name")
    .addOption(manifestOption())
    .addOption(dropInOption())
    .option("--json", "machine-readable output")
    .action(
      run(async (service: string, opts: Record<string, unknown>) => {
        const { probeCommand } = await import("./commands/probe.js");
        return probeCommand(io, service, opts);
      }),
    );

  program
    .command("doctor")
    .description("find what is wrong on this box (manifest, daemon, config, sessions, advertisement, host, supervisor) and how to fix it; exit 0 all pass, 1 warn, 2 fail")
    .addOption(manifestOption())
    .option("--socket <path>", "the supervisor's status socket (default: from the manifest)")
    .option("--json", "machine-readable output")
    .action(
      run(async (opts: Record<string, unknown>) => {
        const { doctorCommand } = await import("./commands/doctor.js");
        return doctorCommand(io, opts);
      }),
    );

  program
    .command("diff")
    .description("unified diff of the config svcroute would render, the file on disk, and the running config (passwords masked)")
    .addOption(manifestOption())
    .option("--socket <path>", "the supervisor's status socket (default: from the manifest)")
    .action(
      run(async (opts: Record<string, unknown>) => {
        const { diffCommand } = await import("./commands/diff.js");
        return diffCommand(io, opts);
      }),
    );

  program
    .command("run")
    .description("the supervisor: keep the routing daemon's announcements equal to the healthy services (systemd runs this)")
    .addOption(manifestOption())
    .addOption(new Option("--log-format <format>", "json (default when not a terminal) or text").choices(["json", "text"]))
    .addOption(new Option("--log-level <level>", "least severe level logged (default info)").choices(["debug", "info", "warn", "error"]))
    .option("--no-guard", "do not start the fail-closed guard (it is never started under systemd)")
    .action(
      run(async (opts: Record<string, unknown>) => {
        const { runCommand } = await import("./commands/run.js");
        return runCommand(io, opts);
      }),
    );

  program
    .command("withdraw")
    .description("withdraw every prefix this host announces, now, without a supervisor (systemd OnFailure=)")
    .addOption(manifestOption())
    .option("--all", "every service (required)")
    .action(
      run(async (opts: Record<string, unknown>) => {
        const { withdrawCommand } = await import("./commands/withdraw.js");
        return withdrawCommand(io, opts);
      }),
    );

  program
    .command("guard", { hidden: true })
    .description("internal: the fail-closed guard started by `svcroute run`")
    .requiredOption("--manifest <path>")
    .requiredOption("--state-dir <dir>")
    .requiredOption("--grace-ms <ms>")
    .requiredOption("--parent <pid>")
    .action(
      run(async (opts: Record<string, string>) => {
        const { guardCommand } = await import("./commands/guard.js");
        return guardCommand(io, opts as never);
      }),
    );

  for (const [name, on] of [
    ["drain", true],
    ["undrain", false],
  ] as const) {
    program
      .command(`${name} [service]`)
      .description(
        on
          ? "drain a service (or --all): announce with GRACEFUL_SHUTDOWN, then withdraw after drain_wait; survives restarts"
          : "end a drain: announce normally again while healthy",
      )
      .addOption(manifestOption())
      .option("--all", "every service")
      .action(
        run(async (service: string | undefined, opts: Record<string, unknown>) => {
          const { drainCommand } = await import("./commands/drain.js");
          return drainCommand(io, service, opts, on);
        }),
      );
  }

  return program;
}

/** Run the CLI with raw argv (without node and script); returns the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let exit = 0;
  const program = buildProgram(io, (n) => {
    exit = n;
  });
  const json = argv.includes("--json");
  try {
    await program.parseAsync(argv, { from: "user" });
    return exit;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end through here with exit code 0
      if (e.exitCode === 0) return 0;
      return exitCodeFor("E_USAGE");
    }
    const err = toSvcrouteError(e);
    if (json) io.out(JSON.stringify(errorToJson(err), null, 2));
    else io.err(formatError(err));
    if (err.code === "E_INTERNAL" && io.env.SVCROUTE_DEBUG && e instanceof Error && e.stack) io.err(e.stack);
    return exitCodeFor(err.code);
  }
}

