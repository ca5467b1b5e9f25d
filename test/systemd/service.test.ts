// The packaged service under a real systemd. Debian 12 and 13 roots (packaging/systemd-root.sh)
// boot with systemd as PID 1 in a lab host's network namespace, linked to an FRR ToR; the .deb of
// `npm run package` is installed in them and driven as an admin would, for FRR and for BIRD:
// enable --now (readiness through the notify socket), the watchdog, reload, a crash loop that
// ends in OnFailure=svcroute-withdraw.service, and apt-get remove. What each step claims is
// observed where it matters: in systemd's own state and at the ToR.
// Run by packaging/systemd-gates.sh (vitest.systemd.config.ts), which builds what it needs.
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitEstablished, waitRoute } from "../lab/harness/conditions.js";
import { createLab, type Lab } from "../lab/harness/lab.js";
import { waitFor } from "../lab/harness/wait.js";
import { bootContainer, type Container } from "./container.js";

const ROOT = join(import.meta.dirname, "../..");
const PKG = join(ROOT, "packaging/out");
const ROOTS = { "Debian 12": "/var/cache/svcroute/systemd-bookworm", "Debian 13": "/var/cache/svcroute/systemd-trixie" } as const;
type Release = keyof typeof ROOTS;
type Daemon = "frr" | "bird";
const CASES: [Release, Daemon, string][] = [
  ["Debian 12", "frr", "d12f"],
  ["Debian 12", "bird", "d12b"],
  ["Debian 13", "frr", "d13f"],
  ["Debian 13", "bird", "d13b"],
];
/** the Ansible role and the Puppet module, each with its service management on */
const TOOLS: [Release, "ansible" | "puppet", string, Daemon][] = [
  ["Debian 12", "ansible", "d12a", "bird"],
  ["Debian 12", "puppet", "d12p", "frr"],
];
const DNS = "192.0.2.53/32";
const WEB = "192.0.2.54/32";

let lab: Lab;

beforeAll(async () => {
  const debs = existsSync(PKG) ? readdirSync(PKG).filter((f) => /^svcroute_.*_all\.deb$/.test(f)) : [];
  if (debs.length !== 1) throw new Error(`need exactly one svcroute .deb in ${PKG} (npm run package), found ${debs.length}`);
  for (const r of Object.values(ROOTS)) if (!existsSync(join(r, ".svcroute-root"))) throw new Error(`no root at ${r}: packaging/systemd-root.sh builds it`);
  lab = await createLab({
    tors: [{ name: "tor1", asn: 65001, timers: { keepalive: 1, hold: 3 } }],
    hosts: [...CASES.map(([, , h]) => h), ...TOOLS.map(([, , h]) => h)].map((h) => ({ name: h, daemon: "none" as const, links: ["tor1"], families: ["ipv4" as const], addresses: [DNS, WEB] })),
  });
}, 180_000);

afterAll(async () => {
  await (lab as Lab | undefined)?.down(); // undefined when the lab did not come up
});

function manifest(host: string, daemon: Daemon, extra = ""): string {
  const h = lab.host(host);
  const l = lab.link(host, "tor1");
  return `version: 1
daemon: ${daemon}
router: {asn: ${h.asn}, router_id: ${h.routerId}}
peers:
  - {name: tor1, address: ${l.tor4}, remote_asn: ${l.torAsn}, timers: {keepalive: 1s, hold: 3s, connect_retry: 1s}}
policy: {allowed_prefixes: [192.0.2.0/24], accept: none}
services:
  - name: dns
    prefixes: [${DNS}]
    interval: 500ms
    rise: 1
    checks: [{type: file, path: /var/lib/svcroute-gate/dns-up}]
${extra}`;
}

const WEB_SERVICE = `  - {name: web, prefixes: [${WEB}]}\n`;

