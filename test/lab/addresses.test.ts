// `addresses: manage` with the real supervisor: every service address appears on lo at start
// (even for a service that is not healthy yet), and an address svcroute added leaves only after
// its prefix has left the ToR; an address the admin configured is never touched.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchStatus } from "../../src/supervisor/client.js";
import { waitRoute } from "./harness/conditions.js";
import { createLab, type Lab } from "./harness/lab.js";
import { ensureBundle, manifestFor, plannedStop, startSupervisor, waitSupervisorUp, writeAtomic, type Supervised } from "./harness/supervised.js";
import { waitFor } from "./harness/wait.js";

const DAEMONS = ["bird", "frr"] as const;
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
    hosts: [
      // 192.0.2.82 is also configured by "the admin" on the BIRD host
      { name: "hb", daemon: "bird", links: ["tor1"], families: ["ipv4"], addresses: ["192.0.2.82"] },
      { name: "hf", daemon: "frr", links: ["tor1"], families: ["ipv4"] },
    ],
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
  const host = d === "bird" ? "hb" : "hf";

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
        const route = await lab.observe.hasRoute("tor1", "192.0.2.82/32");
        seen.push({ route, addr: addrs(ns).includes("192.0.2.82") });
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
