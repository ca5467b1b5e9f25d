// status finds the supervisor's socket with a narrow read of the manifest: the files read and
// trust-checked as for `check`, only `supervisor.status_socket` looked at.
import { chmodSync, existsSync, readlinkSync, symlinkSync } from "node:fs";
import { createServer } from "node:net";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { mayNameSocket, resolveSocket } from "../../../src/commands/socket-path.js";
import { forgetSocket, recordSocket, socketRecordPath } from "../../../src/effects/socket-record.js";
import { DEFAULTS } from "../../../src/manifest/defaults.js";
import { tmpTree } from "../../helpers/tmp.js";
import { MINIMAL } from "../manifest/manifests.js";

const withSocket = (text: string, socket: string) => `${text}supervisor:\n  status_socket: ${socket}\n`;
const socketOf = async (dir: string) => (await resolveSocket({}, { manifest: join(dir, "svcroute.yaml") })).socket;

describe("status socket from the manifest", () => {
  it("the manifest's, or a drop-in's when that file defines supervisor:", async () => {
    expect(await socketOf(tmpTree({ "svcroute.yaml": withSocket(MINIMAL, "/run/a/s.sock") }))).toBe("/run/a/s.sock");
    expect(await socketOf(tmpTree({ "svcroute.yaml": MINIMAL, "services.d/x.yaml": withSocket("", "/run/b/s.sock") }))).toBe("/run/b/s.sock");
    expect(await socketOf(tmpTree({ "svcroute.yaml": MINIMAL }))).toBe(DEFAULTS.supervisor.statusSocket);
  });

  it("the default where the manifest could not name one: two supervisor: blocks, a path the schema refuses, an unreadable or untrusted file", async () => {
    expect(await socketOf(tmpTree({ "svcroute.yaml": withSocket(MINIMAL, "/run/a/s.sock"), "services.d/x.yaml": withSocket("", "/run/b/s.sock") }))).toBe(DEFAULTS.supervisor.statusSocket);
    expect(await socketOf(tmpTree({ "svcroute.yaml": withSocket(MINIMAL, "run/a/s.sock") }))).toBe(DEFAULTS.supervisor.statusSocket);
    expect(await socketOf(tmpTree({ "svcroute.yaml": withSocket(MINIMAL, "/run/../etc/s.sock") }))).toBe(DEFAULTS.supervisor.statusSocket);
    expect(await socketOf(tmpTree({ "svcroute.yaml": `${withSocket(MINIMAL, "/run/a/s.sock")}  status_socket: /run/c/s.sock\n` }))).toBe(DEFAULTS.supervisor.statusSocket);
    expect(await socketOf(tmpTree({ "other.yaml": MINIMAL }))).toBe(DEFAULTS.supervisor.statusSocket);
    const dir = tmpTree({ "svcroute.yaml": withSocket(MINIMAL, "/run/a/s.sock") });
    chmodSync(join(dir, "svcroute.yaml"), 0o666);
    expect(await socketOf(dir)).toBe(DEFAULTS.supervisor.statusSocket);
  });

  it("a key spelled with an escape names it too; a manifest whose files cannot name it is not parsed, and has the default", async () => {
    expect(await socketOf(tmpTree({ "svcroute.yaml": `${MINIMAL}supervisor:\n  "status\\x5fsocket": /run/e/s.sock\n` }))).toBe("/run/e/s.sock");
    expect(await socketOf(tmpTree({ "svcroute.yaml": MINIMAL, "services.d/x.json": '{"supervisor": {"status\\u005fsocket": "/run/f/s.sock"}}' }))).toBe("/run/f/s.sock");
    expect(mayNameSocket(MINIMAL)).toBe(false);
    expect(await socketOf(tmpTree({ "svcroute.yaml": `${MINIMAL}supervisor: [unclosed\n` }))).toBe(DEFAULTS.supervisor.statusSocket);
  });

  it("a manifest with a problem elsewhere still names its socket; --socket wins over all", async () => {
    const dir = tmpTree({ "svcroute.yaml": withSocket(MINIMAL.replace("version: 1", "version: 2"), "/run/a/s.sock") });
    expect(await socketOf(dir)).toBe("/run/a/s.sock");
    expect((await resolveSocket({}, { manifest: join(dir, "svcroute.yaml"), socket: "/tmp/x.sock" })).socket).toBe("/tmp/x.sock");
  });
});

