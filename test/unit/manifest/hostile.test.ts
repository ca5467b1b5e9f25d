// Hostile input never crashes the loader and never yields a stack trace: every case becomes a
// located problem with a clear message.
import { execFileSync } from "node:child_process";
import { mkfifoSync } from "./fifo.js";
import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { loadManifest } from "../../../src/manifest/load.js";
import { tmpTree } from "../../helpers/tmp.js";
import { MINIMAL, loadText } from "./manifests.js";

async function only(text: string | Uint8Array) {
  const r = await loadText(text);
  expect(r.manifest).toBeUndefined();
  expect(r.problems.length).toBeGreaterThan(0);
  for (const p of r.problems) {
    expect(p.line).toBeGreaterThan(0);
    expect(p.col).toBeGreaterThan(0);
    expect(p.message).not.toMatch(/\n\s+at /); // no stack trace
  }
  return r;
}

describe("hostile files", () => {
  it("empty file", async () => {
    expect((await only("")).problems[0]!.message).toBe("file is empty");
  });
  it("only comments", async () => {
    expect((await only("# nothing here\n")).problems[0]!.message).toBe("file is empty");
  });
  it("binary garbage", async () => {
    const bytes = new Uint8Array(4096).map((_, i) => (i * 7919 + 13) % 256);
    expect((await only(bytes)).problems[0]!.message).toMatch(/not UTF-8|NUL byte/);
  });
  it("NUL byte inside text, located", async () => {
    const r = await only(MINIMAL.replace("router_id: 192.0.2.1", "router_id: 192.0.2.1\u0000"));
    expect(r.problems[0]).toMatchObject({ line: 5, message: expect.stringContaining("NUL byte") });
  });
  it.each([
    ["a list", "- a\n- b\n", "found a list"],
    ["a string", "hello\n", "found a string"],
    ["a number", "42\n", "found a number"],
  ])("non-mapping root: %s", async (_w, text, msg) => {
    expect((await only(text)).problems[0]!.message).toContain(msg);
  });
  it("duplicate keys, located with a hint", async () => {
    const r = await only(MINIMAL.replace("daemon: bird", "daemon: bird\ndaemon: frr"));
    expect(r.problems[0]).toMatchObject({ line: 3, message: expect.stringContaining("unique") });
    expect(r.problems[0]!.hint).toContain("once per mapping");
  });
  it("duplicate keys in JSON", async () => {
    const r = await only('{"version": 1, "version": 1}');
    expect(r.problems[0]!.message).toContain("unique");
  });
  it("YAML alias bomb (billion laughs)", async () => {
    const bomb = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 9; i++) {
      const prev = String.fromCharCode(96 + i);
      const cur = String.fromCharCode(97 + i);
      bomb.push(`${cur}: &${cur} [${Array(9).fill(`*${prev}`).join(",")}]`);
    }
    const t0 = performance.now();
    const r = await only(`${bomb.join("\n")}\n`);
    expect(r.problems[0]!.message).toContain("alias");
    expect(performance.now() - t0).toBeLessThan(5000);
  });
  it("a 10 MB file is refused before parsing", async () => {
    const r = await only(`${MINIMAL}# ${"x".repeat(10 * 1024 * 1024)}\n`);
    expect(r.problems[0]!.message).toMatch(/at most 1048576 bytes/);
  });
  it.each([
    ["flow", `${"[".repeat(5000)}${"]".repeat(5000)}`],
    ["block", Array.from({ length: 200 }, (_, i) => `${"  ".repeat(i)}k${i}:`).join("\n")],
    ["near the limit", "[".repeat(100_000)],
  ])("deeply nested input (%s)", async (_w, text) => {
    const r = await only(text);
    expect(r.problems[0]!.message).toMatch(/nesting|cannot parse|Flow|flow|unexpected|Missing|end/i);
  });
  it("CRLF line endings still locate problems", async () => {
    const r = await only(MINIMAL.replace("asn: 4200000101", "asn: 23456").replace(/\n/g, "\r\n"));
    expect(r.problems[0]).toMatchObject({ line: 4, path: "router.asn" });
  });
});

