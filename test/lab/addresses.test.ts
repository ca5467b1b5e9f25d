// Service addresses with the real supervisor. `addresses: manage`: every service address appears
// on lo at start (even for a service that is not healthy yet), and an address svcroute added
// leaves only after its prefix has left the ToR; an address the admin configured is never touched.
// Address required: a service whose address is removed by hand is withdrawn at the ToR, with the
// reason in status, metrics and doctor, and announced again once the address is back; `address:
// none` announces a routed-only prefix without one.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callSupervisor, fetchStatus } from "../../src/supervisor/client.js";
import type { SupervisorStatus } from "../../src/supervisor/status-types.js";
import { waitRoute } from "./harness/conditions.js";
import { createLab, type Lab } from "./harness/lab.js";
import { ensureBundle, manifestFor, metric, pathFrom, plannedStop, startSupervisor, supervisorEvidence, svcroute, waitSupervisorUp, writeAtomic, type Supervised } from "./harness/supervised.js";
import { caseDaemons } from "./harness/matrix.js";
import { waitFor } from "./harness/wait.js";

/** the hosts whose cases this run generates (harness/matrix.ts) */
const DAEMONS = caseDaemons("addresses");
const HOST = { bird: "hb", frr: "hf" } as const;
let lab: Lab;
const sup: Partial<Record<(typeof DAEMONS)[number], Supervised>> = {};

const services = (withOld: boolean) => [
  { name: "web", prefixes: ["192.0.2.80/32"] },
  { name: "cold", prefixes: ["192.0.2.81/32"] },
  ...(withOld ? [{ name: "old", prefixes: ["192.0.2.82/32"] }] : []),
];
const opts = (withOld: boolean) => ({ services: services(withOld), extra: "addresses: {interface: lo, manage: true}" });

function addrs(ns: string): string[] {
  const j = JSON.parse(execFileSync("ip", ["-n", ns, "-j", "addr", "show", "dev", "lo"], { encoding: "utf8" })) as { addr_info: { local: string }[] }[];
  return j.flatMap((x) => x.addr_info.map((a) => a.local));
}

beforeAll(async () => {
  ensureBundle();
  lab = await createLab({
    tors: [{ name: "tor1", asn: 65001 }],
    // 192.0.2.82 is also configured by "the admin" on the BIRD host
    hosts: DAEMONS.map((d) => ({ name: HOST[d], daemon: d, links: ["tor1"], families: ["ipv4" as const], ...(d === "bird" ? { addresses: ["192.0.2.82"] } : {}) })),
  });
}, 120_000);

afterAll(async () => {
  // unset when beforeAll failed
  if (!(lab as Lab | undefined)) return;
  // clean-up only: whatever is left goes down with the lab
  await plannedStop(lab, Object.values(sup).map((s) => s.pid)).catch(() => undefined);
  await lab.down();
});

