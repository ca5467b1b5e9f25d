// What operators ask the anchors for (issue 18), each proven against the ToRs with a BIRD host and
// an FRR host under `svcroute run`: a DNS check against a real DNS server, on_change hooks, probe
// --apply and reload, drain --wait, degraded: deprefer, a service timeout derived from the checks',
// status that follows the sessions, and drain/status while the manifest on disk is refused.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it, onTestFailed } from "vitest";
import { callSupervisor, fetchStatus } from "../../src/supervisor/client.js";
import type { SupervisorStatus } from "../../src/supervisor/status-types.js";
import { createLab, type Lab, type LabProcess } from "./harness/lab.js";
import {
  ensureBundle,
  healthFile,
  labManifest,
  metric,
  pathFrom,
  startSupervisor,
  svcroute,
  waitSupervisorUp,
  writeAtomic,
  type Supervised,
} from "./harness/supervised.js";
import type { HostPlan } from "./harness/topology.js";
import { caseDaemons } from "./harness/matrix.js";
import { endSupervisedSuite } from "./harness/suite.js";
import { waitFor } from "./harness/wait.js";

type Daemon = "bird" | "frr";
/** the hosts whose cases this run generates (harness/matrix.ts) */
const DAEMONS: Daemon[] = caseDaemons("features");
const HOST: Record<Daemon, string> = { bird: "hb", frr: "hf" };
const TORS = ["tor1", "tor2"] as const;
const P: Record<Daemon, { web: string; slow: string; dns: string; quorum: string }> = {
  bird: { web: "192.0.2.10/32", slow: "192.0.2.11/32", dns: "192.0.2.12/32", quorum: "192.0.2.13/32" },
  frr: { web: "192.0.2.20/32", slow: "192.0.2.21/32", dns: "192.0.2.22/32", quorum: "192.0.2.23/32" },
};
const addr = (prefix: string) => prefix.split("/")[0]!;

let lab: Lab;
const sup = {} as Record<Daemon, Supervised>;
const manifests = {} as Record<Daemon, string>;

/** what the on_change hook of a host's services writes, one line per run */
const hookLog = (h: HostPlan) => join(h.dir, "hook.log");
/** the hook sleeps this long first: a withdrawal that waited for it would come after it */
const HOOK_SLEEP_S = 5;

/**
 * A service checked every 400 ms by a file check of its own 200 ms timeout, and no service timeout
 * (item 9: before, the 1s default timeout was refused beside a shorter interval); its on_change hook
 * (item 5) sleeps, then appends "SERVICE OLD NEW TIME" to hook.log. Timeouts leave room for a busy
 * machine, where a stat can wait behind other work for 100 ms.
 */
function service(h: HostPlan, name: string, prefix: string): string {
  const line = `sleep ${HOOK_SLEEP_S}; echo "$SVCROUTE_SERVICE $SVCROUTE_OLD_STATE $SVCROUTE_NEW_STATE $SVCROUTE_TIME" >> ${hookLog(h)}`;
  return [
    `  - name: ${name}`,
    `    prefixes: [${prefix}]`,
    `    checks: [{type: file, path: ${healthFile(h, name)}, timeout: 200ms}]`,
    "    interval: 400ms",
    "    rise: 1",
    "    fall: 1",
    "    flap: {max_transitions: 1000}",
    `    on_change: {command: [/bin/sh, -c, '${line}'], user: root, when: [UP, DOWN]}`,
  ].join("\n");
}

const hookLines = (d: Daemon): string[] => {
  try {
    return readFileSync(hookLog(lab.host(HOST[d])), "utf8").split("\n").filter(Boolean);
  } catch {
    return [];
  }
};

