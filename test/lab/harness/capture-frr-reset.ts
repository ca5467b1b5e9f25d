// What frr-reload.py (as the FRR driver runs it) prints when a graceful-restart setting changes, and
// what bgpd reports of its sessions around it, on a fabric of its own: an FRR host started bare (as
// `svcroute run` finds a freshly started bgpd) gets its whole config in one reload (the cold start);
// then, with its session Established, the global graceful-restart mode changes, then one
// neighbour's. test/unit/daemons/frr-reset.test.ts decides from these which sessions to reset.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Recorder } from "./capture-record.js";
import { waitEstablished } from "./conditions.js";
import type { DaemonSet } from "./daemon-sets.js";
import { frrHostConfig } from "./host-configs.js";
import { createLab } from "./lab.js";
import { hostTools } from "./tools.js";
import { waitFor } from "./wait.js";

export async function captureFrrReset(rec: Recorder, set: DaemonSet): Promise<void> {
  const lab = await createLab(
    { tors: [{ name: "tor1", asn: 65001, timers: { keepalive: 1, hold: 3 } }], hosts: [{ name: "cold", daemon: "frr", links: ["tor1"], families: ["ipv4"] }] },
    { daemons: set },
  );
  try {
    const host = lab.host("cold");
    const tools = hostTools(host);
    const paths = host.paths!;
    const confdir = join(host.dir, "reload");
    mkdirSync(confdir, { recursive: true });
    const file = join(confdir, "frr.conf");
    const where = "cold (FRR host, one session to tor1)";
    const reload = async (name: string, text: string, note: string) => {
      writeFileSync(file, text);
      const argv: [string, ...string[]] = [tools.frrReload, "--reload", "--stdout", "--confdir", confdir, "--vty_socket", paths.socket, "--rundir", host.dir, file];
      await rec.command(name, argv, { where, note: `${note}:\n${text}` });
    };
    const neighbors = (name: string, note: string) =>
      rec.command(name, [tools.vtysh, "--vty_socket", paths.socket, "-c", "show bgp neighbors json"], { where, note });
    const n = lab.link("cold", "tor1").tor4;
    const established = () =>
      waitFor(() => lab.vtyshJson<Record<string, { bgpState?: string }>>("cold", "show bgp neighbors json"), {
        what: "cold's session to tor1 Established",
        timeout: 30_000,
        until: (j) => j[n]?.bgpState === "Established",
      });

    await neighbors("reset.cold.show-bgp-neighbors.json", "a bgpd started with no `router bgp`: no neighbours");
    const final = frrHostConfig(host, { timers: { keepalive: 1, hold: 3 } });
    await reload("reset.frr-reload-reload-cold-start.txt", final, "frr-reload.py --reload of the whole config (`bgp graceful-restart-disable`, one neighbour) into that bgpd");
    await neighbors("reset.cold-applied.show-bgp-neighbors.json", "right after that reload: the neighbour exists (its session may be up already, under the new settings)");
    await established();
    await waitEstablished(lab, { timeout: 30_000 });
    await neighbors("reset.established.show-bgp-neighbors.json", "the session Established under `bgp graceful-restart-disable`");
    const helper = final.replace(" bgp graceful-restart-disable\n", "");
    await reload("reset.frr-reload-reload-global-gr.txt", helper, "frr-reload.py --reload without `bgp graceful-restart-disable` (FRR's default: helper), a global change");
    await neighbors("reset.global-gr.show-bgp-neighbors.json", "right after that reload: the session's local graceful-restart mode (FRR 10 resets the session itself)");
    await established();
    const perPeer = helper.replace(`timers connect 1\n`, `timers connect 1\n neighbor ${n} graceful-restart\n`);
    await reload("reset.frr-reload-reload-peer-gr.txt", perPeer, `frr-reload.py --reload with \`neighbor ${n} graceful-restart\` added, a per-neighbour change`);
    await neighbors("reset.peer-gr.show-bgp-neighbors.json", "right after that reload: the session's local graceful-restart mode");
  } finally {
    await lab.down();
  }
}
