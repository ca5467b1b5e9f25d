// Attributes while healthy and role: primary | standby (issue 18, item 2). A BIRD host and an FRR
// host announce the same prefix to one ToR. The primary's own MED, standard and large communities
// (and, changed by reload, its own AS-path prepend) reach the ToR and its path is best; the standby's arrives prepended (its deprefer attributes,
// default 3 prepends) and takes over when the primary fails. Attributes and roles change by reload
// while healthy, without a session reset; then the roles swap, so each daemon is proven as both.
import { readFileSync } from "node:fs";
import { beforeAll, expect, it } from "vitest";
import { fetchStatus } from "../../src/supervisor/client.js";
import { createLab, type Lab } from "./harness/lab.js";
import { ensureBundle, manifestFor, paths, startSupervisor, svcroute, waitSupervisorUp, writeAtomic, type PathInfo, type Supervised } from "./harness/supervised.js";
import { endSupervisedSuite } from "./harness/suite.js";
import { waitFor } from "./harness/wait.js";

type Daemon = "bird" | "frr";
const DAEMONS: Daemon[] = ["bird", "frr"];
const HOST: Record<Daemon, string> = { bird: "hb", frr: "hf" };
const PREFIX = "192.0.2.130/32";

let lab: Lab;
const sup = {} as Record<Daemon, Supervised>;

/** the `api` service of one host: its role and attributes while healthy */
function manifestOf(d: Daemon, role: "primary" | "standby", attrs: string[]) {
  return manifestFor(lab, HOST[d], {
    services: [{ name: "api", prefixes: [PREFIX], extra: [`    role: ${role}`, "    flap: {max_transitions: 1000}", ...attrs] }],
    checkTimeout: "150ms",
  });
}
const PRIMARY = ["    med: 10", '    communities: ["65000:60", "65000:1:60"]'];

/** the ToR's paths for the prefix, by host */
async function byHost(): Promise<Partial<Record<Daemon, PathInfo>>> {
  const all = await paths(lab, "tor1", PREFIX);
  const out: Partial<Record<Daemon, PathInfo>> = {};
  for (const d of DAEMONS) out[d] = all.find((p) => p.peer === lab.link(HOST[d], "tor1").host4);
  return out;
}
const atTor = (what: string, want: (p: Partial<Record<Daemon, PathInfo>>) => boolean) => waitFor(byHost, { what: `${PREFIX} at tor1: ${what}`, timeout: 20_000, interval: 50, until: want });

/** the ToR's session with each host: how often it came up and went down (a reset counts in both) */
async function sessionCounts(): Promise<Record<Daemon, [number, number] | undefined>> {
  const out = {} as Record<Daemon, [number, number] | undefined>;
  for (const d of DAEMONS) {
    const s = await lab.observe.session("tor1", HOST[d]);
    out[d] = s && [s.connectionsEstablished, s.connectionsDropped];
  }
  return out;
}

async function reload(d: Daemon, text: string): Promise<void> {
  writeAtomic(sup[d].manifest, text);
  const r = await svcroute(lab, HOST[d], ["reload", "-m", sup[d].manifest]);
  expect(r.code, r.stderr).toBe(0);
  expect(r.stdout).toMatch(/taken .*reconcile ok/);
}

beforeAll(async () => {
  ensureBundle();
  lab = await createLab({
    tors: [{ name: "tor1", asn: 65001, timers: { keepalive: 1, hold: 3 } }],
    hosts: [
      // the service address on both hosts: a service is announced only with its address there
      { name: HOST.bird, daemon: "bird", links: ["tor1"], families: ["ipv4"], addresses: [PREFIX] },
      { name: HOST.frr, daemon: "frr", links: ["tor1"], families: ["ipv4"], addresses: [PREFIX] },
    ],
  });
  writeAtomic(`${lab.host(HOST.bird).dir}/svcroute.yaml`, manifestOf("bird", "primary", PRIMARY));
  writeAtomic(`${lab.host(HOST.frr).dir}/svcroute.yaml`, manifestOf("frr", "standby", []));
  for (const d of DAEMONS) sup[d] = startSupervisor(lab, HOST[d], { services: [{ name: "api", prefixes: [PREFIX] }], keepManifest: true });
  await Promise.all(DAEMONS.map((d) => waitSupervisorUp(sup[d])));
});

endSupervisedSuite(() => lab, sup);

const asn = (d: Daemon) => lab.host(HOST[d]).asn;

