import { statSync, writeFileSync } from "node:fs";
import { get } from "node:http";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { SvcrouteError } from "../../../src/errors.js";
import { createServer } from "node:net";
import { callSupervisor, fetchStatus, parseResponse } from "../../../src/supervisor/client.js";
import { renderMetrics } from "../../../src/supervisor/metrics.js";
import { startStatusServer } from "../../../src/supervisor/status-server.js";
import { sampleStatus } from "../../helpers/status-fixture.js";
import { tmpTree } from "../../helpers/tmp.js";

describe("status server", () => {
  it("serves /status and /metrics on a 0660 unix socket and accepts POST /reconcile", async () => {
    const dir = tmpTree({});
    const sock = join(dir, "run", "svcroute.sock");
    const reasons: string[] = [];
    const srv = await startStatusServer({ socketPath: sock, getStatus: () => sampleStatus(), onReconcile: (r) => reasons.push(r) });
    try {
      expect(statSync(sock).mode & 0o777).toBe(0o660);
      expect((await fetchStatus(sock)).services.map((s) => s.name)).toEqual(["dns", "web"]);
      const m = await callSupervisor(sock, "GET", "/metrics");
      expect(m.body).toContain('svcroute_prefix_announced{service="dns",prefix="192.0.2.53/32",peer="tor1"} 1');
      expect((await callSupervisor(sock, "POST", "/reconcile")).status).toBe(202);
      expect(reasons).toEqual(["api"]);
      expect((await callSupervisor(sock, "GET", "/nope")).status).toBe(404);
      await expect(startStatusServer({ socketPath: sock, getStatus: sampleStatus, onReconcile: () => {} })).rejects.toMatchObject({ code: "E_LOCKED" });
    } finally {
      await srv.close();
    }
  });

  it("POST /drain and /undrain take {target} and answer the drain state, or the error as JSON", async () => {
    const dir = tmpTree({});
    const sock = join(dir, "s.sock");
    const calls: [string, boolean][] = [];
    const srv = await startStatusServer({
      socketPath: sock,
      getStatus: sampleStatus,
      onReconcile: () => {},
      onDrain: async (target, on) => {
        calls.push([target, on]);
        if (target === "nope") throw new SvcrouteError("E_USAGE", 'no service named "nope"', { hint: "services: web" });
        return { all: null, services: on ? { [target]: 1 } : {} };
      },
    });
    try {
      const post = (path: string, body: string) => callSupervisor(sock, "POST", path, 3000, body);
      expect(await post("/drain", '{"target": "web"}')).toEqual({ status: 200, body: '{"all":null,"services":{"web":1}}\n' });
      expect((await post("/undrain", '{"target": "web"}')).status).toBe(200);
      expect(JSON.parse((await post("/drain", '{"target": "nope"}')).body)).toEqual({ code: "E_USAGE", message: 'no service named "nope"', hint: "services: web" });
      for (const bad of ["not json", "{}", '{"target": 5}']) expect((await post("/drain", bad)).status).toBe(400);
      expect((await post("/drain", `{"target": "${"x".repeat(5000)}"}`)).status).toBe(400);
      expect(calls).toEqual([["web", true], ["web", false], ["nope", true]]);
    } finally {
      await srv.close();
    }
  });

  it("replaces a stale socket file left by a crashed run", async () => {
    const dir = tmpTree({});
    const sock = join(dir, "svcroute.sock");
    writeFileSync(sock, "");
    const srv = await startStatusServer({ socketPath: sock, getStatus: sampleStatus, onReconcile: () => {} });
    expect((await fetchStatus(sock)).pid).toBe(4242);
    await srv.close();
  });

  it("an optional loopback TCP listener serves /metrics only", async () => {
    const dir = tmpTree({});
    const srv = await startStatusServer({ socketPath: join(dir, "s.sock"), getStatus: sampleStatus, onReconcile: () => {}, metricsListen: "127.0.0.1:0" });
    try {
      const fetchTcp = (path: string) =>
        new Promise<{ code: number; body: string }>((resolve, reject) => {
          get({ host: "127.0.0.1", port: srv.metricsPort(), path }, (res) => {
            let body = "";
            res.on("data", (c: Buffer) => (body += c.toString()));
            res.on("end", () => resolve({ code: res.statusCode!, body }));
          }).on("error", reject);
        });
      expect((await fetchTcp("/metrics")).body).toContain("svcroute_up");
      expect((await fetchTcp("/status")).code).toBe(404);
    } finally {
      await srv.close();
    }
  });

  it("a missing supervisor is E_SUPERVISOR_DOWN with a hint", async () => {
    await expect(fetchStatus("/nonexistent/svcroute.sock")).rejects.toMatchObject({ code: "E_SUPERVISOR_DOWN", hint: expect.stringContaining("start it") });
  });
});

