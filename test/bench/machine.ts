// What the numbers were measured on: recorded with every result, because these machines differ
// and are noisy.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem } from "node:os";
import { resolve } from "node:path";
import { PYTHON } from "./lib/exabgp.js";
import { printed } from "../helpers/printed.js";

export interface Machine {
  cpus: number;
  cpuModel: string;
  memGB: number;
  kernel: string;
  node: string;
  versions: { frr: string; bird: string; exabgp: string; gobgp: string; python: string };
  svcroute: string;
  commit: string | undefined;
  dirty: boolean;
  loadBefore: number[];
  loadAfter: number[];
}

const ROOT = resolve(import.meta.dirname, "../..");

function out(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", timeout: 10_000 });
  return printed(r).trim();
}

const first = (s: string, re: RegExp, fallback = "unknown") => re.exec(s)?.[1] ?? fallback;
const load = () => loadavg().map((x) => Math.round(x * 100) / 100);

export function machine(): Machine {
  const c = cpus();
  const pkg = JSON.parse(readFileSync(resolve(ROOT, "package.json"), "utf8")) as { version: string };
  const commit = out("git", ["-C", ROOT, "rev-parse", "--short", "HEAD"]);
  return {
    cpus: c.length,
    cpuModel: c[0]?.model.trim() ?? "unknown",
    memGB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    versions: {
      frr: `FRR ${first(out("/usr/lib/frr/bgpd", ["--version"]), /version (\S+)/)}`,
      bird: `BIRD ${first(out("bird", ["--version"]), /version (\S+)/)}`,
      exabgp: `ExaBGP ${first(out(PYTHON, ["-m", "exabgp", "--version"]), /ExaBGP : (\S+)/)}`,
      gobgp: `GoBGP ${first(out("gobgpd", ["--version"]), /version (\S+)/, "not installed")}`,
      python: first(out(PYTHON, ["--version"]), /Python (\S+)/),
    },
    svcroute: pkg.version,
    commit: /^[0-9a-f]{6,}$/.test(commit) ? commit : undefined,
    dirty: out("git", ["-C", ROOT, "status", "--porcelain", "--untracked-files=no"]).length > 0,
    loadBefore: load(),
    loadAfter: [],
  };
}

export const loadNow = load;
