import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { acquireLock, lockHeld, lockHolder } from "../../../src/supervisor/lock.js";

const dir = () => `/tmp/svcroute-lock-test-${process.pid}-${Math.random()}`;

describe("supervisor lock", () => {
  it("is exclusive and released on release()", async () => {
    const d = dir();
    expect(await lockHeld(d)).toBe(false);
    const a = await acquireLock(d);
    expect(await lockHeld(d)).toBe(true);
    await expect(acquireLock(d)).rejects.toMatchObject({ code: "E_LOCKED" });
    await a.release();
    expect(await lockHeld(d)).toBe(false);
    const b = await acquireLock(d);
    await b.release();
  });

  it("is released by the kernel when its holder is killed with SIGKILL", async () => {
    const d = dir();
    const name = JSON.stringify(d);
    const child = spawn(process.execPath, ["--import", "tsx", "-e", `import("${process.cwd()}/src/supervisor/lock.ts").then(async (m) => { await m.acquireLock(${name}); console.log("held"); setInterval(() => {}, 1000); })`], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((r) => child.stdout.once("data", () => r()));
    expect(await lockHeld(d)).toBe(true);
    await expect(acquireLock(d)).rejects.toMatchObject({ code: "E_LOCKED" });
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    expect(await lockHeld(d)).toBe(false);
    await (await acquireLock(d)).release();
  });

  it("the holder answers with its pid; nobody answers once it is released", async () => {
    const d = dir();
    expect(await lockHolder(d, 200)).toBeUndefined();
    const a = await acquireLock(d);
    expect(await lockHolder(d)).toBe(process.pid);
    await a.release();
    expect(await lockHolder(d, 200)).toBeUndefined();
  });

  it("a holder killed with SIGKILL never answers, even while the kernel still accepts connections on its socket", async () => {
    const d = dir();
    const name = JSON.stringify(d);
    const child = spawn(process.execPath, ["--import", "tsx", "-e", `import("${process.cwd()}/src/supervisor/lock.ts").then(async (m) => { await m.acquireLock(${name}); console.log("held"); setInterval(() => {}, 1000); })`], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((r) => child.stdout.once("data", () => r()));
    expect(await lockHolder(d)).toBe(child.pid);
    child.kill("SIGKILL");
    // from the kill on, in a tight loop: never the dead holder's pid
    const seen = new Set<number | undefined>();
    const until = Date.now() + 300;
    while (Date.now() < until) seen.add(await lockHolder(d, 100));
    expect([...seen]).toEqual([undefined]);
  });
});
