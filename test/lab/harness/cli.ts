// `npx tsx test/lab/harness/cli.ts up [--topology FILE.json] [--detach] | down [--all] [ID…] | ls`
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { installSignalHandlers } from "./cleanup.js";
import { demoTopology } from "./demo-topology.js";
import { labDown, listRuns } from "./down.js";
import { LabError } from "./errors.js";
import { createLab, type Lab } from "./lab.js";
import type { Topology } from "./topology.js";

const USAGE = `usage: npx tsx test/lab/harness/cli.ts <command>
  up [--topology FILE.json] [--detach]   build a fabric (default: the demo fabric) and print its layout;
                                         without --detach it stays up until Ctrl-C
  down [--all] [ID...]                   remove leftovers of crashed/detached runs (--all: also live ones)
  ls                                     list runs and their namespaces`;

function describe(lab: Lab): unknown {
  return {
    id: lab.id,
    dir: lab.dir,
    tors: lab.plan.tors.map((t) => ({ name: t.name, ns: t.ns, asn: t.asn, paths: t.paths })),
    hosts: lab.plan.hosts.map((h) => ({
      name: h.name,
      ns: h.ns,
      asn: h.asn,
      routerId: h.routerId,
      daemon: h.daemon,
      paths: h.paths,
      links: h.links.map((l) => ({ tor: l.tor, hostIf: l.hostIf, torIf: l.torIf, host4: l.host4, tor4: l.tor4, host6: l.host6, tor6: l.tor6 })),
    })),
  };
}

async function up(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { topology: { type: "string" }, detach: { type: "boolean" } } });
  const topology = values.topology ? (JSON.parse(readFileSync(values.topology, "utf8")) as Topology) : demoTopology;
  installSignalHandlers();
  const lab = await createLab(topology);
  console.log(JSON.stringify(describe(lab), null, 2));
  if (values.detach) {
    lab.detach();
    console.error(`detached; remove it with: npx tsx test/lab/harness/cli.ts down ${lab.id}`);
    return;
  }
  console.error("up; Ctrl-C tears it down");
  // the signal handlers tear down and exit; this only keeps the process alive until then
  setInterval(() => undefined, 1 << 30);
}

function down(args: string[]): void {
  const { values, positionals } = parseArgs({ args, options: { all: { type: "boolean" } }, allowPositionals: true });
  const reports = labDown(positionals.length > 0 ? { ids: positionals } : { all: values.all ?? false });
  for (const r of reports) {
    console.log(`${r.id}: ${r.namespaces.length} namespaces, ${r.killed.length} processes removed`);
    for (const e of r.errors) console.error(`  ${e}`);
    if (r.survivors.length > 0) console.error(`  still alive: ${r.survivors.join(" ")}`);
  }
  if (reports.length === 0) console.log("nothing to remove");
  if (reports.some((r) => r.errors.length > 0 || r.survivors.length > 0)) process.exitCode = 1;
}

function ls(): void {
  for (const r of listRuns()) {
    console.log(`${r.id}  owner ${r.ownerPid} ${r.ownerAlive ? "alive" : "gone"}  ${r.namespaces.join(" ") || "(no namespaces)"}`);
  }
}

async function main(argv: string[]): Promise<void> {
  const [cmd, ...rest] = argv;
  if (cmd === "up") await up(rest);
  else if (cmd === "down") down(rest);
  else if (cmd === "ls") ls();
  else {
    console.error(USAGE);
    process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(e instanceof LabError ? `error: ${e.message}` : e);
  process.exit(1);
});
