// Baseline A: ExaBGP 4.2 with its own health checker (`python3 -m exabgp healthcheck`, what
// /usr/bin/exabgp-healthcheck runs) announcing one /32 from a lab host that runs no routing daemon.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { terminate } from "./stop.js";
import type { Lab } from "../../lab/harness/lab.js";

/** the Debian package's module; a python3 found first on PATH (pyenv) may lack it */
export const PYTHON = "/usr/bin/python3";

export interface ExaTiming {
  interval: number;
  fast: number;
  rise: number;
  fall: number;
}

export interface RunningExa {
  pid: number;
  stop(): Promise<void>;
}

export function exabgpConfig(lab: Lab, hostName: string, prefix: string, healthFile: string, t: ExaTiming): string {
  const host = lab.host(hostName);
  const link = host.links[0]!;
  const hc = [
    `${PYTHON} -m exabgp healthcheck --no-syslog --name svc`,
    `--cmd "test -e ${healthFile}"`,
    `--ip ${prefix} --no-ip-setup --withdraw-on-down`,
    `--interval ${t.interval} --fast-interval ${t.fast} --rise ${t.rise} --fall ${t.fall}`,
  ].join(" ");
  return [
    "process svc {",
    `  run ${hc};`,
    "  encoder text;",
    "}",
    `neighbor ${link.tor4} {`,
    `  router-id ${host.routerId};`,
    `  local-address ${link.host4};`,
    `  local-as ${host.asn};`,
    `  peer-as ${link.torAsn};`,
    "  family { ipv4 unicast; }",
    "  api { processes [ svc ]; }",
    "}",
    "",
  ].join("\n");
}

/** start ExaBGP in the host's namespace (runs as root, no CLI pipe, logs to a file) */
export function startExabgp(lab: Lab, hostName: string, config: string, tag: string): RunningExa {
  const host = lab.host(hostName);
  const conf = join(host.dir, `exabgp-${tag}.conf`);
  writeFileSync(conf, config);
  const env = {
    ...process.env,
    "exabgp.daemon.user": "root",
    "exabgp.daemon.drop": "false",
    "exabgp.api.cli": "false",
    "exabgp.log.destination": join(host.dir, `exabgp-${tag}.log`),
  };
  const p = lab.spawn(hostName, PYTHON, ["-m", "exabgp", conf], { env, logFile: join(host.dir, `exabgp-${tag}.out`) });
  let done = false;
  void p.exited.then(() => (done = true));
  return {
    pid: p.pid,
    async stop() {
      if (done) return;
      await terminate(p.pid, p.exited, 5000);
      // its health checker notices an exited parent only after its next sleep: end it now
      let left = "";
      try {
        left = execFileSync("ip", ["netns", "pids", lab.ns(hostName)], { encoding: "utf8" });
      } catch {
        /* namespace gone */
      }
      for (const pid of left.split(/\s+/).filter(Boolean).map(Number)) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {
          /* gone */
        }
      }
    },
  };
}