describe("the socket a running supervisor recorded for its manifest", () => {
  /** a real listening unix socket in a fresh directory, and an env whose runtime directory exists */
  const listening = async () => {
    const dir = tmpTree({ "run/.keep": "" });
    const socket = join(dir, "s.sock");
    const server = createServer();
    await new Promise<void>((r) => server.listen(socket, r));
    return { dir, socket, env: { SVCROUTE_RUNTIME_DIR: join(dir, "run") }, close: () => new Promise<void>((r) => server.close(() => r())) };
  };

  it("wins over the manifest, also one that does not parse or names another socket", async () => {
    const l = await listening();
    const m = tmpTree({ "svcroute.yaml": `${withSocket(MINIMAL, "/run/a/s.sock")}services: [unclosed\n` });
    const path = join(m, "svcroute.yaml");
    expect((await resolveSocket(l.env, { manifest: path })).socket).toBe(DEFAULTS.supervisor.statusSocket);
    const record = await recordSocket(l.env, path, l.socket);
    expect(record).toBe(await socketRecordPath(l.env, path));
    expect(readlinkSync(record!)).toBe(l.socket);
    expect((await resolveSocket(l.env, { manifest: path })).socket).toBe(l.socket);
    // the same file by a relative path and through a symlink
    symlinkSync(path, join(m, "link.yaml"));
    expect((await resolveSocket(l.env, { manifest: join(m, "link.yaml") })).socket).toBe(l.socket);
    expect((await resolveSocket(l.env, { manifest: relative(process.cwd(), path) })).socket).toBe(l.socket);
    // --socket still wins
    expect((await resolveSocket(l.env, { manifest: path, socket: "/tmp/x.sock" })).socket).toBe("/tmp/x.sock");
    await l.close();
  });

  it("wins over a manifest that parses and names another socket", async () => {
    const l = await listening();
    const path = join(tmpTree({ "svcroute.yaml": withSocket(MINIMAL, "/run/x.sock") }), "svcroute.yaml");
    expect((await resolveSocket(l.env, { manifest: path })).socket).toBe("/run/x.sock");
    await recordSocket(l.env, path, l.socket);
    expect((await resolveSocket(l.env, { manifest: path })).socket).toBe(l.socket);
    await l.close();
  });

  it("a record whose socket is gone is passed over; forgetting removes only a record that still names ours", async () => {
    const l = await listening();
    const m = tmpTree({ "svcroute.yaml": withSocket(MINIMAL, "/run/a/s.sock") });
    const path = join(m, "svcroute.yaml");
    const record = (await recordSocket(l.env, path, l.socket))!;
    await forgetSocket(record, "/run/other.sock");
    expect(existsSync(record)).toBe(true);
    await l.close();
    expect(existsSync(l.socket)).toBe(false);
    expect((await resolveSocket(l.env, { manifest: path })).socket).toBe("/run/a/s.sock");
    await forgetSocket(record, l.socket);
    expect(existsSync(record)).toBe(false);
  });

  it("nothing is recorded where the runtime directory does not exist", async () => {
    const m = tmpTree({ "svcroute.yaml": MINIMAL });
    const env = { SVCROUTE_RUNTIME_DIR: join(m, "absent") };
    expect(await recordSocket(env, join(m, "svcroute.yaml"), join(m, "s.sock"))).toBeUndefined();
    expect(existsSync(join(m, "absent"))).toBe(false);
  });
});
