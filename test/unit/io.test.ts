// The process's output (src/io.ts): the short-lived commands' written whole and at once through a
// pipe, a reader that has gone away ending the writing, not the command; the long-running
// commands' buffered, so a reader that stalls never stops their event loop.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildSync } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let dir: string;
let io: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "svcroute-test-"));
  io = join(dir, "io.cjs");
  buildSync({ entryPoints: [join(import.meta.dirname, "../../src/io.ts")], outfile: io, bundle: true, platform: "node", format: "cjs", target: "node18", logLevel: "error" });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** a node process writing `lines` lines of 100 bytes through processIo.out, then exiting 7 */
const writer = (lines: number) => `const { processIo } = require(${JSON.stringify(io)});
for (let i = 0; i < ${lines}; i++) processIo.out(String(i).padStart(99, "."));
process.exitCode = 7;`;

describe("processIo", () => {
  it("writes a megabyte through a pipe whole, in order, before the process exits", () => {
    const r = spawnSync(process.execPath, ["-e", writer(10_000)], { encoding: "utf8", maxBuffer: 1 << 24 });
    expect(r.status).toBe(7);
    const lines = r.stdout.split("\n");
    expect(lines).toHaveLength(10_001);
    expect(lines[9_999]).toBe("9999".padStart(99, "."));
    expect(r.stderr).toBe("");
  });

  it("stops writing when the reader has gone (EPIPE), and the command keeps its exit code", async () => {
    const p = spawn(process.execPath, ["-e", writer(100_000)], { stdio: ["ignore", "pipe", "pipe"] });
    let err = "";
    p.stderr.on("data", (d: Buffer) => (err += String(d)));
    // read the first piece, then close the pipe's only read end
    await new Promise<void>((resolve) => p.stdout.once("data", () => resolve()));
    p.stdout.destroy();
    const code = await new Promise<number | null>((resolve) => p.on("exit", (c) => resolve(c)));
    expect(code).toBe(7);
    expect(err).toBe("");
  });

  it("makes no stdout stream: a pipe's would be a socket, and loading node:net costs every command's start-up", () => {
        // told through the descriptor: process.stderr, a pipe too, would load it
    const loaded = (m: string) => `require("node:fs").writeSync(2, String(process.moduleLoadList.includes("NativeModule ${m}")))`;
    const r = spawnSync(process.execPath, ["-e", `const { processIo } = require(${JSON.stringify(io)}); processIo.out("x"); ${loaded("net")}`], { encoding: "utf8" });
    expect(r.stdout).toBe("x\n");
    expect(r.stderr).toBe("false");
    // what Node's own stdout does through the same pipe
    expect(spawnSync(process.execPath, ["-e", `process.stdout.write("x\\n"); ${loaded("net")}`], { encoding: "utf8" }).stderr).toBe("true");
  });

});

/** a node process writing 300 kB through `which` with nobody reading it, then saying "tick" on stderr from a timer; resolves with what stderr said within `ms` */
async function ticksWhileStalled(which: "processIo" | "streamIo", ms: number): Promise<string> {
  const js = `const io = require(${JSON.stringify(io)}).${which};
setTimeout(() => { require("node:fs").writeSync(2, "tick"); process.exit(0); }, 50);
for (let i = 0; i < 3000; i++) io.out(String(i).padStart(99, "."));`;
  // stdout is a pipe no one reads: it fills at 64 kB
  const p = spawn(process.execPath, ["-e", js], { stdio: ["ignore", "pipe", "pipe"] });
  p.stdout.pause();
  let err = "";
  p.stderr.on("data", (d: Buffer) => (err += String(d)));
  await new Promise<void>((resolve) => {
    const t = setTimeout(resolve, ms);
    p.on("exit", () => {
      clearTimeout(t);
      resolve();
    });
  });
  p.kill("SIGKILL");
  return err;
}

describe("streamIo (run, the guard, withdraw)", () => {
  it("a reader that stalls does not stop the event loop: the timers still run", async () => {
    expect(await ticksWhileStalled("streamIo", 10_000)).toBe("tick");
    // what the short-lived commands' output does: it waits for the reader
    expect(await ticksWhileStalled("processIo", 1_000)).toBe("");
  });

  it("is what a long-running command gets in place of processIo; a test's own Io is kept", async () => {
    const { longRunning, processIo, streamIo } = await import("../../src/io.js");
    expect(longRunning(processIo)).toBe(streamIo);
    const mine = { ...processIo };
    expect(longRunning(mine)).toBe(mine);
  });
});