describe.each(DAEMONS)("addresses: manage on a %s host", (d) => {
  const host = HOST[d];

  it("puts every service address on lo at start, healthy or not", async () => {
    const s = startSupervisor(lab, host, { ...opts(true), healthy: false });
    sup[d] = s;
    s.setHealthy("web", true);
    s.setHealthy("old", true);
    await waitSupervisorUp(s);
    const ns = lab.ns(host);
    await waitFor(() => addrs(ns), { what: `service addresses on ${host}'s lo`, until: (a) => ["192.0.2.80", "192.0.2.81", "192.0.2.82"].every((x) => a.includes(x)) });
    await waitRoute(lab, "tor1", "192.0.2.80/32", "present", 60_000);
    // "cold" has never been healthy: its address is there to bind, its prefix is not announced
    expect(await lab.observe.hasRoute("tor1", "192.0.2.81/32")).toBe(false);
  });

  it("a service removed from the manifest: its prefix leaves the ToR before its address leaves lo", async () => {
    const s = sup[d]!;
    const ns = lab.ns(host);
    await waitRoute(lab, "tor1", "192.0.2.82/32", "present", 30_000);
    const seen: { route: boolean; addr: boolean }[] = [];
    const watching = new AbortController();
    const watcher = (async () => {
      while (!watching.signal.aborted) {
        // the address first: a route still at the ToR after the address was seen gone was there
        // while it was gone (read the other way round, a withdrawal and a removal both landing
        // between the two reads would look like a removal before the withdrawal)
        const addr = addrs(ns).includes("192.0.2.82");
        const route = await lab.observe.hasRoute("tor1", "192.0.2.82/32");
        seen.push({ route, addr });
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    writeAtomic(s.manifest, manifestFor(lab, host, opts(false)));
    await waitRoute(lab, "tor1", "192.0.2.82/32", "absent", 30_000);
    if (d === "frr") {
      await waitFor(() => addrs(ns), { what: "192.0.2.82 removed from lo", until: (a) => !a.includes("192.0.2.82") });
    } else {
      // on the BIRD host the admin configured 192.0.2.82 before svcroute started: once the
      // supervisor has applied the new manifest (and would have removed its own), it is still there
      await waitFor(() => fetchStatus(s.socket), { what: "the new manifest applied", until: (st) => st.services.length === 2 && st.last_reconcile?.result === "ok" });
      expect(addrs(ns)).toContain("192.0.2.82");
    }
    watching.abort();
    await watcher;
    // never a moment with the route still at the ToR and the address already gone
    expect(seen.filter((x) => x.route && !x.addr)).toEqual([]);
    expect(addrs(ns)).toEqual(expect.arrayContaining(["192.0.2.80", "192.0.2.81"]));
  });
});

describe.each(DAEMONS)("address required on a %s host", (d) => {
  const host = HOST[d];
  // web needs 192.0.2.80 (on lo since the tests above); routed has no address here and says so
  const required = {
    services: [
      { name: "web", prefixes: ["192.0.2.80/32"] },
      { name: "routed", prefixes: ["192.0.2.83/32"], extra: ["    address: none"] },
    ],
  };
  const web = (st: SupervisorStatus) => st.services.find((x) => x.name === "web");
  // both hosts announce 192.0.2.80: what counts is the path from this one
  const fromHost = (prefix: string, want: "present" | "absent") =>
    waitFor(() => pathFrom(lab, "tor1", host, prefix), { what: `${prefix} from ${host} ${want} at tor1`, timeout: 30_000, until: (p) => (p !== undefined) === (want === "present") }).catch((e: unknown) => {
      throw new Error(`${(e as Error).message}\n${supervisorEvidence([sup[d]!], 60)}`, { cause: e });
    });

  it("address: none is announced without its address; web is announced with its own", async () => {
    const s = sup[d]!;
    s.setHealthy("routed", true);
    writeAtomic(s.manifest, manifestFor(lab, host, required));
    await waitFor(() => fetchStatus(s.socket), { what: "the manifest without addresses: manage applied", until: (st) => st.services.length === 2 && st.last_reconcile?.result === "ok" });
    expect(addrs(lab.ns(host))).not.toContain("192.0.2.83");
    await fromHost("192.0.2.83/32", "present");
    await fromHost("192.0.2.80/32", "present");
  });

  it("its address removed by hand: withdrawn at the ToR, the reason in status, metrics and doctor; back: announced", async () => {
    const s = sup[d]!;
    const ns = lab.ns(host);
    execFileSync("ip", ["-n", ns, "addr", "del", "192.0.2.80/32", "dev", "lo"]);
    await fromHost("192.0.2.80/32", "absent");
    const { value: st } = await waitFor(() => fetchStatus(s.socket), { what: "web reported without its address", until: (x) => web(x)?.address_missing.join() === "192.0.2.80" });
    expect(web(st)).toMatchObject({ state: "UP", prefixes: [{ prefix: "192.0.2.80/32", desired: "withdrawn" }] });
    // the routed-only service is not affected
    expect(await pathFrom(lab, "tor1", host, "192.0.2.83/32")).toBeDefined();
    const text = await svcroute(lab, host, ["status", "--socket", s.socket]);
    expect(text.stdout).toMatch(/^web +UP \(no address\) .*not announced: 192\.0\.2\.80 not on this host/m);
    expect(metric((await callSupervisor(s.socket, "GET", "/metrics")).body, "svcroute_service_address_missing", 'service="web"')).toBe(1);
    const doc = await svcroute(lab, host, ["doctor", "--json", "-m", s.manifest]);
    const findings = (JSON.parse(doc.stdout) as { findings: { code: string; result: string; finding: string; fix?: string }[] }).findings;
    const f = findings.find((x) => x.code === "ADDR_MISSING");
    expect(f, doc.stdout).toMatchObject({ result: "WARN" });
    expect(f!.finding).toContain("192.0.2.80/32 (web)");
    expect(f!.finding).toContain("web not announced until the address is back");
    expect(f!.fix).toContain("ip addr add 192.0.2.80/32 dev lo");

    execFileSync("ip", ["-n", ns, "addr", "add", "192.0.2.80/32", "dev", "lo"]);
    await fromHost("192.0.2.80/32", "present");
    await waitFor(() => fetchStatus(s.socket), { what: "web's address back in status", until: (x) => web(x)?.address_missing.length === 0 });
  });
});
