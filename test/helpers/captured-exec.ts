// A process runner that answers with what the real daemons printed for the same commands, from
// test/fixtures/captured/<daemon>/ (written by the capture script; each file's exit code is the
// one its README lists). Drivers and judges run unchanged on top of it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Exec, ExecResult } from "../../src/effects/exec.js";

export const CAPTURED = join(import.meta.dirname, "../fixtures/captured");

const exits = new Map<string, Record<string, number>>();

/** exit codes of a capture directory, as its README lists them */
export function capturedExit(daemon: "frr" | "bird", file: string): number {
  let m = exits.get(daemon);
  if (!m) {
    const readme = readFileSync(join(CAPTURED, daemon, "README.md"), "utf8");
    m = Object.fromEntries([...readme.matchAll(/^\| `([^`]+)` \| .* \| (\d+) \| [^|]* \|$/gm)].map((x) => [x[1]!, Number(x[2])]));
    exits.set(daemon, m);
  }
  const code = m[file];
  if (code === undefined) throw new Error(`${daemon}/${file} is not in the capture README`);
  return code;
}

export function captured(daemon: "frr" | "bird", file: string): ExecResult {
  return { code: capturedExit(daemon, file), stdout: readFileSync(join(CAPTURED, daemon, file), "utf8"), stderr: "", durationMs: 1 } as ExecResult;
}

/** `route` names the capture that answers a command (several: answers one after the other, as vtysh prints them) */
export function replay(daemon: "frr" | "bird", route: (cmd: string, args: string[]) => string | string[] | undefined): { exec: Exec; calls: string[]; argv: string[][] } {
  const calls: string[] = [];
  const argv: string[][] = [];
  const exec: Exec = async (cmd, args) => {
    calls.push(`${cmd.split("/").pop()} ${args.join(" ")}`);
    argv.push([cmd, ...args]);
    const f = route(cmd, [...args]);
    if (f === undefined) throw new Error(`unexpected command: ${cmd} ${args.join(" ")}`);
    const parts = (Array.isArray(f) ? f : [f]).map((x) => captured(daemon, x));
    return { ...parts[0]!, code: Math.max(...parts.map((p) => p.code ?? 0)), stdout: parts.map((p) => p.stdout).join("") };
  };
  return { exec, calls, argv };
}

/** the -c commands of a vtysh argv */
export const vtyshCmds = (args: string[]): string[] => args.flatMap((a, i) => (args[i - 1] === "-c" ? [a] : []));