function manifestOf(d: Daemon): string {
  const h = lab.host(HOST[d]);
  const peers = TORS.map((t) => {
    const l = lab.link(HOST[d], t);
    return [`  - name: ${t}`, `    address: ${l.tor4}`, `    remote_asn: ${l.torAsn}`, "    timers: {keepalive: 1s, hold: 3s, connect_retry: 1s}"].join("\n");
  });
  // a reverify far away: whatever status learns before it, it learns by following the sessions
  // checked once a minute: only `probe --apply` makes it notice a change in time (item 6)
  // its on_change hook fails when it goes DOWN: doctor's HOOK_FAILED (item 5)
  const slow = [
    `  - name: slow`,
    `    prefixes: [${P[d].slow}]`,
    `    checks: [{type: file, path: ${healthFile(h, "slow")}}]`,
    "    interval: 60s",
    "    initial: up",
    "    rise: 1",
    "    fall: 1",
    `    on_change: {command: [/bin/sh, -c, 'echo no route to notifier >&2; exit 3'], user: root, when: [DOWN]}`,
  ].join("\n");
  // answered by a real DNS server on the service's own address (the check's default server): item 4
  const dns = [
    "  - name: dns",
    `    prefixes: [${P[d].dns}]`,
    `    checks: [{type: dns, query: www.svc.test, answer_regex: '^${addr(P[d].dns).replaceAll(".", "\\.")}$', timeout: 500ms}, {type: dns, query: svc.test, record: TXT, transport: tcp, answer_regex: ^serving$, timeout: 500ms}]`,
    "    interval: 1s",
    "    rise: 1",
    "    fall: 2",
    "    flap: {max_transitions: 1000}",
  ].join("\n");
  // two checks, a quorum of one: one failing leaves it DEGRADED, announced with the deprefer attributes (item 8)
  const quorum = [
    "  - name: quorum",
    `    prefixes: [${P[d].quorum}]`,
    `    checks: [{type: file, path: ${healthFile(h, "quorum-a")}, timeout: 200ms}, {type: file, path: ${healthFile(h, "quorum-b")}, timeout: 200ms}]`,
    "    combine: {quorum: 1}",
    "    degraded: deprefer",
    "    deprefer: {as_path_prepend: 2, med: 77, communities: [65000:77]}",
    "    interval: 400ms",
    "    rise: 1",
    "    fall: 1",
    "    flap: {max_transitions: 1000}",
  ].join("\n");
  return labManifest(h, { peers, services: [service(h, "web", P[d].web), slow, dns, quorum], tail: { reverify: "120s" } });
}

/** dnsmasq in the host's namespace, on the dns service's address only: www.svc.test A, svc.test TXT */
const dnsServers = {} as Record<Daemon, LabProcess>;
function startDns(d: Daemon): void {
  const a = addr(P[d].dns);
  dnsServers[d] = lab.spawn(
    HOST[d],
    "/usr/sbin/dnsmasq",
    ["--keep-in-foreground", "--conf-file=/dev/null", "--no-resolv", "--no-hosts", "--bind-interfaces", `--listen-address=${a}`, "--port=53", "--pid-file=", "--user=root", `--host-record=www.svc.test,${a}`, "--txt-record=svc.test,serving"],
    { logFile: join(lab.host(HOST[d]).dir, "dnsmasq.log") },
  );
}

const status = (d: Daemon): Promise<SupervisorStatus> => fetchStatus(sup[d].socket);
const web = (s: SupervisorStatus) => s.services.find((x) => x.name === "web")!;

async function atBoth(d: Daemon, prefix: string, want: "present" | "absent", timeout = 15_000): Promise<void> {
  await Promise.all(
    TORS.map((t) =>
      waitFor(async () => (await pathFrom(lab, t, HOST[d], prefix)) !== undefined, {
        what: `${prefix} from ${HOST[d]} ${want} at ${t}`,
        timeout,
        interval: 20,
        until: (has) => has === (want === "present"),
      }),
    ),
  );
}

beforeAll(async () => {
  ensureBundle();
  lab = await createLab({
    tors: [
      { name: "tor1", asn: 65001, timers: { keepalive: 1, hold: 3 } },
      { name: "tor2", asn: 65002, timers: { keepalive: 1, hold: 3 } },
    ],
    hosts: DAEMONS.map((d) => ({ name: HOST[d], daemon: d, links: ["tor1", "tor2"], families: ["ipv4" as const], addresses: Object.values(P[d]) })),
  });
  for (const d of DAEMONS) {
    manifests[d] = manifestOf(d);
    writeAtomic(join(lab.host(HOST[d]).dir, "svcroute.yaml"), manifests[d]);
    startDns(d);
    sup[d] = startSupervisor(lab, HOST[d], {
      services: ["web", "slow", "quorum-a", "quorum-b"].map((name) => ({ name, prefixes: [] })),
      keepManifest: true,
    });
  }
  await Promise.all(DAEMONS.map((d) => waitSupervisorUp(sup[d])));
});

endSupervisedSuite(() => lab, sup);

