// doctor's findings on a failing on_change hook and a failing DNS check (src/doctor/service-findings.ts),
// on the reasons the real DNS runner gives: no server on the port, an rcode and an answer it judged.
import * as packet from "dns-packet";
import { describe, expect, it } from "vitest";
import { dnsFindings, hookFindings } from "../../../src/doctor/service-findings.js";
import { judgeResponse } from "../../../src/health/runners/dns.js";
import { buildFromSources } from "../../../src/manifest/load.js";
import { parseManifestText } from "../../../src/manifest/parse.js";
import type { ServiceStatus } from "../../../src/supervisor/status-types.js";
import { sampleStatus } from "../../helpers/status-fixture.js";
import { runReal } from "../health/targets.js";

const p = parseManifestText(
  "/etc/svcroute/svcroute.yaml",
  `version: 1
daemon: {type: bird}
router: {asn: 65101, router_id: 192.0.2.1}
peers: [{name: tor1, address: 169.254.1.2, remote_asn: 65001}]
policy: {allowed_prefixes: [192.0.2.0/24]}
services:
  - name: dns
    prefixes: [192.0.2.53/32]
    checks: [{type: dns, name: soa, query: svc.test, record: SOA, server: 127.0.0.1, port: 9, answer_regex: "^ns1\\\\."}]
    on_change: {command: [/usr/local/bin/notify, --quiet], timeout: 2s}
`,
);
if (!p.ok) throw new Error(JSON.stringify(p.problems));
const built = buildFromSources(p.source, []);
if (!built.manifest) throw new Error(JSON.stringify(built.problems));
const svc = built.manifest.services[0]!;
const spec = svc.checks[0]!;
const base: ServiceStatus = { ...sampleStatus().services[0]!, name: "dns", state: "DOWN" };

describe("a failing DNS check", () => {
  const withReason = (reason: string): ServiceStatus => ({ ...base, checks: [{ name: "soa", type: "dns", ok: false, reason, at: 1, latency_ms: 2 }] });
  const prefix = "SOA svc.test at 127.0.0.1:9: ";
  const res = (rcode: number, answers: packet.Answer[]) => packet.decode(packet.encode({ type: "response", id: 1, flags: rcode, questions: [{ type: "SOA", name: "svc.test" }], answers }));

  it("no server on the port: DNS_CHECK_NO_ANSWER names the server, port and transport, and how to look", async () => {
    const r = await runReal(spec);
    expect(r.ok).toBe(false);
    const [f] = dnsFindings(withReason(r.reason), svc);
    expect(f).toMatchObject({ code: "DNS_CHECK_NO_ANSWER", result: "WARN", evidence: r.reason });
    expect(f!.finding).toBe("dns: DNS check soa: no answer from 127.0.0.1 port 9 over UDP for SOA svc.test");
    expect(f!.fix).toMatch(/not running, not listening on 127\.0\.0\.1 port 9 over UDP.*dig @127\.0\.0\.1 -p 9 svc\.test SOA/);
  });

  it("an unexpected rcode: DNS_CHECK_RCODE says which, and that expect_rcode can accept it", () => {
    if (spec.type !== "dns") throw new Error("not a dns check");
    const o = judgeResponse(spec, res(3, []), new RegExp(spec.answerRegex!));
    const [f] = dnsFindings(withReason(prefix + o.reason), svc);
    expect(f).toMatchObject({ code: "DNS_CHECK_RCODE", finding: "dns: DNS check soa: 127.0.0.1 port 9 over UDP answers SOA svc.test with NXDOMAIN, not NOERROR" });
    expect(f!.fix).toMatch(/expect_rcode/);
  });

  it("an answer the pattern does not match: DNS_CHECK_ANSWER names the pattern", () => {
    if (spec.type !== "dns") throw new Error("not a dns check");
    const soa = { type: "SOA", name: "svc.test", data: { mname: "other.svc.test", rname: "hostmaster.svc.test", serial: 1 } } as packet.Answer;
    const o = judgeResponse(spec, res(0, [soa]), new RegExp(spec.answerRegex!));
    const [f] = dnsFindings(withReason(prefix + o.reason), svc);
    expect(f).toMatchObject({ code: "DNS_CHECK_ANSWER" });
    expect(f!.fix).toContain("/^ns1\\./");
  });

  it("a passing DNS check, or a failing check of another type: nothing", () => {
    expect(dnsFindings({ ...base, checks: [{ name: "soa", type: "dns", ok: true, reason: "NOERROR, 1 SOA", at: 1, latency_ms: 1 }] }, svc)).toEqual([]);
    expect(dnsFindings({ ...base, checks: [{ name: "x", type: "tcp", ok: false, reason: "ECONNREFUSED", at: 1, latency_ms: 1 }] }, svc)).toEqual([]);
  });
});

describe("a failing on_change hook", () => {
  const run = { at: Date.UTC(2026, 11, 3, 19, 0, 5), from: "UP", to: "DOWN", timeout_ms: 2000, runs: 1, failures: 1, dropped: 0 };
  it("its last run exited non-zero: HOOK_FAILED with the service, the exit status, where its output is logged and the fix", () => {
    const [f] = hookFindings({ ...base, hook: { ...run, ok: false, exit_code: 3, timed_out: false, reason: "exit 3: no route to notifier" } }, svc);
    expect(f).toMatchObject({ code: "HOOK_FAILED", result: "WARN", evidence: "exit 3: no route to notifier" });
    expect(f!.finding).toBe("dns: its on_change hook exited 3 at 19:00:05 (for UP → DOWN); announcements are not affected, whatever the hook does");
    expect(f!.fix).toMatch(/journalctl -u svcroute -g 'on_change hook'.*\/usr\/local\/bin\/notify --quiet.*make it exit 0/);
  });
  it("killed at its timeout: says so, and the timeout to raise", () => {
    const [f] = hookFindings({ ...base, hook: { ...run, ok: false, exit_code: null, timed_out: true, reason: "timed out after 2000 ms (killed): killed by SIGKILL" } }, svc);
    expect(f!.finding).toMatch(/on_change hook timed out after 2000 ms and was killed/);
    expect(f!.fix).toMatch(/services\[dns\]\.on_change\.timeout/);
  });
  it("no run yet, or the last one succeeded: nothing", () => {
    expect(hookFindings(base, svc)).toEqual([]);
    expect(hookFindings({ ...base, hook: { ...run, ok: true, exit_code: 0, timed_out: false, reason: "exit 0" } }, svc)).toEqual([]);
  });
});
