// services[].peers (issue 18, item 1): a service announced to chosen peers only. A BIRD and an FRR
// host under `svcroute run`, each with two ToRs: `only1` and `dep1` go to tor1 alone, `all` to both.
// tor2 is watched without a gap from the first announcement to the end, through announce,
// withdraw, deprefer, drain and a reload that moves `all` to tor2 alone: it must never see a prefix
// of a service that is not announced to it. Status shows each service's peers and what each peer
// is sent.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fetchStatus } from "../../src/supervisor/client.js";
import type { SupervisorStatus } from "../../src/supervisor/status-types.js";
import { createLab, type Lab } from "./harness/lab.js";
import {
  ensureBundle,
  manifestFor,
  pathFrom,
  startSupervisor,
  svcroute,
  waitSupervisorUp,
  watchRoute,
  writeAtomic,
  type PathInfo,
  type RouteWatch,
  type ServiceSpec,
  type Supervised,
} from "./harness/supervised.js";
import { caseDaemons } from "./harness/matrix.js";
import { endSupervisedSuite } from "./harness/suite.js";
import { waitFor } from "./harness/wait.js";

type Daemon = "bird" | "frr";
/** the hosts whose cases this run generates (harness/matrix.ts) */
const DAEMONS: Daemon[] = caseDaemons("peer-choice");
const HOST: Record<Daemon, string> = { bird: "hb", frr: "hf" };
const P: Record<Daemon, { all: string; only1: string; dep1: string }> = {
  bird: { all: "192.0.2.110/32", only1: "192.0.2.111/32", dep1: "192.0.2.112/32" },
  frr: { all: "192.0.2.120/32", only1: "192.0.2.121/32", dep1: "192.0.2.122/32" },
};

let lab: Lab;
const sup = {} as Record<Daemon, Supervised>;
/** tor2, watched for the prefixes it must never receive, from before the first announcement */
const never = {} as Record<Daemon, RouteWatch[]>;

/** the test changes health often: no flap hold-down (a busy machine's slow stat adds flaps of its own) */
const FLAP = "    flap: {max_transitions: 1000}";

/** `allPeers`: the peers of `all` (item: a reload moves it); `extra1`: more lines of only1 */
function specs(d: Daemon, allPeers: string | null = null, extra1: string[] = []): ServiceSpec[] {
  return [
    { name: "all", prefixes: [P[d].all], noChecks: true, extra: allPeers ? [`    peers: [${allPeers}]`] : [] },
    { name: "only1", prefixes: [P[d].only1], extra: ["    peers: [tor1]", FLAP, ...extra1] },
    { name: "dep1", prefixes: [P[d].dep1], extra: ["    peers: [tor1]", FLAP, "    on_failure: deprefer", "    deprefer: {as_path_prepend: 2, communities: [65000:666]}"] },
  ];
}

const status = (d: Daemon): Promise<SupervisorStatus> => fetchStatus(sup[d].socket);

/** wait until `tor`'s path for `prefix` from d's host satisfies `want` (undefined: no path) */
function at(d: Daemon, tor: string, prefix: string, what: string, want: (p: PathInfo | undefined) => boolean, timeout = 15_000) {
  return waitFor(() => pathFrom(lab, tor, HOST[d], prefix), { what: `${prefix} from ${HOST[d]} at ${tor}: ${what}`, timeout, interval: 50, until: want });
}
const present = (p: PathInfo | undefined) => p !== undefined;
const absent = (p: PathInfo | undefined) => p === undefined;

/** the supervisor's own view settled: reconcile ok and every prefix where it belongs, per peer */
function statusSettled(d: Daemon, what: string, want: (s: SupervisorStatus) => boolean) {
  return waitFor(() => status(d), { what: `status of ${HOST[d]}: ${what}`, timeout: 15_000, until: (s) => s.last_reconcile?.result === "ok" && want(s) });
}
const prefixOf = (s: SupervisorStatus, svc: string) => s.services.find((x) => x.name === svc)!.prefixes[0]!;

beforeAll(async () => {
  ensureBundle();
  lab = await createLab({
    tors: [
      { name: "tor1", asn: 65001, timers: { keepalive: 1, hold: 3 } },
      { name: "tor2", asn: 65002, timers: { keepalive: 1, hold: 3 } },
    ],
    // every service address on the host: each service is announced only with its address there
    hosts: DAEMONS.map((d) => ({ name: HOST[d], daemon: d, links: ["tor1", "tor2"], families: ["ipv4" as const], addresses: Object.values(P[d]) })),
  });
  for (const d of DAEMONS) {
    never[d] = [watchRoute(lab, "tor2", P[d].only1, 50), watchRoute(lab, "tor2", P[d].dep1, 50)];
    sup[d] = startSupervisor(lab, HOST[d], { services: specs(d), drainWait: "2s", checkTimeout: "150ms" });
  }
  await Promise.all(DAEMONS.map((d) => waitSupervisorUp(sup[d])));
});

