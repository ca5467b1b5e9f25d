// Writes captured outputs verbatim and remembers how each was produced, for the README.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "./exec.js";

export interface Captured {
  file: string;
  command: string;
  where: string;
  exit: number;
  note: string;
}

export class Recorder {
  readonly entries: Captured[] = [];

  constructor(readonly dir: string) {}

  /** Empties the directory so that no stale capture survives a re-run. */
  reset(): void {
    mkdirSync(this.dir, { recursive: true });
    for (const f of readdirSync(this.dir)) rmSync(join(this.dir, f), { force: true });
  }

  save(file: string, output: string, how: Omit<Captured, "file">): void {
    writeFileSync(join(this.dir, file), output);
    this.entries.push({ file, ...how });
  }

  /** Runs a command with stderr merged into stdout (as a terminal would show it) and saves it. */
  async command(file: string, argv: [string, ...string[]], how: { where: string; note: string; shown?: string; input?: string }): Promise<number> {
    const r = await run("sh", ["-c", '"$@" 2>&1', "sh", ...argv], { allowFail: true, input: how.input ?? "" });
    this.save(file, r.stdout, { command: how.shown ?? argv.join(" "), where: how.where, exit: r.code, note: how.note });
    return r.code;
  }
}
