// Writes captured outputs verbatim and remembers how each was produced, for the README.
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
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

  /** `prefix` starts every file name, e.g. "frr-10.3." (the daemon and version that printed it) */
  constructor(
    readonly dir: string,
    readonly prefix = "",
  ) {}

  /** Removes this recorder's files (its prefix's), so that no stale capture survives a re-run. */
  reset(): void {
    mkdirSync(this.dir, { recursive: true });
    for (const f of readdirSync(this.dir)) if (f.startsWith(this.prefix)) rmSync(join(this.dir, f), { force: true });
  }

  save(file: string, output: string, how: Omit<Captured, "file">): void {
    writeFileSync(join(this.dir, this.prefix + file), output);
    this.entries.push({ file: this.prefix + file, ...how });
  }

  /** Runs a command with stderr merged into stdout (as a terminal would show it) and saves it. */
  async command(file: string, argv: [string, ...string[]], how: { where: string; note: string; shown?: string; input?: string }): Promise<number> {
    const r = await run("sh", ["-c", '"$@" 2>&1', "sh", ...argv], { allowFail: true, input: how.input ?? "" });
    // a program by its name: a daemon set's chroot wrapper (<run>/bin/<root>/birdc) is the program it runs
    const shown = how.shown ?? [basename(argv[0]), ...argv.slice(1)].join(" ");
    this.save(file, r.stdout, { command: shown, where: how.where, exit: r.code, note: how.note });
    return r.code;
  }
}
