// SIGTERM while a daemon command runs must stop the supervisor gracefully. execa (through
// signal-exit) listens for SIGTERM while a child runs and re-raises it when it finds itself the
// only listener — which it is after a process.once listener has removed itself. Each case runs in
// its own node process, which sends itself SIGTERM while `sleep` runs under execa.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";
import { tmpTree } from "../../helpers/tmp.js";

const ROOT = resolve(import.meta.dirname, "../../..");

function runCase(mode: "once" | "stopSignals"): { status: number | null; signal: string | null; stdout: string } {
  const dir = tmpTree({});
  const script = join(dir, "case.mts");
  const url = (p: string) => pathToFileURL(join(ROOT, p)).href;
  writeFileSync(
    script,
    `import { execa } from ${JSON.stringify(url("node_modules/execa/index.js"))};
import { stopSignals } from ${JSON.stringify(url("src/supervisor/supervisor.ts"))};
const signal = ${mode === "once" ? 'new Promise((r) => process.once("SIGTERM", () => r("SIGTERM")))' : "stopSignals().signal"};
const child = execa("sleep", ["5"]);
child.catch(() => undefined);
setTimeout(() => process.kill(process.pid, "SIGTERM"), 300);
const why = await signal;
console.log("graceful stop on " + why);
child.kill();
process.exit(0);
`,
  );
  const r = spawnSync(process.execPath, ["--import", "tsx", script], { cwd: ROOT, encoding: "utf8", timeout: 20_000 });
  return { status: r.status, signal: r.signal, stdout: r.stdout };
}

describe("stop signals", () => {
  it("process.once loses to signal-exit: SIGTERM during a daemon command kills the process (the hazard)", () => {
    const r = runCase("once");
    expect(r.signal).toBe("SIGTERM");
    expect(r.stdout).not.toMatch(/graceful stop/);
  }, 30_000);

  it("stopSignals() keeps its listener: the same SIGTERM is a graceful stop", () => {
    const r = runCase("stopSignals");
    expect(r.stdout).toMatch(/graceful stop on SIGTERM/);
    expect(r.status).toBe(0);
  }, 30_000);
});