describe.each(DAEMONS)("on a %s host", (d) => {
  it("start: status follows the sessions as they come up (not the next reverify)", async () => {
    await atBoth(d, P[d].web, "present");
    // the ToR has the route: status must say so within a few seconds, long before the 120 s reverify
    const { value: st } = await waitFor(() => status(d), {
      what: "status: both peers Established and web advertised to both",
      timeout: 10_000,
      until: (s) => s.peers.every((p) => p.state === "Established") && web(s).prefixes[0]!.advertised.tor1 === true && web(s).prefixes[0]!.advertised.tor2 === true,
    });
    expect(st.last_reconcile!.triggers).not.toContain("reverify");
  });

  it("status follows a session that goes down and comes back, with its advertisement (not the next reverify)", async () => {
    const l = lab.link(HOST[d], "tor2");
    const shut = (no: string) => lab.vtysh("tor2", "configure terminal", `router bgp ${l.torAsn}`, `${no}neighbor ${l.host4} shutdown`);
    await shut("");
    try {
      await waitFor(() => status(d), {
        what: "status: tor2 not Established and web not advertised to it",
        timeout: 10_000,
        until: (s) => s.peers.find((p) => p.name === "tor2")?.state !== "Established" && web(s).prefixes[0]!.advertised.tor2 === false,
      });
    } finally {
      await shut("no ");
    }
    // both within seconds, where the reverify comes every 120 s
    await waitFor(() => status(d), {
      what: "status: tor2 Established again and web advertised to it",
      timeout: 20_000,
      until: (s) => s.peers.find((p) => p.name === "tor2")?.state === "Established" && web(s).prefixes[0]!.advertised.tor2 === true,
    });
    await atBoth(d, P[d].web, "present");
  });

  it("a service with interval of 400ms (below the 1s default timeout) and a check timeout of 200ms needs no service timeout: withdrawn when failing, announced when passing", async () => {
    const st = await status(d);
    expect(web(st).checks[0]).toMatchObject({ ok: true });
    sup[d].setHealthy("web", false);
    await atBoth(d, P[d].web, "absent");
    sup[d].setHealthy("web", true);
    await atBoth(d, P[d].web, "present");
  });

  it("on_change runs the hook with the transition in its environment, after the fact: a hook that sleeps never holds back the withdrawal", async () => {
    /** the hook's line for web's `from → to` at or after `since` (its SVCROUTE_TIME) */
    const lineFor = (from: string, to: string, since: number) => hookLines(d).find((l) => {
      const [svc, a, b, time] = l.split(" ");
      return svc === "web" && a === from && b === to && Date.parse(time!) >= since;
    });
    // web's hooks run one at a time, each sleeping: those of its earlier transitions (the ones the
    // supervisor logged: at start and in the test above) first, so this transition's starts once they are done
    const earlier = readFileSync(sup[d].logFile, "utf8")
      .split("\n")
      .filter((l) => l.includes('"op":"health"') && l.includes('"service":"web"') && /"to":"(UP|DOWN)"/.test(l)).length;
    await waitFor(async () => hookLines(d).filter((l) => l.startsWith("web ")).length, {
      what: `the hooks of web's ${earlier} earlier transitions done`,
      timeout: (earlier + 2) * HOOK_SLEEP_S * 1000,
      until: (n) => n >= earlier,
    });
    const t0 = Date.now();
    sup[d].setHealthy("web", false);
    await atBoth(d, P[d].web, "absent");
    // withdrawn at both ToRs while the hook of this very transition still sleeps
    expect(lineFor("UP", "DOWN", t0)).toBeUndefined();
    await waitFor(async () => lineFor("UP", "DOWN", t0), { what: "the hook's line for UP → DOWN", timeout: 4 * HOOK_SLEEP_S * 1000, until: (l) => l !== undefined });
    const t1 = Date.now();
    sup[d].setHealthy("web", true);
    await atBoth(d, P[d].web, "present");
    await waitFor(async () => lineFor("DOWN", "UP", t1), { what: "the hook's line for DOWN → UP", timeout: 4 * HOOK_SLEEP_S * 1000, until: (l) => l !== undefined });
    expect(readFileSync(sup[d].logFile, "utf8")).toMatch(/"msg":"on_change hook \(UP → DOWN\): exit 0 \(no output\)"/);
  });

  it("while a refused manifest is deployed, one that does not even parse: status -m FILE reaches the supervisor (on the socket it recorded) and drain --wait drains with the last good manifest", async () => {
    const file = sup[d].manifest;
    // a failure here must not leave the next cases a refused manifest and a drained service
    onTestFailed(async () => {
      writeAtomic(file, manifests[d]);
      await svcroute(lab, HOST[d], ["undrain", "web", "--socket", sup[d].socket]);
    });
    // the manifest names a socket of its own: only the supervisor's record can say where it is now
    expect(manifests[d]).toContain(`status_socket: ${sup[d].socket}`);
    writeAtomic(file, manifests[d].replace("supervisor:\n", "supervisor:\n  colour: [red\n"));
    expect((await svcroute(lab, HOST[d], ["check", "-m", file])).code).toBe(3);
    await waitFor(() => status(d), { what: "status: manifest invalid", until: (s) => !s.manifest.valid });
    const s = await svcroute(lab, HOST[d], ["status", "-m", file, "--json"]);
    expect(s.code, s.stderr).toBe(0);
    expect((JSON.parse(s.stdout) as SupervisorStatus).manifest.valid).toBe(false);
    const r = await svcroute(lab, HOST[d], ["drain", "web", "-m", file, "--wait", "--timeout", "20s"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain("the supervisor used its last good manifest");
    expect(r.stdout).toMatch(/web: withdrawn at every peer after/);
    // a recheck reaches it the same way, and acts on the round: its checks pass, and web stays
    // drained (shown as DISABLED) and withdrawn
    const probed = await svcroute(lab, HOST[d], ["probe", "--apply", "web", "-m", file]);
    expect(probed.code, probed.stderr).toBe(0);
    expect(probed.stdout).toMatch(/now DISABLED \(drained\)/);
    // what the host's daemon no longer sends, the ToRs drop a moment later
    await atBoth(d, P[d].web, "absent", 2000);
    const u = await svcroute(lab, HOST[d], ["undrain", "web", "-m", file]);
    expect(u.code, u.stderr).toBe(0);
    await atBoth(d, P[d].web, "present");
    // `reload` says the supervisor refuses the file, with the problem located; fixed, it takes it
    writeAtomic(file, manifests[d].replace("supervisor:\n", "supervisor:\n  colour: red\n"));
    const refused = await svcroute(lab, HOST[d], ["reload", "-m", file]);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(new RegExp(`${file}:\\d+:\\d+  supervisor\\.colour  unknown key "colour"`));
    writeAtomic(file, manifests[d]);
    const taken = await svcroute(lab, HOST[d], ["reload", "-m", file]);
    expect(taken.code, taken.stderr).toBe(0);
    expect(taken.stdout).toMatch(/^reloaded: .*svcroute\.yaml taken \(hash [0-9a-f]{12}\); reconcile ok/);
    expect((await status(d)).manifest.valid).toBe(true);
  });

  it("a dns check against a real DNS server (dnsmasq) on the service address: stopped → withdrawn, started → announced", async () => {
    await atBoth(d, P[d].dns, "present");
    const st = await status(d);
    expect(st.services.find((x) => x.name === "dns")!.checks.map((c) => [c.ok, c.reason])).toEqual([
      [true, `A "www.svc.test" at ${addr(P[d].dns)}:53: NOERROR, 1 A: ${addr(P[d].dns)}`],
      [true, `TXT "svc.test" at ${addr(P[d].dns)}:53: NOERROR, 1 TXT: serving`],
    ]);
    process.kill(dnsServers[d].pid, "SIGTERM");
    await dnsServers[d].exited;
    await atBoth(d, P[d].dns, "absent");
    const down = await status(d);
    expect(down.services.find((x) => x.name === "dns")!.checks[0]!.reason).toMatch(/ECONNREFUSED/);
    // doctor tells why: no answer from the server (not an rcode, not an answer mismatch), and how to look
    const doc = await svcroute(lab, HOST[d], ["doctor", "--json", "-m", sup[d].manifest]);
    const findings = (JSON.parse(doc.stdout) as { findings: { code: string; finding: string; fix?: string }[] }).findings.filter((x) => x.code.startsWith("DNS_CHECK_"));
    expect(findings.map((x) => x.code), doc.stdout).toEqual(["DNS_CHECK_NO_ANSWER", "DNS_CHECK_NO_ANSWER"]);
    expect(findings[0]!.finding).toBe(`dns: DNS check dns-0: no answer from ${addr(P[d].dns)} port 53 over UDP for A www.svc.test`);
    expect(findings[0]!.fix).toContain(`dig @${addr(P[d].dns)} -p 53 www.svc.test A`);
    startDns(d);
    await atBoth(d, P[d].dns, "present");
  });

  it("degraded: deprefer — one of two checks failing (quorum 1) announces with the deprefer attributes, both failing withdraws", async () => {
    const asn = lab.host(HOST[d]).asn;
    const at = (want: (p: Awaited<ReturnType<typeof pathFrom>>) => boolean, what: string) =>
      Promise.all(TORS.map((t) => waitFor(() => pathFrom(lab, t, HOST[d], P[d].quorum), { what: `${P[d].quorum} ${what} at ${t}`, timeout: 15_000, until: want })));
    await at((p) => p?.asPath.length === 1 && (p.med ?? 0) === 0, "announced normally");
    sup[d].setHealthy("quorum-a", false);
    const [deprefer] = await at((p) => p?.asPath.length === 3 && p.med === 77 && p.communities.includes("65000:77"), "de-preferred (prepend 2, MED 77, 65000:77)");
    expect(deprefer!.value!.asPath).toEqual([asn, asn, asn]);
    const st = await waitFor(() => status(d), { what: "status: quorum DEGRADED, desired deprefer", until: (s) => s.services.find((x) => x.name === "quorum")?.state === "DEGRADED" });
    expect(st.value.services.find((x) => x.name === "quorum")!.prefixes[0]).toMatchObject({ desired: "deprefer", advertised: { tor1: true, tor2: true } });
    sup[d].setHealthy("quorum-b", false);
    await atBoth(d, P[d].quorum, "absent");
    sup[d].setHealthy("quorum-a", true);
    sup[d].setHealthy("quorum-b", true);
    await at((p) => p?.asPath.length === 1 && (p.med ?? 0) === 0 && p.communities.length === 0, "announced normally again");
  });

  it("probe --apply: a service checked once a minute is withdrawn and announced again at once, on the operator's word", async () => {
    await atBoth(d, P[d].slow, "present");
    sup[d].setHealthy("slow", false);
    const down = await svcroute(lab, HOST[d], ["probe", "--apply", "slow", "-m", sup[d].manifest]);
    expect(down.code, down.stderr).toBe(1);
    expect(down.stdout).toContain("slow: UNHEALTHY (0/1 passed");
    expect(down.stdout).toMatch(/now DOWN: .*\n {2}\S+ withdrawn: tor1 no, tor2 no/);
    await atBoth(d, P[d].slow, "absent", 2000);
    sup[d].setHealthy("slow", true);
    const up = await svcroute(lab, HOST[d], ["probe", "--apply", "slow", "-m", sup[d].manifest]);
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/now UP: .*\n {2}\S+ normal: tor1 yes, tor2 yes/);
    await atBoth(d, P[d].slow, "present");
  });

  it("a failing on_change hook (slow's, run when it went DOWN above): status shows its exit, doctor says HOOK_FAILED with the fix; the announcement is not affected", async () => {
    const { value: st } = await waitFor(() => status(d), { what: "status: slow's hook run for UP → DOWN, failed", until: (x) => x.services.find((s) => s.name === "slow")?.hook?.to === "DOWN" });
    const slow = st.services.find((s) => s.name === "slow")!;
    expect(slow.hook).toMatchObject({ from: "UP", to: "DOWN", ok: false, exit_code: 3, timed_out: false });
    expect(slow.state).toBe("UP");
    const doc = await svcroute(lab, HOST[d], ["doctor", "--json", "-m", sup[d].manifest]);
    const hooks = (JSON.parse(doc.stdout) as { findings: { code: string; result: string; finding: string; evidence?: string; fix?: string }[] }).findings.filter((x) => x.code === "HOOK_FAILED");
    expect(hooks, doc.stdout).toHaveLength(1);
    expect(hooks[0]).toMatchObject({ result: "WARN", finding: expect.stringMatching(/^slow: its on_change hook exited 3 at \d\d:\d\d:\d\d \(for UP → DOWN\)/) });
    expect(hooks[0]!.evidence).toContain("no route to notifier");
    expect(hooks[0]!.fix).toContain("SVCROUTE_SERVICE=slow SVCROUTE_OLD_STATE=UP SVCROUTE_NEW_STATE=DOWN");
    expect(readFileSync(sup[d].logFile, "utf8")).toMatch(/"msg":"on_change hook \(UP → DOWN\) failed: [^"]*no route to notifier/);
    // the table an operator reads, and the metrics an alert reads
    const text = await svcroute(lab, HOST[d], ["status", "-m", sup[d].manifest]);
    expect(text.stdout).toMatch(/^slow +\S+ ago +UP → DOWN +1 +1 +0 +FAILED: exit 3/m);
    const m = (await callSupervisor(sup[d].socket, "GET", "/metrics")).body;
    expect(metric(m, "svcroute_hook_failures_total", 'service="slow"')).toBe(1);
    expect(metric(m, "svcroute_hook_last_ok", 'service="slow"')).toBe(0);
    await atBoth(d, P[d].slow, "present");
  });
});