describe("hostile paths", () => {
  it("a FIFO is refused without blocking", async () => {
    const dir = tmpTree({});
    const fifo = join(dir, "svcroute.yaml");
    mkfifoSync(fifo);
    const r = await loadManifest(fifo);
    expect(r.problems[0]!.message).toContain("FIFO");
  });
  it("a FIFO among the drop-ins is refused", async () => {
    const dir = tmpTree({ "svcroute.yaml": MINIMAL, "services.d/.keep": "" });
    mkfifoSync(join(dir, "services.d", "x.yaml"));
    const r = await loadManifest(join(dir, "svcroute.yaml"));
    expect(r.problems[0]).toMatchObject({ file: join(dir, "services.d", "x.yaml"), message: expect.stringContaining("FIFO") });
  });
  it.each(["/dev/zero", "/proc/self/status", "/dev/urandom"])("a symlink to %s is refused or harmless", async (target) => {
    const dir = tmpTree({});
    symlinkSync(target, join(dir, "svcroute.yaml"));
    const r = await loadManifest(join(dir, "svcroute.yaml"));
    expect(r.manifest).toBeUndefined();
    expect(r.problems[0]!.message).toMatch(/not a regular file|is not UTF-8|top level|empty|cannot parse|mapping|is missing/);
  });
  it("a directory", async () => {
    const dir = tmpTree({ "svcroute.yaml/x": "" });
    const r = await loadManifest(join(dir, "svcroute.yaml"));
    expect(r.problems[0]!.message).toMatch(/directory|not a regular file/);
    expect(r.stage).toBe("io");
  });
  it("a missing file says how to point elsewhere", async () => {
    const r = await loadManifest("/nonexistent/svcroute.yaml");
    expect(r.problems[0]).toMatchObject({ message: "file not found", hint: expect.stringContaining("--manifest") });
    expect(r.stage).toBe("io");
  });
  it("an unreadable file (as an unprivileged user)", async () => {
    const dir = tmpTree({ "svcroute.yaml": MINIMAL });
    const file = join(dir, "svcroute.yaml");
    execFileSync("chmod", ["0755", dir]);
    let problems: { message: string }[];
    if (process.getuid?.() === 0) {
      // root reads every file: the loader runs as nobody
      execFileSync("chmod", ["0600", file]);
      const script = `import("${join(process.cwd(), "src/manifest/load.ts")}").then(async (m) => { const r = await m.loadManifest(${JSON.stringify(file)}); console.log(JSON.stringify(r.problems)); })`;
      problems = JSON.parse(execFileSync("setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", process.execPath, "--import", "tsx", "-e", script], { encoding: "utf8" }));
    } else {
      execFileSync("chmod", ["0000", file]);
      problems = (await loadManifest(file)).problems;
    }
    expect(problems[0]!.message).toBe("permission denied");
  });
});

// Every string field of a manifest that uses every feature, each replaced by hostile text.
const FULL = `version: 1
daemon: {type: frr, config_file: /etc/frr/frr.conf, socket: /var/run/frr, vtysh: /usr/bin/vtysh, frr_reload: /usr/lib/frr/frr-reload.py, bgpd: /usr/lib/frr/bgpd, bird: /usr/sbin/bird, birdc: /usr/sbin/birdc, route_map_delay: 1s, log_file: /var/log/frr/bgp.log}
router: {asn: 4200000101, router_id: 192.0.2.1}
peers:
  - {name: tor1, address: 169.254.0.1, remote_asn: 65000, local_address: 169.254.0.2, password_file: /etc/svcroute/p, bfd: {interval: 100ms}, timers: {keepalive: 3s}}
  - {name: tor2, interface: eth1, remote_asn: external, families: [ipv4, ipv6]}
policy: {allowed_prefixes: [192.0.2.0/24], accept: default-only}
services:
  - name: web
    prefixes: [192.0.2.80/32]
    checks:
      - {type: exec, name: ex, command: [/bin/true, arg], user: nobody, group: nogroup, env: {K: v}, cwd: /tmp}
      - {type: http, url: "http://127.0.0.1/", method: GET, body_regex: ok, host_header: www.example.org}
      - {type: tcp, host: 127.0.0.1, port: 80, send: hi, expect: ho}
      - {type: file, path: /tmp/x, healthy_when: absent}
    interval: 2s
    communities: ["65000:1"]
    deprefer: {communities: ["65000:2"]}
    on_failure: deprefer
addresses: {interface: lo}
maintenance: {drain_file: /etc/svcroute/drain, drain_wait: 30s}
supervisor: {status_socket: /run/svcroute/s.sock, metrics_listen: "127.0.0.1:9473", state_dir: /var/lib/svcroute, on_stop: keep}
`;