it("the ToR prefers the primary (BIRD), which sends its MED and standard and large communities; the standby (FRR) arrives prepended 3 times", async () => {
  // the standby's path may reach the ToR a moment before its prepend does (FRR applies a new
  // route-map after bgp route-map delay-timer): wait for the policy, not the first path
  const { value } = await atTor("both paths, the primary's best, the standby's prepended", (p) => p.bird?.best === true && p.frr?.asPath.length === 4);
  expect(value.bird).toMatchObject({ asPath: [asn("bird")], med: 10, communities: ["65000:60"], largeCommunities: ["65000:1:60"] });
  expect(value.frr).toMatchObject({ asPath: [asn("frr"), asn("frr"), asn("frr"), asn("frr")], best: false });
  const st = await fetchStatus(sup.frr.socket);
  expect(st.services[0]).toMatchObject({ role: "standby", attributes: { as_path_prepend: 3, med: null, local_preference: null, communities: [], large_communities: [] } });
  // status follows the session as the supervisor observes it: waited for, not read once
  const row = /^api +UP +\S+ +192\.0\.2\.130\/32 +normal \(MED 10, 65000:60, 65000:1:60\) +yes/m;
  await waitFor(() => svcroute(lab, HOST.bird, ["status", "-m", sup.bird.manifest]), { what: "status: api advertised to tor1", timeout: 15_000, interval: 200, until: (t) => row.test(t.stdout) });
});

it("the primary fails: the ToR moves to the standby; back, the ToR returns to the primary", async () => {
  sup.bird.setHealthy("api", false);
  await atTor("the primary withdrawn, the standby best", (p) => p.bird === undefined && p.frr?.best === true);
  sup.bird.setHealthy("api", true);
  await atTor("the primary best again", (p) => p.bird?.best === true && p.frr?.best === false);
});

it("attributes changed while healthy reach the ToR without a session reset", async () => {
  const before = await sessionCounts();
  expect(before.bird?.[0]).toBeGreaterThan(0);
  await reload("bird", manifestOf("bird", "primary", ["    med: 20", "    as_path_prepend: 1", '    communities: ["65000:61", "65000:1:61"]']));
  // the primary's own prepend (1) while healthy: a longer path than before, still shorter than the standby's
  const { value } = await atTor("the primary's new MED, prepend and communities", (p) => p.bird?.med === 20 && p.bird.asPath.length === 2 && p.bird.communities.join() === "65000:61" && p.bird.largeCommunities.join() === "65000:1:61" && p.bird.best);
  expect(value.bird!.asPath).toEqual([asn("bird"), asn("bird")]);
  expect(await sessionCounts()).toEqual(before);
});

it("the roles swap by reload while healthy (FRR primary, BIRD standby), without a session reset; the FRR primary fails → the BIRD standby", async () => {
  const before = await sessionCounts();
  expect(before.bird?.[0]).toBeGreaterThan(0);
  await reload("frr", manifestOf("frr", "primary", PRIMARY));
  await reload("bird", manifestOf("bird", "standby", []));
  const { value } = await atTor("the FRR primary best, the BIRD standby prepended", (p) => p.frr?.best === true && p.bird?.asPath.length === 4);
  expect(value.frr).toMatchObject({ asPath: [asn("frr")], med: 10, communities: ["65000:60"], largeCommunities: ["65000:1:60"] });
  expect(await sessionCounts()).toEqual(before);
  sup.frr.setHealthy("api", false);
  await atTor("the FRR primary withdrawn, the BIRD standby best", (p) => p.frr === undefined && p.bird?.best === true);
  sup.frr.setHealthy("api", true);
  await atTor("the FRR primary best again", (p) => p.frr?.best === true);
});

it("the FRR primary's own prepend while healthy reaches the ToR by reload, without a session reset; still preferred over the standby", async () => {
  const before = await sessionCounts();
  const logged = readFileSync(sup.frr.logFile, "utf8").length;
  await reload("frr", manifestOf("frr", "primary", [...PRIMARY, "    as_path_prepend: 1"]));
  const { value } = await atTor("the FRR primary prepended once, still best", (p) => p.frr?.asPath.length === 2 && p.frr.best && p.bird?.asPath.length === 4);
  expect(value.frr).toMatchObject({ asPath: [asn("frr"), asn("frr")], med: 10, communities: ["65000:60"] });
  expect(await sessionCounts()).toEqual(before);
  // only the change went to bgpd (new route-maps, the network moved to them), and bgpd now runs
  // exactly the file: frr-reload.py --test, through `svcroute diff`, finds nothing to change
  expect(readFileSync(sup.frr.logFile, "utf8").slice(logged)).toMatch(/"msg":"applied only the change: incremental: \d+ command\(s\) in one vtysh call"/);
  const d = await svcroute(lab, HOST.frr, ["diff", "-m", sup.frr.manifest]);
  expect(d.code, d.stdout + d.stderr).toBe(0);
});
