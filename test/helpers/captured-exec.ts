// A process runner that answers with what the real daemons printed for the same commands, from
// test/fixtures/captured/<daemon>/<version>.<file> (written by the capture script; each file's exit
// code is the one its version's README lists). Drivers and judges run unchanged on top of it.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Exec, ExecResult } from "../../src/effects/exec.js";

export const CAPTURED = join(import.meta.dirname, "../fixtures/captured");

/** the version a test reads when it names none (every version's: helpers/captures.ts) */
export const DRIVER_VERSIONS = { frr: "frr-8.4", bird: "bird-2.0.12" } as const;

const exits = new Map<string, Record<string, number>>();

/** the capture `file` of a daemon version */
export function capturedFile(daemon: "frr" | "bird", file: string, version: string = DRIVER_VERSIONS[daemon]): string {
  return join(CAPTURED, daemon, `${version}.${file}`);
}

/** exit codes of a daemon version's captures, as its README lists them */
export function capturedExit(daemon: "frr" | "bird", file: string, version: string = DRIVER_VERSIONS[daemon]): number {
  let m = exits.get(version);
  if (!m) {
    const readme = readFileSync(join(CAPTURED, daemon, `${version}.README.md`), "utf8");
    m = Object.fromEntries([...readme.matchAll(/^\| `([^`]+)` \| .* \| (\d+) \| [^|]* \|$/gm)].map((x) => [x[1]!, Number(x[2])]));
    exits.set(version, m);
  }
  const code = m[`${version}.${file}`];
  if (code === undefined) throw new Error(`${daemon}/${version}.${file} is not in the capture README`);
  return code;
}

export function captured(daemon: "frr" | "bird", file: string, version: string = DRIVER_VERSIONS[daemon]): ExecResult {
  return { code: capturedExit(daemon, file, version), stdout: readFileSync(capturedFile(daemon, file, version), "utf8"), stderr: "", durationMs: 1 } as ExecResult;
}

/**
 * `route` names the capture that answers a command (several: answers one after the other, as vtysh
 * prints them), from `version`'s captures
 */
export function replay(
  daemon: "frr" | "bird",
  route: (cmd: string, args: string[]) => string | string[] | undefined,
  version: string = DRIVER_VERSIONS[daemon],
): { exec: Exec; calls: string[]; argv: string[][] } {
  const calls: string[] = [];
  const argv: string[][] = [];
  const exec: Exec = async (cmd, args) => {
    calls.push(`${cmd.split("/").pop()} ${args.join(" ")}`);
    argv.push([cmd, ...args]);
    const f = route(cmd, [...args]);
    if (f === undefined) throw new Error(`unexpected command: ${cmd} ${args.join(" ")}`);
    const parts = (Array.isArray(f) ? f : [f]).map((x) => captured(daemon, x, version));
    return { ...parts[0]!, code: Math.max(...parts.map((p) => p.code ?? 0)), stdout: parts.map((p) => p.stdout).join("") };
  };
  return { exec, calls, argv };
}

/** the -c commands of a vtysh argv */
export const vtyshCmds = (args: string[]): string[] => args.flatMap((a, i) => (args[i - 1] === "-c" ? [a] : []));
