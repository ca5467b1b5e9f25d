import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main, type Io } from "../../../src/cli.js";
import { validateWithDaemon } from "../../../src/commands/check-daemon.js";
import { renderCommand } from "../../../src/commands/render.js";
import { parseBirdVersion } from "../../../src/daemons/versions.js";
import { BASELINE, capabilitiesOf } from "../../../src/core/capabilities.js";
import { FIXTURES, fakeSecretReader, loadFixture } from "../../golden/support.js";

function capture(): Io & { outText: () => string; errText: () => string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out: (t) => void out.push(t),
    err: (t) => void err.push(t),
    isTTY: false,
    env: {},
    outText: () => out.join(""),
    errText: () => err.join("\n"),
  };
}

const dir = mkdtempSync(join(tmpdir(), "svcroute-render-cmd-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fixture = (n: string) => join(FIXTURES, `${n}.yaml`);

describe("svcroute render", () => {
  it("prints the manifest's daemon config by default, the other with --daemon", async () => {
    const io = capture();
    expect(await main(["render", "-m", fixture("minimal"), "--drop-ins", "none"], io)).toBe(0);
    expect(io.outText()).toMatch(/^# svcroute-managed manifest=/);
    expect(io.outText()).toContain("protocol static svc4_dns {");
    const io2 = capture();
    expect(await main(["render", "-m", fixture("minimal"), "--drop-ins", "none", "--daemon", "frr"], io2)).toBe(0);
    expect(io2.outText()).toContain("router bgp 4200000101");
    expect(await main(["render", "-m", fixture("minimal"), "--daemon", "quagga"], capture())).toBe(2);
  });

  it("renders a --health file, in both forms", async () => {
    const h = join(dir, "h.json");
    writeFileSync(h, '{"dns": "down"}');
    const io = capture();
    expect(await main(["render", "-m", fixture("minimal"), "--drop-ins", "none", "--health", h], io)).toBe(0);
    expect(io.outText()).toContain("protocol static svc4_dns {\n  disabled yes;");
    writeFileSync(h, '{"services": {}, "drained": ["dns"]}');
    const io2 = capture();
    expect(await main(["render", "-m", fixture("minimal"), "--drop-ins", "none", "--daemon", "frr", "--health", h], io2)).toBe(0);
    expect(io2.outText()).toMatch(/^ {2}network 192\.0\.2\.53\/32 route-map SVCR-GSHUT-[0-9A-F]{10}$/m);
  });

  it("fails with E_HEALTH_FILE (exit 3) naming the file and key", async () => {
    const h = join(dir, "bad.json");
    writeFileSync(h, '{"services": {"dns": "maybe"}}');
    const io = capture();
    expect(await main(["render", "-m", fixture("minimal"), "--drop-ins", "none", "--health", h], io)).toBe(3);
    expect(io.errText()).toContain(`error E_HEALTH_FILE: ${h}: services.dns:`);
    const io2 = capture();
    expect(await main(["render", "-m", fixture("minimal"), "--drop-ins", "none", "--health", join(dir, "missing.json")], io2)).toBe(3);
    expect(io2.errText()).toContain("file not found");
  });

  it("masks passwords without --show-secrets (and does not read the files)", async () => {
    const io = capture();
    let reads = 0;
    const deps = { readSecret: async (p: string) => (reads++, fakeSecretReader(p)), readHealth: async () => "{}", capabilities: async () => BASELINE };
    expect(await renderCommand(io, { manifest: fixture("passwords-gtsm"), dropIns: "none" }, deps)).toBe(0);
    expect(reads).toBe(0);
    expect(io.outText()).toContain(" neighbor 169.254.1.1 password <secret>");
    const io2 = capture();
    expect(await renderCommand(io2, { manifest: fixture("passwords-gtsm"), dropIns: "none", showSecrets: true }, deps)).toBe(0);
    expect(reads).toBe(2);
    expect(io2.outText()).toContain(" neighbor 169.254.1.1 password Tor1-md5.key$2024");
    expect(io2.outText()).not.toContain("MASKED");
  });

  it("renders for the version of the installed daemon: BIRD 2.17 names the password's algorithm, 2.0 cannot", async () => {
    const asked: string[] = [];
    const withVersion = (v: string) => ({
      readSecret: fakeSecretReader,
      readHealth: async () => "{}",
      capabilities: async (d: { type: string; bird: string }) => (asked.push(`${d.type} ${d.bird}`), capabilitiesOf(parseBirdVersion(`BIRD version ${v}`))),
    });
    const io = capture();
    expect(await renderCommand(io, { manifest: fixture("passwords-gtsm"), dropIns: "none", daemon: "bird" }, withVersion("2.17.6"))).toBe(0);
    expect(io.outText()).toMatch(/^ {2}password "<secret>";\n {2}authentication md5;$/m);
    expect(asked).toEqual(["bird /usr/sbin/bird"]);
    const io2 = capture();
    expect(await renderCommand(io2, { manifest: fixture("passwords-gtsm"), dropIns: "none", daemon: "bird" }, withVersion("2.0.12"))).toBe(0);
    expect(io2.outText()).toContain('  password "<secret>";');
    expect(io2.outText()).not.toContain("authentication");
  });

  it("refuses to render BIRD for an unnumbered manifest (E_RENDER, exit 4)", async () => {
    const io = capture();
    expect(await main(["render", "-m", fixture("unnumbered"), "--drop-ins", "none", "--daemon", "bird"], io)).toBe(4);
    expect(io.errText()).toMatch(/E_RENDER.*unnumbered/);
  });
});

describe("svcroute check --with-daemon", () => {
  it("passes a good manifest through the real parser", async () => {
    const io = capture();
    expect(await main(["check", "--with-daemon", "-m", fixture("minimal"), "--drop-ins", "none"], io)).toBe(0);
    expect(io.outText()).toMatch(/daemon +the rendered config passes bird -p/);
    const io2 = capture();
    expect(await main(["check", "--with-daemon", "--json", "-m", fixture("daemon-options"), "--drop-ins", "none"], io2)).toBe(0);
    expect((JSON.parse(io2.outText()) as { daemon_check: unknown }).daemon_check).toMatchObject({ ok: true, judges: ["vtysh -C", "bgpd -C"] });
  });

  it("validateWithDaemon returns the real text, and E_DAEMON_MISSING when the parser is absent", async () => {
    const { manifest } = loadFixture("passwords-gtsm");
    const r = await validateWithDaemon(manifest, { readSecret: fakeSecretReader });
    expect(r.ok).toBe(true);
    expect(r.text).toContain("password Tor1-md5.key$2024");
    const gone = { ...manifest, daemon: { ...manifest.daemon, vtysh: "/nonexistent/vtysh" } };
    await expect(validateWithDaemon(gone, { readSecret: fakeSecretReader })).rejects.toMatchObject({ code: "E_DAEMON_MISSING" });
  });

  it("validateWithDaemon throws E_DAEMON_REJECTED with the parser's file:line output", async () => {
    const { manifest } = loadFixture("minimal");
    const exec = async () => ({ code: 1, stdout: "", stderr: "bird: /tmp/svcroute-check-x/bird.conf:12:3 syntax error, unexpected CF_SYM_UNDEFINED\n", durationMs: 1, timedOut: false, notFound: false });
    const err = await validateWithDaemon(manifest, { exec }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "E_DAEMON_REJECTED" });
    expect((err as { details: string }).details).toContain("syntax error");
  });

  it("a parser that does not finish in time is E_TIMEOUT, not a rejection (a large config is slow, not wrong)", async () => {
    const { manifest } = loadFixture("minimal");
    const exec = async () => ({ code: null, stdout: "", stderr: "", durationMs: 120_000, timedOut: true, notFound: false });
    await expect(validateWithDaemon(manifest, { exec })).rejects.toMatchObject({ code: "E_TIMEOUT", message: expect.stringMatching(/did not finish judging/) });
  });

  it("a parser killed before its verdict (e.g. by the OOM killer) is a transient error, not a rejection", async () => {
    const { manifest } = loadFixture("minimal");
    const exec = async () => ({ code: null, stdout: "", stderr: "", durationMs: 900, timedOut: false, notFound: false, error: "Command was killed with SIGKILL (Forced termination)" });
    await expect(validateWithDaemon(manifest, { exec })).rejects.toMatchObject({ code: "E_DAEMON_UNAVAILABLE", message: expect.stringMatching(/could not judge the config: Command was killed with SIGKILL/) });
  });
});
