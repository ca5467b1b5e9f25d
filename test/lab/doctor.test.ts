// `svcroute doctor` against real faults: each is made on purpose in a lab host, and doctor — the
// built CLI, run inside the host's namespace — must name it by its finding code, suggest the
// right fix, and exit with the worst result (0 PASS, 1 WARN, 2 FAIL). Both with the supervisor
// running (doctor asks it over its socket) and stopped (doctor asks the daemon directly).
//
// One fabric for both daemons: two FRR ToRs; per daemon a healthy dual-homed host ("ok") that
// goes through the faults one at a time, and a host whose sessions are broken from the start
// ("bad": tor1 with a wrong remote ASN, tor2 with a wrong password, and a third peer at an address
// nobody has).
import { appendFileSync, chmodSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Finding } from "../../src/doctor/types.js";
import type { SupervisorStatus } from "../../src/supervisor/status-types.js";
import { waitEstablished, waitRoute } from "./harness/conditions.js";
import {
  byCode,
  doctor,
  ensureBundle,
  labPeers,
  problems,
  saneSysctls,
  setHealthy,
  snapshotBundle,
  startSupervisor,
  stopSupervisor,
  waitStatus,
  writeManifest,
  writeSecret,
  type DoctorHostSpec,
  type DoctorRun,
  type RunningSupervisor,
} from "./harness/doctor-helpers.js";
import { createLab, type Lab } from "./harness/lab.js";
import { tcpExtCounter } from "./harness/rendered-config.js";
import { caseDaemons } from "./harness/matrix.js";
import { waitFor } from "./harness/wait.js";

type Daemon = "bird" | "frr";
/** the hosts whose cases this run generates (harness/matrix.ts) */
const DAEMONS: Daemon[] = caseDaemons("doctor");
const TYPO = "169.254.250.2";
const WRONG_ASN = 65099;
const TOR_PASSWORD = "right-pw";

/** per daemon: the ok host's services, each with a file health check and its address on lo */
const OK_SERVICES = {
  bird: [
    { name: "web", prefixes: ["192.0.2.11/32"] },
    { name: "dns", prefixes: ["192.0.2.53/32"] },
  ],
  frr: [
    { name: "web", prefixes: ["192.0.2.12/32"] },
    { name: "dns", prefixes: ["192.0.2.54/32"] },
  ],
};
const BAD_SERVICE = { bird: { name: "api", prefixes: ["192.0.2.21/32"] }, frr: { name: "api", prefixes: ["192.0.2.22/32"] } };

const okHost = (d: Daemon) => `${d[0]}ok`;
const badHost = (d: Daemon) => `${d[0]}bad`;

let lab: Lab;
const sup = new Map<string, RunningSupervisor>();

function okSpec(d: Daemon, extra: Partial<DoctorHostSpec> = {}): DoctorHostSpec {
  return { services: OK_SERVICES[d], peers: labPeers(lab, okHost(d)), ...extra };
}

function badSpec(d: Daemon): DoctorHostSpec {
  const h = badHost(d);
  const right = writeSecret(lab, h, "tor-right.secret", TOR_PASSWORD);
  const wrong = writeSecret(lab, h, "tor-wrong.secret", "wrong-pw");
  const [t1, t2] = labPeers(lab, h);
  return {
    services: [BAD_SERVICE[d]],
    peers: [
      // the right password, the wrong ASN: TCP works, the OPEN does not
      { ...t1!, remoteAsn: WRONG_ASN, passwordFile: right },
      { ...t2!, passwordFile: wrong },
      { name: "typo", address: TYPO, remoteAsn: 65003 },
    ],
  };
}

/** the supervisor has applied everything, every service is UP and announced to every peer */
const settled = (st: SupervisorStatus) =>
  st.last_reconcile?.result === "ok" &&
  st.services.every((s) => s.state === "UP" && s.prefixes.every((p) => Object.keys(p.advertised).length > 0 && Object.values(p.advertised).every(Boolean))) &&
  st.peers.every((p) => p.state === "Established");