describe.each(CASES)("%s, %s: the .deb under systemd", (release, daemon, host) => {
  let c: Container;
  const sh = (cmd: string, allowFail = false) => c.sh(cmd, { allowFail });
  const svc = () => c.show("svcroute", ["ActiveState", "SubState", "MainPID", "NRestarts", "StatusText", "Result", "WatchdogTimestampMonotonic"]);
  const write = (path: string, text: string) => sh(`cat > ${path} <<'SVCROUTE_EOF'\n${text}SVCROUTE_EOF`);

  beforeAll(async () => {
    c = await bootContainer(lab, host, ROOTS[release], { [PKG]: "/mnt/pkg" });
  }, 180_000);

  afterAll(async () => {
    await (c as Container | undefined)?.stop();
  });

  it("installs; `systemctl enable --now svcroute` returns once the supervisor said READY=1, and the ToR has the route", async () => {
    await sh("apt-get install -y -q /mnt/pkg/svcroute_*_all.deb");
    expect((await sh("stat -c '%U:%G %a' /etc/svcroute/svcroute.yaml")).stdout.trim()).toBe("root:svcroute 640");
    if (daemon === "frr") await sh("sed -i 's/^bgpd=no/bgpd=yes/' /etc/frr/daemons && systemctl enable --now frr");
    else await sh("systemctl enable --now bird");
    await sh("mkdir -p /var/lib/svcroute-gate && touch /var/lib/svcroute-gate/dns-up");
    await write("/etc/svcroute/svcroute.yaml", manifest(host, daemon));
    expect((await sh("svcroute check", true)).code).toBe(0);
    const en = await sh("systemctl enable --now svcroute", true);
    expect(en.code, en.stderr).toBe(0);
    // Type=notify: `start` returned, so systemd has the readiness message; the status line is svcroute's
    expect(await svc()).toMatchObject({ ActiveState: "active", SubState: "running", StatusText: "announcing healthy services" });
    await waitEstablished(lab, { hosts: [host], timeout: 60_000 });
    await waitRoute(lab, "tor1", DNS, "present", 30_000);
  });

  it("the watchdog: pings arrive while it runs; a frozen supervisor is killed and restarted, the route stays", async () => {
    await sh("mkdir -p /run/systemd/system/svcroute.service.d && printf '[Service]\\nWatchdogSec=3s\\nTimeoutAbortSec=2s\\n' > /run/systemd/system/svcroute.service.d/gate-watchdog.conf");
    await sh("systemctl daemon-reload && systemctl restart svcroute");
    const seen = new Set<string>();
    await waitFor(svc, { what: `${host}: two watchdog pings`, timeout: 20_000, interval: 200, until: (s) => (seen.add(s.WatchdogTimestampMonotonic!), seen.size >= 3) });
    const before = await svc();
    await waitRoute(lab, "tor1", DNS, "present", 30_000);
    await sh(`kill -STOP ${before.MainPID}`);
    const { value: after } = await waitFor(svc, {
      what: `${host}: the watchdog to restart the frozen supervisor`,
      timeout: 30_000,
      interval: 250,
      until: (s) => Number(s.NRestarts) > Number(before.NRestarts) && s.ActiveState === "active" && s.MainPID !== before.MainPID,
    });
    expect(after.MainPID).not.toBe("0");
    expect((await sh("journalctl -u svcroute --no-pager")).stdout).toMatch(/Watchdog timeout/);
    await waitRoute(lab, "tor1", DNS, "present", 30_000);
    await sh("rm /run/systemd/system/svcroute.service.d/gate-watchdog.conf && systemctl daemon-reload && systemctl reset-failed svcroute");
  });

  it("`systemctl reload` re-reads the manifest; a broken one is refused and changes nothing", async () => {
    await write("/etc/svcroute/svcroute.yaml", manifest(host, daemon, WEB_SERVICE));
    const ok = await sh("systemctl reload svcroute", true);
    expect(ok.code, ok.stderr).toBe(0);
    await waitRoute(lab, "tor1", WEB, "present", 30_000);
    await write("/etc/svcroute/svcroute.yaml", manifest(host, daemon, WEB_SERVICE).replace(WEB, "198.51.100.54/32"));
    const bad = await sh("systemctl reload svcroute", true);
    expect(bad.code).not.toBe(0);
    for (const p of [DNS, WEB]) await waitRoute(lab, "tor1", p, "present", 1000);
    expect((await svc()).ActiveState).toBe("active");
    await write("/etc/svcroute/svcroute.yaml", manifest(host, daemon, WEB_SERVICE));
  });

  it("a crash loop fails the unit, OnFailure= runs svcroute-withdraw.service, and the ToR loses every route", async () => {
    await sh("systemctl reset-failed svcroute");
    let kills = 0;
    for (;;) {
      const s = await svc();
      if (s.ActiveState === "failed") break;
      if (kills === 3) for (const p of [DNS, WEB]) await waitRoute(lab, "tor1", p, "present", 1000); // quick restarts keep routes
      await sh(`kill -9 ${s.MainPID}`);
      kills++;
      await waitFor(svc, {
        what: `${host}: restarted or given up after kill ${kills}`,
        timeout: 30_000,
        interval: 100,
        until: (x) => x.ActiveState === "failed" || (x.ActiveState === "active" && x.MainPID !== s.MainPID),
      });
      expect(kills).toBeLessThan(10);
    }
    // systemd keeps the last failure's result ("signal"); the journal says why it gave up
    expect((await sh("journalctl -u svcroute --no-pager")).stdout).toMatch(/Start request repeated too quickly[\s\S]*Triggering OnFailure= dependencies/);
    await waitFor(() => c.show("svcroute-withdraw", ["Result", "ExecMainStatus", "ExecMainExitTimestampMonotonic"]), {
      what: `${host}: svcroute-withdraw.service to have run`,
      timeout: 60_000,
      until: (w) => w.ExecMainExitTimestampMonotonic !== "0",
    }).then(({ value }) => expect(value).toMatchObject({ Result: "success", ExecMainStatus: "0" }));
    for (const p of [DNS, WEB]) await waitRoute(lab, "tor1", p, "absent", 30_000);
  });

  it("`apt-get remove` stops the service, which withdraws before the package is gone", async () => {
    await sh("systemctl reset-failed svcroute && systemctl start svcroute");
    for (const p of [DNS, WEB]) await waitRoute(lab, "tor1", p, "present", 30_000);
    await sh("apt-get remove -y -q svcroute");
    for (const p of [DNS, WEB]) await waitRoute(lab, "tor1", p, "absent", 5000);
    expect((await sh("journalctl -u svcroute --no-pager")).stdout).toMatch(/every prefix withdrawn/);
  });
});