describe("metrics text", () => {
  it("is valid Prometheus exposition: HELP/TYPE per family, one sample per line", () => {
    const st = sampleStatus();
    const text = renderMetrics({ ...st, counters: { ...st.counters, config_drift_total: 1 }, last_drift: { at: st.started_at + 5000, what: "/etc/frr/frr.conf was changed by someone else", count: 1 } });
    const lines = text.trimEnd().split("\n");
    const families = new Set<string>();
    for (const l of lines) {
      if (l.startsWith("# HELP ")) families.add(l.split(" ")[2]!);
      else if (!l.startsWith("# TYPE ")) expect(l).toMatch(/^[a-z_]+(\{([a-z_]+="[^"]*",?)+\})? -?[\d.e+]+$/);
    }
    expect([...families]).toContain("svcroute_manifest_valid");
    expect(text).toContain("svcroute_manifest_valid 1");
    expect(text).toContain('svcroute_service_health{service="web",state="DOWN"} 1');
    expect(text).toContain('svcroute_peer_established{peer="tor2"} 0');
    expect(text).toContain('svcroute_reconcile_duration_seconds_bucket{le="+Inf"} 12');
    expect(text).toContain('svcroute_config_drift_total 1');
    // docs/supervisor.md: applies counted by path
    expect(text).toContain('svcroute_applies_total{path="fast"} 9');
    expect(text).toContain('svcroute_applies_total{path="full"} 2');
    expect(text).toContain('svcroute_service_address_missing{service="dns"} 0');
    const base = sampleStatus();
    const blocked = renderMetrics({ ...base, services: [{ ...base.services[0]!, address_missing: ["192.0.2.53"] }] });
    expect(blocked).toContain('svcroute_service_address_missing{service="dns"} 1');
  });

  it("on_change hooks: runs, failures and dropped runs counted per service that has run one, and whether the last run succeeded", () => {
    const s = sampleStatus();
    expect(renderMetrics(s)).not.toMatch(/^svcroute_hook_runs_total\{/m);
    s.services[0]!.hook = { at: 1, from: "UP", to: "DOWN", ok: false, exit_code: 3, timed_out: false, timeout_ms: 10_000, reason: "exit 3", runs: 4, failures: 2, dropped: 1 };
    const text = renderMetrics(s);
    expect(text).toContain('svcroute_hook_runs_total{service="dns"} 4');
    expect(text).toContain('svcroute_hook_failures_total{service="dns"} 2');
    expect(text).toContain('svcroute_hook_dropped_total{service="dns"} 1');
    expect(text).toContain('svcroute_hook_last_ok{service="dns"} 0');
    expect(text).not.toContain('svcroute_hook_runs_total{service="web"}');
  });

  it("escapes label values", () => {
    const s = sampleStatus();
    s.manifest.last_good_hash = 'a"b\\c\nd';
    expect(renderMetrics(s)).toContain('hash="a\\"b\\\\c\\nd"');
  });
});

describe("the supervisor's client (HTTP/1.1 over the unix socket, by hand)", () => {
  const raw = (s: string) => Buffer.from(s, "latin1");

  it("reads a sized answer, a chunked one and one that ends with the connection", () => {
    expect(parseResponse(raw('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 8\r\n\r\n{"a":1}\nextra'))).toEqual({ status: 200, body: '{"a":1}\n' });
    expect(parseResponse(raw("HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nnot \r\n5\r\nfound\r\n0\r\n\r\n"))).toEqual({ status: 404, body: "not found" });
    expect(parseResponse(raw("HTTP/1.0 202 Accepted\r\nConnection: close\r\n\r\nqueued"))).toEqual({ status: 202, body: "queued" });
    // UTF-8 split across chunks is joined before it is decoded
    const e = Buffer.from("é", "utf8");
    expect(parseResponse(Buffer.concat([raw("HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n1\r\n"), e.subarray(0, 1), raw("\r\n1\r\n"), e.subarray(1), raw("\r\n0\r\n\r\n")])).body).toBe("é");
  });

  it("an answer cut short or not HTTP at all is an error, not a result", () => {
    expect(() => parseResponse(raw("HTTP/1.1 200 OK\r\nContent-Length: 8"))).toThrow(/incomplete/);
    expect(() => parseResponse(raw("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nshort"))).toThrow(/incomplete chunked/);
    expect(() => parseResponse(raw("SSH-2.0-OpenSSH\r\n\r\n"))).toThrow(/not an HTTP answer/);
  });

  it("a supervisor that takes the connection and never answers: E_SUPERVISOR_DOWN at the time limit; one that hangs up: the same, saying so", async () => {
    const dir = tmpTree({});
    const silent = join(dir, "silent.sock");
    const rude = join(dir, "rude.sock");
    const servers = [createServer(() => undefined).listen(silent), createServer((c) => c.end()).listen(rude)];
    try {
      await Promise.all(servers.map((s) => new Promise((r) => s.once("listening", r))));
      await expect(callSupervisor(silent, "GET", "/status", 100)).rejects.toMatchObject({ code: "E_SUPERVISOR_DOWN", message: expect.stringMatching(/no answer within 100 ms/) });
      await expect(callSupervisor(rude, "GET", "/status")).rejects.toMatchObject({ code: "E_SUPERVISOR_DOWN", message: expect.stringMatching(/incomplete HTTP answer/) });
      await expect(callSupervisor(join(dir, "absent.sock"), "GET", "/status")).rejects.toMatchObject({ code: "E_SUPERVISOR_DOWN", hint: expect.stringMatching(/systemctl start svcroute/) });
    } finally {
      for (const s of servers) s.close();
    }
  });
});