async function waitHealthy(d: Daemon, timeout = 30_000): Promise<void> {
  const h = okHost(d);
  await waitStatus(sup.get(h)!, "settled (applied, every service UP and announced, every peer Established)", settled, timeout);
  for (const s of OK_SERVICES[d]) for (const p of s.prefixes) for (const tor of ["tor1", "tor2"]) await waitRoute(lab, tor, p, "present", timeout);
  await waitFor(() => lab.observe.defaultRoute(h), { what: `${h}'s BGP default route in the kernel`, timeout, until: (r) => r !== undefined && r.nexthops.length === 2 });
}

const codes = (d: DoctorRun) => d.findings.map((f) => f.code);
const one = (d: DoctorRun, code: string): Finding => {
  const f = byCode(d, code);
  expect(f, `${code} expected among:\n${problems(d)}`).toHaveLength(1);
  return f[0]!;
};
const text = (f: Finding) => `${f.finding}\n${f.evidence ?? ""}\n${f.fix ?? ""}`;
/** every finding outside `except` passes (or is skipped) */
function othersPass(d: DoctorRun, except: string[]): void {
  const bad = d.findings.filter((f) => (f.result === "FAIL" || f.result === "WARN") && !except.includes(f.code));
  expect(bad.map((f) => `${f.code}: ${f.finding}${f.evidence ? ` | ${f.evidence}` : ""}`).join("\n"), "unexpected findings").toBe("");
}

beforeAll(async () => {
  ensureBundle();
  lab = await createLab({
    tors: [
      { name: "tor1", asn: 65001 },
      { name: "tor2", asn: 65002 },
    ],
    hosts: DAEMONS.flatMap((d) => [
      { name: okHost(d), daemon: d, links: ["tor1", "tor2"], families: ["ipv4" as const], addresses: OK_SERVICES[d].flatMap((s) => s.prefixes) },
      { name: badHost(d), daemon: d, links: ["tor1", "tor2"], families: ["ipv4" as const], addresses: BAD_SERVICE[d].prefixes, torSession: { password: TOR_PASSWORD } },
    ]),
  });
  snapshotBundle(lab);
  for (const d of DAEMONS) {
    for (const h of [okHost(d), badHost(d)]) await saneSysctls(lab, h);
    sup.set(okHost(d), startSupervisor(lab, okHost(d), okSpec(d)));
    sup.set(badHost(d), startSupervisor(lab, badHost(d), badSpec(d)));
  }
  await Promise.all(DAEMONS.map((d) => waitHealthy(d, 60_000)));
  await waitEstablished(lab, { hosts: DAEMONS.map(okHost), timeout: 60_000 });
});

afterAll(async () => {
  await (lab as Lab | undefined)?.down();
});

