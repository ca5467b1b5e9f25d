// How svcroute learns the daemon's version: the running daemon's own word, asked once per daemon
// instance; its binary's when nothing runs; the oldest behaviour when neither answers.
import { describe, expect, it } from "vitest";
import { binaryVersion, cachedCapabilities, type VersionSources } from "../../../src/daemons/version-probe.js";
import { BASELINE, versionOf } from "../../../src/core/capabilities.js";
import type { Exec } from "../../../src/effects/exec.js";
import type { DaemonConfig } from "../../../src/manifest/types.js";
import { captured } from "../../helpers/captures.js";

function sources(o: { instance: () => string | null; running?: string; binary?: string }): VersionSources & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    instance: async () => {
      const i = o.instance();
      if (i === null) throw new Error("not running");
      return i;
    },
    running: async () => (asked.push("running"), o.running ? versionOf("bird", o.running) : null),
    binary: async () => (asked.push("binary"), o.binary ? versionOf("bird", o.binary) : null),
  };
}

describe("cachedCapabilities", () => {
  it("asks the running daemon once per instance, and again after a restart", async () => {
    let instance = "boot-1";
    let running = "2.17.6";
    const src = sources({ instance: () => instance, get running() { return running; }, binary: "2.0.12" });
    const caps = cachedCapabilities(src);
    expect((await caps()).birdAuthenticationOption).toBe(true);
    expect((await caps()).birdAuthenticationOption).toBe(true);
    expect(src.asked).toEqual(["running"]);
    // an upgrade: the daemon restarts as another version
    instance = "boot-2";
    running = "3.1.8";
    expect((await caps()).version?.text).toBe("3.1.8");
    expect(src.asked).toEqual(["running", "running"]);
  });

  it("asks the binary while nothing runs, every time (a daemon may start meanwhile)", async () => {
    const src = sources({ instance: () => null, binary: "2.17.6" });
    const caps = cachedCapabilities(src);
    expect((await caps()).version?.text).toBe("2.17.6");
    expect((await caps()).version?.text).toBe("2.17.6");
    expect(src.asked).toEqual(["binary", "binary"]);
  });

  it("a daemon that runs but will not say falls back to the binary; nothing at all is the oldest behaviour", async () => {
    expect((await cachedCapabilities(sources({ instance: () => "x", binary: "3.1.8" }))()).version?.text).toBe("3.1.8");
    expect(await cachedCapabilities(sources({ instance: () => null }))()).toBe(BASELINE);
  });
});

describe("binaryVersion", () => {
  const cfg = (type: "frr" | "bird") => ({ type, bgpd: "/usr/lib/frr/bgpd", bird: "/usr/sbin/bird" }) as DaemonConfig;
  const answering = (stdout: string, stderr = "", more: Partial<Awaited<ReturnType<Exec>>> = {}): Exec & { argv: string[][] } => {
    const argv: string[][] = [];
    const f = (async (file: string, args: readonly string[]) => (argv.push([file, ...args]), { code: 0, stdout, stderr, durationMs: 1, timedOut: false, notFound: false, ...more })) as Exec & { argv: string[][] };
    f.argv = argv;
    return f;
  };

  it("runs bgpd --version or bird --version and reads what they print (BIRD on stderr)", async () => {
    const frr = answering(captured("frr", "frr-10.3", "bgpd-version.txt"));
    expect((await binaryVersion(cfg("frr"), frr))?.text).toBe("10.3");
    expect(frr.argv).toEqual([["/usr/lib/frr/bgpd", "--version"]]);
    const bird = answering("", captured("bird", "bird-3.1", "bird-version.txt"));
    expect((await binaryVersion(cfg("bird"), bird))?.text).toBe("3.1.8");
    expect(bird.argv).toEqual([["/usr/sbin/bird", "--version"]]);
  });

  it("a missing or hanging binary is no version, not an error", async () => {
    expect(await binaryVersion(cfg("bird"), answering("", "", { notFound: true }))).toBeNull();
    expect(await binaryVersion(cfg("frr"), answering("", "", { timedOut: true }))).toBeNull();
  });
});
