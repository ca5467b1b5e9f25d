// Captures real FRR and BIRD outputs into test/fixtures/captured/{frr,bird}/ for parser unit tests,
// from the hosts' daemons of one daemon set (or all), each file named by the daemon version that
// printed it (frr-10.3.host1.show-bgp-neighbors.json); the ToRs' (FRR 8.4) come with debian12:
//   npx tsx test/lab/harness/capture.ts [--daemons debian12|debian13|debian13-bird2|all]
import { mkdtempSync, rmSync, chmodSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { captureBirdConfig, captureBirdRaw, captureBirdShow } from "./capture-bird.js";
import { captureFrrCheckers, captureFrrHostShow, captureTorShow } from "./capture-frr.js";
import { captureFrrDriver } from "./capture-frr-driver.js";
import { captureFrrReset } from "./capture-frr-reset.js";
import { DAEMON_SETS, DAEMON_SET_NAMES, filePrefix, isDaemonSetName, type DaemonSet } from "./daemon-sets.js";
import { Recorder, type Captured } from "./capture-record.js";
import { installSignalHandlers } from "./cleanup.js";
import { waitEcmp, waitEstablished, waitRoute } from "./conditions.js";
import { birdHostConfig, frrHostConfig } from "./host-configs.js";
import { createLab, type Lab } from "./lab.js";
import type { Topology } from "./topology.js";
import { waitFor } from "./wait.js";

const OUT = resolve(dirname(fileURLToPath(import.meta.url)), "../../fixtures/captured");
const WRONG_ASN = 65099;

const topology: Topology = {
  tors: [
    { name: "tor1", asn: 65001, bfd: true },
    { name: "tor2", asn: 65002, bfd: true },
  ],
  hosts: [
    { name: "host1", daemon: "frr", links: ["tor1", "tor2"], addresses: ["192.0.2.11", "2001:db8::11", "192.0.2.100", "2001:db8::100"], config: (h) => frrHostConfig(h, { bfd: true }) },
    { name: "host2", daemon: "bird", links: ["tor1", "tor2"], addresses: ["192.0.2.12", "2001:db8::12", "192.0.2.100", "2001:db8::100"], config: (h) => birdHostConfig(h, { bfd: true }) },
    { name: "silent", daemon: "none", links: ["tor1"], families: ["ipv4"] },
    // hosts that expect a ToR ASN the ToR does not have: their sessions never come up
    { name: "badasn", daemon: "frr", links: ["tor1"], families: ["ipv4"], addresses: ["192.0.2.14"], config: (h) => frrHostConfig(h).replaceAll("remote-as 65001", `remote-as ${WRONG_ASN}`) },
    { name: "badbird", daemon: "bird", links: ["tor1"], families: ["ipv4"], addresses: ["192.0.2.15"], config: (h) => birdHostConfig(h, { bfd: true }).replaceAll("as 65001;", `as ${WRONG_ASN};`) },
    // an FRR host peering unnumbered (`neighbor eth0 interface`): FRR names such a neighbour by its interface
    { name: "unnum", daemon: "frr", links: ["tor2"], peering: "unnumbered", torBfd: false, addresses: ["192.0.2.16", "2001:db8::16"], config: (h) => frrHostConfig(h) },
  ],
};

async function settle(lab: Lab): Promise<void> {
  await waitEstablished(lab, { hosts: ["host1", "host2", "unnum"], timeout: 60_000 });
  for (const p of ["192.0.2.11/32", "192.0.2.12/32", "2001:db8::11/128", "2001:db8::12/128"]) await waitRoute(lab, "tor1", p, "present");
  for (const p of ["192.0.2.16/32", "2001:db8::16/128"]) await waitRoute(lab, "tor2", p, "present");
  await waitEcmp(lab, "tor1", "192.0.2.100/32", 2);
  await waitEcmp(lab, "tor1", "2001:db8::100/128", 2);
  await waitFor(() => lab.observe.defaultRoute("host1"), { what: "host1 ECMP default", until: (r) => r?.nexthops.length === 2 });
  await waitFor(() => lab.birdc("host2", "show route export tor1_v6"), { what: "host2 exporting IPv6", until: (o) => o.includes("2001:db8::12") });
  await waitFor(() => lab.vtysh("tor1", "show bfd peers json"), {
    what: "tor1 BFD up toward host1 and host2 (4 sessions)",
    until: (o) => (JSON.parse(o) as { status: string }[]).filter((p) => p.status === "up").length === 4,
  });
  await waitFor(() => lab.birdc("badbird", "show protocols all tor1_v4"), { what: "badbird's session to fail with Bad peer AS", timeout: 30_000, until: (o) => /Bad peer AS/i.test(o) });
  await waitFor(() => lab.vtyshJson<Record<string, { lastNotificationReason?: string; lastResetDueTo?: string }>>("badasn", "show bgp neighbors json"), {
    what: "badasn's session to be reset at least once",
    timeout: 30_000,
    until: (j) => Object.values(j).some((n) => n.lastResetDueTo !== undefined),
  });
}

const NOTES: Record<string, string[]> = {
  FRR: [
    "- `vtysh -C` exits non-zero on grammar errors but passes semantic ones; `bgpd -C` reports those and",
    "  always exits 0 (read its output); an undefined route-map is accepted by both.",
    "- `frr-reload.py --test` exits 0 whether or not there is a diff; `no hostname …` is noise (shared hostname).",
  ],
  BIRD: ["- svcroute speaks BIRD's control socket itself (raw.*, reply codes included); it never runs birdc."],
};

function readme(title: string, label: string, entries: Captured[]): string {
  const rows = entries.map((e) => `| \`${e.file}\` | \`${e.command.replaceAll("|", "\\|")}\` | ${e.where} | ${e.exit} | ${e.note.split("\n")[0]} |`);
  const inputs = entries.filter((e) => e.note.includes("\n")).map((e) => `### ${e.file}\n\n\`\`\`\n${e.note.split("\n").slice(1).join("\n").trimEnd()}\n\`\`\``);
  return [
    `# Captured ${title} outputs: ${label}`,
    "",
    `Real outputs of ${label} in the lab fabric (the ToRs run FRR 8.4), written by \`npx tsx test/lab/harness/capture.ts\`; never edit`,
    "them by hand, re-run the script. Paths (/tmp/svrl/<run>/…), timestamps and counters are those of the",
    "capture run. Output files hold stdout and stderr as printed; the exit code is listed below.",
    "",
    "Fabric: tor1 (AS65001) and tor2 (AS65002), FRR, BFD 100 ms × 3; host1 = FRR host (AS65101) and host2 = BIRD",
    "host (AS65102), both dual-homed with IPv4 + IPv6 sessions and the anycast 192.0.2.100/32 and 2001:db8::100/128;",
    "`silent` has no BGP speaker; `badasn` (FRR) and `badbird` (BIRD) expect AS65099 for tor1, so their sessions",
    "never reach Established; `unnum` (FRR) peers with tor2 unnumbered, over its interface eth0.",
    "",
    ...(NOTES[title] ?? []),
    "",
    "| file | command | where | exit | what it shows |",
    "|---|---|---|---|---|",
    ...rows,
    "",
    ...(inputs.length > 0 ? ["## Inputs of the checker commands", "", ...inputs, ""] : []),
  ].join("\n");
}

async function captureSet(set: DaemonSet): Promise<void> {
  const frr = new Recorder(join(OUT, "frr"), filePrefix(set.frr));
  const bird = new Recorder(join(OUT, "bird"), filePrefix(set.bird));
  const lab = await createLab(topology, { daemons: set });
  const scratch = mkdtempSync(join(lab.dir, "scratch-"));
  chmodSync(scratch, 0o777);
  try {
    await settle(lab);
    frr.reset();
    bird.reset();
    // the ToRs run this machine's FRR 8.4 in every set: captured once, with debian12's hosts
    if (set.frr.root === null) await captureTorShow(frr, lab);
    await captureFrrHostShow(frr, lab);
    await captureBirdShow(bird, lab);
    await captureBirdRaw(bird, lab);
    await captureFrrCheckers(frr, lab, scratch);
    await captureFrrDriver(frr, lab, scratch);
    // a graceful-restart change through the set's own frr-reload.py, on a fabric of its own
    await captureFrrReset(frr, set);
    await captureBirdConfig(bird, lab, scratch);
    writeFileSync(join(frr.dir, `${frr.prefix}README.md`), readme("FRR", set.frr.label, frr.entries));
    writeFileSync(join(bird.dir, `${bird.prefix}README.md`), readme("BIRD", set.bird.label, bird.entries));
    console.log(`${set.name}: captured ${frr.entries.length} ${set.frr.label} and ${bird.entries.length} ${set.bird.label} outputs into ${OUT}`);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
    await lab.down();
  }
}

async function main(): Promise<void> {
  installSignalHandlers();
  const { values } = parseArgs({ options: { daemons: { type: "string", default: "debian12" } } });
  const names = values.daemons === "all" ? DAEMON_SET_NAMES : [values.daemons];
  for (const n of names) {
    if (!isDaemonSetName(n)) throw new Error(`--daemons ${n}: one of ${DAEMON_SET_NAMES.join(", ")} or all`);
    await captureSet(DAEMON_SETS[n]);
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
