// The process's output (src/io.ts): written whole and at once through a pipe, and a reader that
// has gone away ends the writing, not the command.
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
