// Client commands as real unprivileged users. `svcroute drain` as an operator, who may reach the
// supervisor's socket (its group) but not write the supervisor's state directory: the drain goes
// through the socket; the client writes the state itself only when no supervisor runs and it
// may. `status --nagios` as a user the socket refuses. Switching to `nobody` takes root: as any
// other user these tests are reported skipped.
import { execFile } from "node:child_process";
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { changeDrain } from "../../../src/supervisor/drain.js";
import { startStatusServer } from "../../../src/supervisor/status-server.js";
import { sampleStatus } from "../../helpers/status-fixture.js";
import { tmpTree } from "../../helpers/tmp.js";
import { MINIMAL } from "../manifest/manifests.js";

const NOGROUP = 65534;
const asRoot = process.getuid?.() === 0;
const BIN = join(process.cwd(), "src/bin.ts");

/** svcroute as nobody:nogroup (the socket's group stands for the svcroute group) */
function asMember(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return asNobody(args);
}

function asNobody(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile("setpriv", ["--reuid=nobody", "--regid=nogroup", "--clear-groups", process.execPath, "--import", "tsx", BIN, ...args], { cwd: process.cwd() }, (e, out, err) =>
      resolve({ code: e ? Number((e as { code?: number | string }).code ?? 1) : 0, out, err }),
    );
  });
}

function host() {
  const dir = tmpTree({});
  chmodSync(dir, 0o755);
  const run = join(dir, "run");
  const state = join(dir, "state");
  mkdirSync(run, { mode: 0o750 });
  chownSync(run, 0, NOGROUP); // like /run/svcroute: the group may enter
  mkdirSync(state, { mode: 0o750 }); // like /var/lib/svcroute: the service's own, operators may not write
  const manifest = join(dir, "svcroute.yaml");
  const text = MINIMAL.replace("services:", `supervisor:\n  status_socket: ${join(run, "svcroute.sock")}\n  state_dir: ${state}\nservices:`) + "  - name: web\n    prefixes: [192.0.2.80/32]\n";
  writeFileSync(manifest, text, { mode: 0o644 });
  return { manifest, socket: join(run, "svcroute.sock"), state, names: ["dns", "web"] };
}

const drained = (state: string) => JSON.parse(readFileSync(join(state, "drain.json"), "utf8")) as { all: number | null; services: Record<string, number> };

describe.runIf(asRoot)("drain and undrain as a member of the svcroute group", () => {
  it("go through the supervisor's socket, which writes the state", async () => {
    const h = host();
    const triggered: string[] = [];
    const srv = await startStatusServer({
      socketPath: h.socket,
      getStatus: sampleStatus,
      onReconcile: (r) => triggered.push(r),
      onDrain: async (target, on) => {
        const s = await changeDrain(h.state, h.names, target, on, Date.now());
        triggered.push(on ? "drain" : "undrain");
        return s;
      },
    });
    try {
      chownSync(h.socket, 0, NOGROUP);
      const d = await asMember(["drain", "web", "--manifest", h.manifest]);
      expect(d.err).toBe("");
      expect(d.code).toBe(0);
      expect(d.out).toMatch(/^web: draining/);
      expect(Object.keys(drained(h.state).services)).toEqual(["web"]);
      const all = await asMember(["drain", "--all", "--manifest", h.manifest]);
      expect(all.code).toBe(0);
      expect(drained(h.state).all).toEqual(expect.any(Number));
      const u = await asMember(["undrain", "--all", "--manifest", h.manifest]);
      expect(u.code).toBe(0);
      expect(drained(h.state)).toEqual({ all: null, services: {} });
      expect(triggered).toEqual(["drain", "drain", "undrain"]);
      // the supervisor judges the name too
      const bad = await asMember(["drain", "nope", "--manifest", h.manifest]);
      expect(bad.code).toBe(2);
    } finally {
      await srv.close();
    }
  });

  it("with no supervisor running, a member who may not write the state is told so (E_PERMISSION)", async () => {
    const h = host();
    const r = await asMember(["drain", "web", "--manifest", h.manifest]);
    expect(r.code).toBe(10);
    expect(r.err).toContain("E_PERMISSION");
    expect(r.err).toContain(join(h.state, "drain.json"));
    expect(r.err).toMatch(/hint: .*(root|supervisor)/);
  });

  it("with no supervisor running, root writes the state itself (the supervisor reads it when it starts)", async () => {
    const h = host();
    chownSync(h.state, NOGROUP, NOGROUP); // the service user's directory
    const { runCli } = await import("../../helpers/cli.js");
    const r = await runCli(["drain", "web", "--manifest", h.manifest]);
    expect(r.code).toBe(0);
    expect(r.err).toContain("takes effect when it starts");
    expect(Object.keys(drained(h.state).services)).toEqual(["web"]);
  });
});

describe.runIf(asRoot)("status --nagios as a user the socket refuses", () => {
  it("is UNKNOWN (exit 3) and says why: the check cannot tell, the service may be fine", async () => {
    const h = host();
    const srv = await startStatusServer({ socketPath: h.socket, getStatus: sampleStatus, onReconcile: () => undefined });
    try {
      // the socket stays root:root 0660, the directory lets nobody in
      chmodSync(join(h.socket, ".."), 0o755);
      const r = await asNobody(["status", "--nagios", "--socket", h.socket]);
      expect(r.out).toMatch(/^SVCROUTE UNKNOWN - cannot ask the supervisor: .*EACCES/);
      expect(r.code).toBe(3);
    } finally {
      await srv.close();
    }
    const down = await asNobody(["status", "--nagios", "--socket", h.socket]);
    expect([down.code, down.out]).toEqual([2, expect.stringMatching(/^SVCROUTE CRITICAL - supervisor not reachable/)]);
  });
});