/** the routing daemon as the distribution's package runs it */
const startDaemon = (c: Container, daemon: Daemon) =>
  c.sh(daemon === "frr" ? "sed -i 's/^bgpd=no/bgpd=yes/' /etc/frr/daemons && systemctl enable --now frr" : "systemctl enable --now bird");

describe.each(TOOLS)("%s: the %s way, with service management on", (release, tool, host, daemon) => {
  let c: Container;
  beforeAll(async () => {
    c = await bootContainer(lab, host, ROOTS[release], { [PKG]: "/mnt/pkg", [join(ROOT, "packaging")]: "/mnt/packaging" });
    await startDaemon(c, daemon);
  }, 180_000);
  afterAll(async () => {
    await (c as Container | undefined)?.stop();
  });

  const vars = () => {
    const h = lab.host(host);
    const l = lab.link(host, "tor1");
    return { asn: h.asn, routerId: h.routerId, peer: l.tor4, peerAsn: l.torAsn };
  };
  const deb = () => `/mnt/pkg/${readdirSync(PKG).find((f) => /^svcroute_.*_all\.deb$/.test(f))}`;

  function playbook(withWeb: boolean): string {
    const v = vars();
    return `- hosts: localhost
  connection: local
  gather_facts: true
  gather_subset: [min]
  vars:
    svcroute_package_file: ${deb()}
    svcroute_daemon: ${daemon}
    svcroute_router: {asn: ${v.asn}, router_id: ${v.routerId}}
    svcroute_peers: [{name: tor1, address: ${v.peer}, remote_asn: ${v.peerAsn}, timers: {keepalive: 1s, hold: 3s, connect_retry: 1s}}]
    svcroute_policy: {allowed_prefixes: [192.0.2.0/24], accept: none}
    svcroute_services: [{name: dns, prefixes: [${DNS}]}]
    svcroute_drop_ins: {${withWeb ? `web: [{name: web, prefixes: [${WEB}]}]` : ""}}
  roles: [svcroute]
`;
  }

  function puppetSite(withWeb: boolean): string {
    const v = vars();
    return `class { 'svcroute':
  daemon         => '${daemon}',
  router         => { 'asn' => ${v.asn}, 'router_id' => '${v.routerId}' },
  peers          => [{ 'name' => 'tor1', 'address' => '${v.peer}', 'remote_asn' => ${v.peerAsn}, 'timers' => { 'keepalive' => '1s', 'hold' => '3s', 'connect_retry' => '1s' } }],
  policy         => { 'allowed_prefixes' => ['192.0.2.0/24'], 'accept' => 'none' },
  services       => [{ 'name' => 'dns', 'prefixes' => ['${DNS}'] }],
  package_source => '${deb()}',
}
${withWeb ? `svcroute::service { 'web':\n  prefixes => ['${WEB}'],\n}\n` : ""}`;
  }

  const ansible = (withWeb: boolean) =>
    c.sh(`mkdir -p /root/play && cat > /root/play/site.yml <<'SVCROUTE_EOF'\n${playbook(withWeb)}SVCROUTE_EOF\ncd /root/play && ANSIBLE_ROLES_PATH=/mnt/packaging/ansible/roles ANSIBLE_LOCALHOST_WARNING=false ansible-playbook -i localhost, site.yml`, { allowFail: true });
  const puppet = (withWeb: boolean) =>
    c.sh(`cat > /root/site.pp <<'SVCROUTE_EOF'\n${puppetSite(withWeb)}SVCROUTE_EOF\npuppet apply --detailed-exitcodes --color=false --modulepath /mnt/packaging/puppet /root/site.pp`, { allowFail: true });

  it("installs the package, writes the files, enables and starts the service: the ToR has the route; a second run changes nothing", async () => {
    const run = (withWeb: boolean) => (tool === "ansible" ? ansible(withWeb) : puppet(withWeb));
    const first = await run(false);
    expect(first.code, first.stdout.slice(-2000)).toBe(tool === "ansible" ? 0 : 2);
    expect(await c.show("svcroute", ["ActiveState", "UnitFileState"])).toMatchObject({ ActiveState: "active", UnitFileState: "enabled" });
    await waitEstablished(lab, { hosts: [host], timeout: 60_000 });
    await waitRoute(lab, "tor1", DNS, "present", 30_000);
    const again = await run(false);
    expect(again.code, again.stdout.slice(-2000)).toBe(0);
    if (tool === "ansible") expect(again.stdout).toMatch(/changed=0 /);
  });

  it("a new drop-in is written and the service reloaded (Ansible's handler, Puppet's refresh): the ToR gets its route", async () => {
    const r = tool === "ansible" ? await ansible(true) : await puppet(true);
    expect(r.code, r.stdout.slice(-2000)).toBe(tool === "ansible" ? 0 : 2);
    expect(r.stdout).toMatch(tool === "ansible" ? /RUNNING HANDLER \[svcroute : Reload svcroute\]/ : /Service\[svcroute\]: Triggered 'refresh'/);
    await waitRoute(lab, "tor1", WEB, "present", 30_000);
  });
});