endSupervisedSuite(() => lab, sup);
// registered after it, so run before it (after-hooks run last-registered first): the watches end
// while the lab is still up
afterAll(async () => {
  for (const d of DAEMONS) if (d in never) for (const w of never[d]) await w.stop();
});

describe.each(DAEMONS)("on a %s host", (d) => {
  it("announce: all at both ToRs, only1 and dep1 at tor1 only; status names each service's peers and what each peer is sent", async () => {
    await Promise.all([at(d, "tor1", P[d].all, "present", present), at(d, "tor2", P[d].all, "present", present), at(d, "tor1", P[d].only1, "present", present), at(d, "tor1", P[d].dep1, "present", present)]);
    const st = await statusSettled(d, "only1 advertised to tor1, not to tor2", (s) => prefixOf(s, "only1").advertised.tor1 === true && prefixOf(s, "only1").advertised.tor2 === false);
    expect(Object.fromEntries(st.value.services.map((s) => [s.name, s.peers]))).toEqual({ all: ["tor1", "tor2"], only1: ["tor1"], dep1: ["tor1"] });
    const text = await svcroute(lab, HOST[d], ["status", "-m", sup[d].manifest]);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(new RegExp(`^only1 +UP +\\S+ +${P[d].only1.replace(/\./g, "\\.")} +normal +yes +off`, "m"));
  });

  it("withdraw and announce again: only at tor1", async () => {
    sup[d].setHealthy("only1", false);
    await at(d, "tor1", P[d].only1, "withdrawn", absent);
    sup[d].setHealthy("only1", true);
    await at(d, "tor1", P[d].only1, "announced again", present);
  });

  it("deprefer: a DOWN dep1 stays at tor1, prepended and tagged; never at tor2", async () => {
    const asn = lab.host(HOST[d]).asn;
    sup[d].setHealthy("dep1", false);
    await at(d, "tor1", P[d].dep1, "de-preferred (prepend 2, 65000:666)", (p) => p?.asPath.join(" ") === [asn, asn, asn].join(" ") && p.communities.includes("65000:666"));
    sup[d].setHealthy("dep1", true);
    await at(d, "tor1", P[d].dep1, "announced normally again", (p) => p?.asPath.length === 1 && !p.communities.includes("65000:666"));
  });

  it("drain: withdrawn at tor1 (never sent to tor2 meanwhile); undrain announces it there again", async () => {
    for (const svc of ["only1", "dep1"]) {
      const r = await svcroute(lab, HOST[d], ["drain", svc, "-m", sup[d].manifest]);
      expect(r.code, r.stderr).toBe(0);
    }
    await Promise.all([at(d, "tor1", P[d].only1, "withdrawn after drain_wait", absent), at(d, "tor1", P[d].dep1, "withdrawn after drain_wait", absent)]);
    for (const svc of ["only1", "dep1"]) {
      const u = await svcroute(lab, HOST[d], ["undrain", svc, "-m", sup[d].manifest]);
      expect(u.code, u.stderr).toBe(0);
    }
    await Promise.all([at(d, "tor1", P[d].only1, "announced after undrain", present), at(d, "tor1", P[d].dep1, "announced after undrain", present)]);
  });

  it("reload: all moves to tor2 alone (tor1 withdraws it), only1 takes a new community at tor1 and still never reaches tor2", async () => {
    writeAtomic(sup[d].manifest, manifestFor(lab, HOST[d], { services: specs(d, "tor2", ["    communities: [65000:11]"]), drainWait: "2s", checkTimeout: "150ms" }));
    const r = await svcroute(lab, HOST[d], ["reload", "-m", sup[d].manifest]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/taken .*reconcile ok/);
    await Promise.all([
      at(d, "tor1", P[d].all, "withdrawn: no longer one of its peers", absent),
      at(d, "tor2", P[d].all, "still announced", present),
      at(d, "tor1", P[d].only1, "with 65000:11", (p) => p?.communities.includes("65000:11") === true),
    ]);
    const st = await statusSettled(d, "all advertised to tor2 only", (s) => prefixOf(s, "all").advertised.tor1 === false && prefixOf(s, "all").advertised.tor2 === true);
    expect(st.value.services.find((s) => s.name === "all")!.peers).toEqual(["tor2"]);
  });

  it("tor2 never received only1 or dep1, watched without a gap through all of the above", async () => {
    const seen = never[d].map((w) => w.seen());
    for (const s of seen) {
      expect(s.present).toBe(0);
      expect(s.samples).toBeGreaterThan(20);
      expect(s.maxGapMs).toBeLessThan(5000);
    }
  });
});
