// argv → subcommand. Subcommands are imported lazily so one-shot commands start fast; errors become
// messages and exit codes in outcome.ts.
import { Command, CommanderError, Option } from "commander";
import { ERROR_CODES, exitCodeFor } from "./errors.js";
import { longRunning, processIo, type Io } from "./io.js";
import { errorExit } from "./outcome.js";
import { VERSION } from "./version.js";

export type { Io };

/** options several subcommands share (a fresh Option each time: commander keeps state in them) */
const options = {
  manifest: () => new Option("-m, --manifest <path>", "manifest file (default: $SVCROUTE_MANIFEST or /etc/svcroute/svcroute.yaml)"),
  dropIns: () => new Option("--drop-ins <dir>", "drop-in directory (default: services.d beside the manifest; 'none' to skip)"),
  socket: () => new Option("--socket <path>", "the supervisor's status socket (default: from the manifest)"),
  json: () => new Option("--json", "machine-readable output"),
};

/** a subcommand's description and options, in help order */
function define(cmd: Command, description: string, opts: Option[]): Command {
  cmd.description(description);
  for (const o of opts) cmd.addOption(o);
  return cmd;
}

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

  type Opts = Record<string, unknown>;
  define(program.command("check"), "validate the manifest (and drop-ins); print a summary or every problem with its file:line", [
    options.manifest(), options.dropIns(), options.json(),
    new Option("--run-checks", "also run every service's health checks once and print each result (exit 1 if a service fails)"),
    new Option("--with-daemon", "also render the config and have the routing daemon's own parser judge it"),
  ])
    .argument("[manifest]", "manifest file (same as --manifest)")
    .action(run(async (positional: string | undefined, opts: Opts) => (await import("./commands/check.js")).checkCommand(io, { ...opts, manifest: (opts.manifest as string | undefined) ?? positional })));

  define(program.command("schema"), "print the manifest's JSON Schema (for editors and CI pipelines)", [
    new Option("--markdown", "print the manifest reference as a markdown table instead"),
  ]).action(run(async (opts: { markdown?: boolean }) => (await import("./commands/schema.js")).schemaCommand(io, opts)));

  define(program.command("render"), "print the FRR or BIRD config svcroute renders from the manifest (passwords masked)", [
    options.manifest(),
    options.dropIns(),
    new Option("--daemon <daemon>", "render for this daemon (default: the manifest's)").choices(["frr", "bird"]),
    new Option("--health <file>", 'health state to render: {"services": {"dns": "down"}, "drained": ["web"]} or {"dns": "down", "web": "drain"}'),
    new Option("--show-secrets", "print real passwords instead of <secret> (reads password files)"),
  ]).action(run(async (opts: Opts) => (await import("./commands/render.js")).renderCommand(io, opts)));

  define(program.command("status"), "what the supervisor is doing: services, prefixes per peer, sessions, last reconcile", [
    options.manifest(), options.socket(), options.json(),
    new Option("--watch [seconds]", "redraw every few seconds (default 2)"),
    new Option("--nagios", "one Nagios/Icinga line; exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN"),
  ]).action(run(async (opts: Opts) => (await import("./commands/status.js")).statusCommand(io, opts)));

  define(program.command("probe"), "run one service's health checks once and print each result (exit 1 if the service fails)", [
    options.manifest(), options.dropIns(), options.json(),
    new Option("--apply", "have the running supervisor run them now and act on the result (counts toward rise/fall), e.g. right after a deploy"),
    options.socket(),
  ])
    .argument("<service>", "the service's name")
    .action(run(async (service: string, opts: Opts) => (await import("./commands/probe.js")).probeCommand(io, service, opts)));

  define(
    program.command("doctor"),
    "find what is wrong on this box (manifest, daemon, config, sessions, advertisement, host, supervisor) and how to fix it; exit 0 all pass, 1 warn, 2 fail",
    [options.manifest(), options.socket(), options.json()],
  ).action(run(async (opts: Opts) => (await import("./commands/doctor.js")).doctorCommand(io, opts)));

  define(program.command("diff"), "unified diff of the config svcroute would render, the file on disk, and the running config (passwords masked)", [
    options.manifest(),
    options.socket(),
  ]).action(run(async (opts: Opts) => (await import("./commands/diff.js")).diffCommand(io, opts)));

  define(program.command("reload"), "have the running supervisor re-read the manifest and drop-ins (as SIGHUP does) and say whether it took them (exit 3 with every problem if not)", [
    options.manifest(), options.socket(), options.json(),
  ]).action(run(async (opts: Opts) => (await import("./commands/reload.js")).reloadCommand(io, opts)));

  define(program.command("run"), "the supervisor: keep the routing daemon's announcements equal to the healthy services (systemd runs this)", [
    options.manifest(),
    options.dropIns(),
    new Option("--log-format <format>", "json (default when not a terminal) or text").choices(["json", "text"]),
    new Option("--log-level <level>", "least severe level logged (default info)").choices(["debug", "info", "warn", "error"]),
    new Option("--no-guard", "do not start the fail-closed guard (it is never started under systemd)"),
  ]).action(
    run(async (opts: Opts) => {
      // The supervisor runs for months beside the workload: V8's young generation stays at its
      // first size instead of growing to 16 MB under the checks' allocations, and the old one
      // grows by a fifth at a time, not by up to four times, after a start or a reload with
      // thousands of services; and by at least 2 MB, not 8 (--optimize-for-size), so a small
      // heap is collected before it has grown by half again (set before the supervisor's code
      // loads; docs/performance.md has the figures).
      const v8 = await import("node:v8");
      v8.setFlagsFromString("--semi-space-growth-factor=1");
      v8.setFlagsFromString("--heap-growing-percent=20");
      v8.setFlagsFromString("--optimize-for-size");
      return (await import("./commands/run.js")).runCommand(longRunning(io), opts);
    }),
  );

  define(program.command("withdraw"), "withdraw every prefix this host announces, now, without a supervisor (systemd OnFailure=)", [
    options.manifest(),
    new Option("--all", "every service (required)"),
  ]).action(run(async (opts: Opts) => (await import("./commands/withdraw.js")).withdrawCommand(longRunning(io), opts)));

  define(program.command("guard", { hidden: true }), "internal: the fail-closed guard started by `svcroute run`", [
    new Option("--manifest <path>").makeOptionMandatory(),
    new Option("--state-dir <dir>").makeOptionMandatory(),
    new Option("--grace-ms <ms>").makeOptionMandatory(),
    new Option("--parent <pid>").makeOptionMandatory(),
  ]).action(run(async (opts: Record<string, string>) => (await import("./commands/guard.js")).guardCommand(longRunning(io), opts as never)));

  for (const [name, on] of [
    ["drain", true],
    ["undrain", false],
  ] as const) {
    const what = on
      ? "drain a service (or --all): announce with GRACEFUL_SHUTDOWN, then withdraw after drain_wait; survives restarts"
      : "end a drain: announce normally again while healthy";
    const waits = on
      ? [
          new Option("--wait", "return only when every prefix of the service is withdrawn at every peer (for a unit's ExecStop=)"),
          new Option("--timeout <duration>", "how long --wait waits (default: drain_wait + 30s); E_TIMEOUT after it"),
        ]
      : [];
    define(program.command(`${name} [service]`), what, [options.manifest(), options.socket(), new Option("--all", "every service"), ...waits]).action(
      run(async (service: string | undefined, opts: Opts) => (await import("./commands/drain.js")).drainCommand(io, service, opts, on)),
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
    return errorExit(e, io, json);
  }
}