describe.each(DAEMONS)("doctor on a %s host", (d) => {
  const h = okHost(d);
  const host = () => lab.host(h);
  const svc = OK_SERVICES[d];

  it("a healthy host: every finding PASS, exit 0", async () => {
    const r = await doctor(lab, h);
    expect(r.findings.filter((f) => f.result !== "PASS"), problems(r)).toEqual([]);
    expect(r.findings.map((f) => f.area)).toEqual(["manifest", "daemon", "config", "sessions", "advertisement", "host", "supervisor"]);
    // the version the lab's daemon set runs, as the daemon itself says it ("frr 10.3", "bird 2.0.12")
    const version = lab.daemons[d].label.split(" ")[1]!;
    expect(r.findings.find((f) => f.area === "daemon")!.finding).toMatch(new RegExp(`^${d} ${version.replace(/\./g, "\\.")}[.\\d]* is running`));
    expect(r.findings.find((f) => f.area === "sessions")!.finding).toBe("2/2 peer(s) Established");
    expect(r.findings.find((f) => f.area === "supervisor")!.finding).toMatch(/^running \(pid \d+\)/);
    expect([r.result, r.code]).toEqual(["PASS", 0]);
  });

  it("a service address missing from lo: the supervisor withholds the service; ADDR_MISSING says so with the `ip addr add` fix, exit 1", async () => {
    const prefix = svc[0]!.prefixes[0]!;
    const name = svc[0]!.name;
    await lab.faults.removeAddress(h, prefix);
    try {
      await waitStatus(sup.get(h)!, `${name} withheld and withdrawn`, (st) => st.services.some((x) => x.name === name && x.address_missing.length > 0 && x.prefixes.every((p) => p.desired === "withdrawn" && !Object.values(p.advertised).some(Boolean))));
      const r = await doctor(lab, h);
      const f = one(r, "ADDR_MISSING");
      expect(f.result).toBe("WARN");
      expect(f.finding).toContain(`${prefix} (${name})`);
      expect(f.finding).toContain(`${name} not announced until the address is back`);
      expect(f.fix).toContain(`ip addr add ${prefix} dev lo`);
      othersPass(r, ["ADDR_MISSING"]);
      expect(r.code).toBe(1);
    } finally {
      await lab.faults.addAddress(h, prefix);
    }
    await waitHealthy(d);
  });

  it("a failing health check: SERVICE_UNHEALTHY with the check's reason, exit 1", async () => {
    const s = sup.get(h)!;
    setHealthy(lab, h, "dns", false);
    try {
      await waitStatus(s, "dns DOWN and withdrawn", (st) => st.services.some((x) => x.name === "dns" && x.state === "DOWN" && x.prefixes.every((p) => !Object.values(p.advertised).some(Boolean))));
      const r = await doctor(lab, h);
      const f = one(r, "SERVICE_UNHEALTHY");
      expect(f.result).toBe("WARN");
      expect(f.finding).toMatch(new RegExp(`^dns: DOWN since \\d\\d:\\d\\d:\\d\\d — file \\S+: ${join(host().dir, "health", "dns")} is absent`));
      expect(f.fix).toContain("svcroute probe dns");
      // a withdrawn service needs no address and is not expected at the ToRs
      othersPass(r, ["SERVICE_UNHEALTHY"]);
      expect(r.code).toBe(1);
    } finally {
      setHealthy(lab, h, "dns", true);
      await waitHealthy(d);
    }
  });

  it("run by a user the daemon's socket refuses: DAEMON_SOCKET_PERMISSION with the group to join", async () => {
    const r = await doctor(lab, h, undefined, { user: { uid: "nobody", gid: "nogroup" } });
    const f = one(r, "DAEMON_SOCKET_PERMISSION");
    expect(f.result).toBe("FAIL");
    expect(f.evidence).toMatch(/EACCES/);
    expect(f.fix).toContain(d === "frr" ? "usermod -aG frrvty" : "usermod -aG bird");
    expect(codes(r)).not.toContain("DAEMON_DOWN");
    // what it cannot see is said so, not reported as fine or as down
    expect(codes(r)).toContain("SUPERVISOR_SOCKET_PERMISSION");
    expect(codes(r)).not.toContain("SUPERVISOR_DOWN");
    expect(r.findings.find((x) => x.area === "config")).toMatchObject({ code: "CONFIG_SKIPPED", result: "SKIP" });
    expect(r.code).toBe(2);
  });

  it.runIf(d === "frr")("FRR: bgpd disabled in the daemons file next to frr.conf: DAEMON_NOT_ENABLED", async () => {
    const file = join(host().dir, "daemons");
    writeFileSync(file, "zebra=yes\nbgpd=no\nbfdd=no\n");
    try {
      const r = await doctor(lab, h);
      const f = one(r, "DAEMON_NOT_ENABLED");
      expect(f.fix).toContain("s/^bgpd=no/bgpd=yes/");
      expect(r.code).toBe(2);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it("a change the daemon's parser refuses: RECONCILE_FAILED and CONFIG_STALE, with the parser's words", async () => {
    const s = sup.get(h)!;
    const wrapper = join(host().dir, `${d}-refuses`);
    // the real program, except that its config check refuses everything
    writeFileSync(
      wrapper,
      d === "bird"
        ? `#!/bin/sh\nfor a in "$@"; do [ "$a" = "-p" ] && { echo "bird: $3:1:1 refused by the test wrapper" >&2; exit 1; }; done\nexec ${lab.tools(h).bird} "$@"\n`
        : `#!/bin/sh\nfor a in "$@"; do [ "$a" = "-C" ] && { echo "line 1: % Unknown command[1]: refused by the test wrapper"; exit 2; }; done\nexec ${lab.tools(h).vtysh} "$@"\n`,
    );
    chmodSync(wrapper, 0o755);
    const original = readFileSync(s.manifest, "utf8");
    const before = (await waitStatus(s, "a reconcile on record", (st) => st.manifest.hash !== null)).manifest.hash;
    // a session-level change (hold time), so the new config must pass the daemon's parser
    writeManifest(lab, h, okSpec(d, { daemonExtra: [`${d === "bird" ? "bird" : "vtysh"}: ${wrapper}`], peers: labPeers(lab, h).map((p) => ({ ...p, timers: "{keepalive: 1s, hold: 4s, connect_retry: 1s}" })) }));
    try {
      await waitStatus(s, "the new manifest rejected", (st) => st.manifest.hash !== before && st.last_reconcile?.code === "E_DAEMON_REJECTED");
      const r = await doctor(lab, h);
      const failed = one(r, "RECONCILE_FAILED");
      expect(failed.finding).toContain("E_DAEMON_REJECTED");
      // BIRD's message is quoted; vtysh's is its diagnosis of the file's line
      const said = d === "bird" ? /:1: column 1: refused by the test wrapper/ : /:1: Unknown command/;
      expect(failed.evidence).toMatch(said);
      const stale = one(r, "CONFIG_STALE");
      expect(stale.finding).toMatch(/was rendered from another manifest \([0-9a-f]{12}, the manifest on disk is [0-9a-f]{12}\): the last change was not applied/);
      expect(stale.evidence).toContain(d === "bird" ? "bird -p rejects" : "vtysh -C rejects");
      expect(stale.evidence).toMatch(said);
      expect(stale.fix).toContain("svcroute diff");
      // the daemon still runs the last good config: sessions and announcements are intact
      othersPass(r, ["RECONCILE_FAILED", "CONFIG_STALE"]);
      expect(r.code).toBe(2);
    } finally {
      writeFileSync(s.manifest, original);
    }
    // the supervisor picks the old manifest up again (after its retry backoff)
    await waitStatus(s, "back on the original manifest", (st) => st.manifest.hash === before && st.last_reconcile?.result === "ok");
    expect((await doctor(lab, h)).code).toBe(0);
  });

  it("the routing daemon stopped while the supervisor runs: DAEMON_DOWN; the supervisor recovers once it is back", async () => {
    await lab.faults.kill(h);
    // and an announced service's address gone: still found with the daemon away
    const prefix = svc[1]!.prefixes[0]!;
    await lab.faults.removeAddress(h, prefix);
    let r: DoctorRun;
    try {
      r = await doctor(lab, h);
    } finally {
      await lab.faults.addAddress(h, prefix);
    }
    const f = one(r, "DAEMON_DOWN");
    expect(f.result).toBe("FAIL");
    expect(f.fix).toContain(d === "frr" ? "systemctl start frr" : "systemctl start bird");
    expect(r.findings.find((x) => x.area === "sessions")).toMatchObject({ result: "SKIP" });
    expect(one(r, "ADDR_MISSING").fix).toContain(`ip addr add ${prefix} dev lo`);
    expect(codes(r)).not.toContain("SUPERVISOR_DOWN");
    expect(r.code).toBe(2);

    const t = Date.now();
    await lab.startDaemon(h);
    await waitStatus(sup.get(h)!, "a good reconcile after the restart", (st) => (st.last_reconcile?.at ?? 0) > t && settled(st));
    await waitHealthy(d);
    // the kernel's default may still be the killed daemon's until the new one has replaced it
    // (BIRD 3 drops it at start-up and installs its own once the ToRs have sent theirs)
    const { value: again } = await waitFor(() => doctor(lab, h), { what: "doctor to find nothing wrong after the restart", timeout: 30_000, interval: 500, until: (x) => x.findings.every((f) => f.result === "PASS") });
    expect(again.findings.filter((x) => x.result !== "PASS"), problems(again)).toEqual([]);
  });

  it("the supervisor stopped: SUPERVISOR_DOWN, and every other area still checked from the daemon", async () => {
    await stopSupervisor(sup.get(h)!);
    const r = await doctor(lab, h);
    const f = one(r, "SUPERVISOR_DOWN");
    expect(f.finding).toMatch(/the supervisor is not running \(no answer on \S+svcroute\.sock: ENOENT\).*from the daemon directly/);
    expect(f.fix).toContain("systemctl start svcroute");
    othersPass(r, ["SUPERVISOR_DOWN"]);
    // checked, not skipped: the daemon answered
    expect(r.findings.find((x) => x.area === "sessions")).toMatchObject({ code: "SESSIONS_OK", finding: "2/2 peer(s) Established" });
    // a clean stop withdrew everything, and the config on disk says so
    expect(r.findings.find((x) => x.area === "advertisement")!.finding).toMatch(/exactly the 0 prefix\(es\) the config on disk announces/);
    expect(r.code).toBe(2);
  });

  it("a hand-edited config (the supervisor is not there to repair it): CONFIG_HAND_EDITED", async () => {
    const conf = host().paths!.configFile;
    const line = d === "frr" ? "ip prefix-list HAND-EDIT seq 5 permit 10.0.0.0/8" : "define HAND_EDIT = 1;";
    appendFileSync(conf, `${line}\n`);
    const r = await doctor(lab, h);
    const f = one(r, "CONFIG_HAND_EDITED");
    expect(f.finding).toContain("the supervisor replaces it when it starts");
    expect(f.fix).toContain("svcroute diff");
    if (d === "frr") {
      // FRR: frr-reload --test compares the file with the running config
      expect(one(r, "CONFIG_NOT_RUNNING").evidence).toContain(`+ ${line}`);
    }
    othersPass(r, ["CONFIG_HAND_EDITED", "CONFIG_NOT_RUNNING", "SUPERVISOR_DOWN"]);
    expect(r.code).toBe(2);
  });

  it("the routing daemon stopped and no supervisor: DAEMON_DOWN and SUPERVISOR_DOWN", async () => {
    await lab.faults.kill(h);
    const r = await doctor(lab, h);
    expect(one(r, "DAEMON_DOWN").evidence).toBeTruthy();
    one(r, "SUPERVISOR_DOWN");
    expect(r.findings.find((x) => x.area === "sessions")).toMatchObject({ result: "SKIP" });
    expect(r.code).toBe(2);
  });
});

describe.each(DAEMONS)("doctor on broken %s sessions", (d) => {
  const h = badHost(d);

  async function sessionFaults(r: DoctorRun): Promise<void> {
    const sessions = r.findings.filter((f) => f.area === "sessions");
    expect(sessions.map((f) => `${f.code} ${(f.evidence ?? "").split(" ")[0]}`).sort(), problems(r)).toEqual(["SESSION_ASN_MISMATCH tor1", "SESSION_AUTH tor2", "SESSION_NO_TCP typo"]);
    const asn = one(r, "SESSION_ASN_MISMATCH");
    expect(asn.finding).toContain(`another AS number than peers[tor1].remote_asn (${WRONG_ASN})`);
    expect(asn.fix).toContain("peers[tor1].remote_asn");
    const auth = one(r, "SESSION_AUTH");
    expect(text(auth)).toContain("tor-wrong.secret");
    expect(auth.finding).toMatch(/TCP-MD5 signature did not match/);
    expect(auth.evidence).toMatch(/TCPMD5Failure=[1-9]/);
    const typo = one(r, "SESSION_NO_TCP");
    expect(typo.finding).toContain(`typo: no BGP/TCP session with ${TYPO}`);
    expect(typo.finding).toContain("peers[typo].address");
    expect(typo.fix).toContain(`ip route get ${TYPO}`);
    expect(r.code).toBe(2);
  }

  it("wrong remote ASN, wrong password, an address nobody has: each peer gets its own diagnosis", async () => {
    const s = sup.get(h)!;
    await waitStatus(s, "tor1 refused over its AS", (st) => /Bad Peer AS/i.test(st.peers.find((p) => p.name === "tor1")?.last_error ?? ""));
    // the ToR's SYNs, signed with another password, are dropped by this host's kernel
    await waitFor(() => tcpExtCounter(lab, h, "TCPMD5Failure"), { what: `TCPMD5Failure > 0 in ${h}`, until: (n) => n > 0 });
    const r = await doctor(lab, h);
    await sessionFaults(r);
    othersPass(r, ["SESSION_ASN_MISMATCH", "SESSION_AUTH", "SESSION_NO_TCP"]);
  });

  it("the same with the supervisor stopped: found from the daemon directly, plus SUPERVISOR_DOWN", async () => {
    await stopSupervisor(sup.get(h)!);
    const r = await doctor(lab, h);
    await sessionFaults(r);
    one(r, "SUPERVISOR_DOWN");
    othersPass(r, ["SESSION_ASN_MISMATCH", "SESSION_AUTH", "SESSION_NO_TCP", "SUPERVISOR_DOWN"]);
  });
});