/** string leaves that are free text by design: they never reach a routing config */
const FREE_TEXT = /^services\.\d+\.checks\.\d+\.(command\.\d+|env\.\w+|body_regex|send|expect)$/;

function stringLeaves(v: unknown, path: string[] = []): string[][] {
  if (typeof v === "string") return [path];
  if (v && typeof v === "object") return Object.entries(v).flatMap(([k, x]) => stringLeaves(x, [...path, k]));
  return [];
}

const HOSTILE = ["x\nprotocol static evil { }", "x;", "x }", "x {", 'x"', "x'", "x!", "x#", "x\u2028y", "x\u0000", "x\\", "x y", "a".repeat(5000), "$(reboot)", "`id`", "x\r\n!"];

describe("injection corpus in every string field", () => {
  const base = parse(FULL);
  it("the base manifest is valid", async () => expect((await loadText(FULL)).problems).toEqual([]));
  const leaves = stringLeaves(base).filter((p) => p[0] !== "version");
  it("covers every kind of string field", () => expect(leaves.length).toBeGreaterThan(40));
  for (const leaf of leaves) {
    const path = leaf.join(".");
    it(path, async () => {
      for (const bad of HOSTILE) {
        const copy = structuredClone(base) as Record<string | number, unknown>;
        let o = copy;
        for (const k of leaf.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
        o[leaf[leaf.length - 1]!] = bad;
        const r = await loadText(JSON.stringify(copy));
        const controlChar = /[\x00-\x1f\u2028]/.test(bad) && !(/send|expect/.test(path) && !/[\x00\u2028]/.test(bad));
        if (FREE_TEXT.test(path) && !controlChar && bad.length <= 1024) continue; // may be accepted: never rendered
        expect(r.manifest, `${path} = ${JSON.stringify(bad).slice(0, 40)} was accepted`).toBeUndefined();
        expect(r.problems.some((p) => p.path === path || path.startsWith(`${p.path}.`) || p.path.startsWith(path)), `${path}: ${JSON.stringify(r.problems)}`).toBe(true);
      }
    });
  }
});

describe("who may write the manifest", () => {
  it("a world-writable manifest is refused (anyone could change what the host announces)", async () => {
    const dir = tmpTree({ "svcroute.yaml": MINIMAL });
    execFileSync("chmod", ["0666", join(dir, "svcroute.yaml")]);
    const r = await loadManifest(join(dir, "svcroute.yaml"));
    expect(r.manifest).toBeUndefined();
    expect(r.problems[0]).toMatchObject({ message: expect.stringContaining("writable by every user"), hint: expect.stringContaining("chmod 0644 ") });
  });
  it("so is a world-writable drop-in directory", async () => {
    const dir = tmpTree({ "svcroute.yaml": MINIMAL, "services.d/a.yaml": "services: []\n" });
    execFileSync("chmod", ["0777", join(dir, "services.d")]);
    const r = await loadManifest(join(dir, "svcroute.yaml"));
    expect(r.problems[0]?.message).toContain("drop-in directory is writable by every user");
  });
});
