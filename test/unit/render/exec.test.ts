import { describe, expect, it } from "vitest";
import { exec } from "../../../src/effects/exec.js";

describe("exec", () => {
  it("returns code, stdout and stderr without a shell", async () => {
    const r = await exec("/bin/sh", ["-c", 'echo out; echo err >&2; exit 3']);
    expect(r).toMatchObject({ code: 3, stdout: "out\n", stderr: "err\n", timedOut: false, notFound: false });
    const noShell = await exec("/bin/echo", ["a;b", "$(x)"]);
    expect(noShell.stdout).toBe("a;b $(x)\n");
  });

  it("reports a missing program as notFound", async () => {
    const r = await exec("/nonexistent/prog", []);
    expect(r).toMatchObject({ code: null, notFound: true });
  });

  it("kills a program at its timeout", async () => {
    const r = await exec("/bin/sleep", ["5"], { timeoutMs: 100 });
    expect(r.timedOut).toBe(true);
    expect(r.code).toBeNull();
    expect(r.durationMs).toBeLessThan(3000);
  });

  it("runs children in / unless told otherwise: the caller's directory may not exist where they run (PrivateTmp)", async () => {
    expect((await exec("/bin/pwd", [])).stdout).toBe("/\n");
    expect((await exec("/bin/pwd", [], { cwd: "/tmp" })).stdout).toBe("/tmp\n");
  });

  it("passes stdin", async () => {
    expect((await exec("/bin/cat", [], { input: "hello" })).stdout).toBe("hello");
  });
});
