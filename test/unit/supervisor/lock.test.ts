import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { acquireLock, lockHeld } from "../../../src/supervisor/lock.js";

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
    await new Promise<void>((r) => child.stdout!.once("data", () => r()));
    expect(await lockHeld(d)).toBe(true);
    await expect(acquireLock(d)).rejects.toMatchObject({ code: "E_LOCKED" });
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    expect(await lockHeld(d)).toBe(false);
    await (await acquireLock(d)).release();
  });
});
