// 5. CLI start-up, as a ratio to a bare `node -e 0` measured in the same run: each command and the
// bare Node run in turn (A B A B ...), and the ratio is taken pair by pair, so a machine whose
// speed drifts during the run (others' tests share it) moves both sides of each ratio alike. The
// commands run with V8's code cache in a directory of their own, as on an installed host where
// root's runs leave it (src/code-cache.ts): the warm-up pairs write it.
import { spawnSync } from "node:child_process";
import { summarise, type Summary } from "./lib/stats.js";

export interface CliRow {
  command: string;
  runs: number;
  wallMs: Summary | undefined;
  /** the same run's bare `node -e 0`, ms */
  nodeMs?: Summary | undefined;
  /** command ÷ bare Node, pair by pair */
  ratio?: Summary | undefined;
  /** the goal for the median ratio */
  goal?: number;
}

export const CLI_GOALS = { "--version": 1.15, "--help": 1.15, status: 1.3, check: 1.5 } as const;

const wall = (args: string[], env?: NodeJS.ProcessEnv): number | undefined => {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: "ignore", timeout: 30_000, env });
  const ms = performance.now() - t;
  return r.status === 0 ? ms : undefined;
};

/** `svcroute <args>` against `node -e 0`, `runs` pairs after two warm-up pairs */
export function timeCli(bundle: string, name: keyof typeof CLI_GOALS, args: string[], runs: number, codeCache: string): CliRow {
  const env = { ...process.env, SVCROUTE_CODE_CACHE: codeCache };
  const a: number[] = [];
  const b: number[] = [];
  const ratio: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const x = wall([bundle, ...args], env);
    const y = wall(["-e", "0"]);
    if (i < 2 || x === undefined || y === undefined) continue;
    a.push(x);
    b.push(y);
    ratio.push(x / y);
  }
  return { command: `svcroute ${name}`, runs, wallMs: summarise(a), nodeMs: summarise(b), ratio: summarise(ratio), goal: CLI_GOALS[name] };
}
