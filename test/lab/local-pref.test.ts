// local_preference reaches an iBGP peer (issue 18, item 2): a BIRD and an FRR host in the ToR's own
// AS, each announcing its service with its own LOCAL_PREF while healthy; the ToR receives each
// value as set, and a changed value by reload, without a session reset.
import { beforeAll, expect, it } from "vitest";
import { createLab, type Lab } from "./harness/lab.js";
import { ensureBundle, manifestFor, paths, startSupervisor, svcroute, waitSupervisorUp, writeAtomic, type PathInfo, type Supervised } from "./harness/supervised.js";
import { caseDaemons } from "./harness/matrix.js";
import { endSupervisedSuite } from "./harness/suite.js";
import { waitFor } from "./harness/wait.js";

type Daemon = "bird" | "frr";
/** the hosts whose cases this run generates (harness/matrix.ts) */
const DAEMONS: Daemon[] = caseDaemons("local-pref");
const HOST: Record<Daemon, string> = { bird: "ib", frr: "if" };
const PREFIX: Record<Daemon, string> = { bird: "192.0.2.150/32", frr: "192.0.2.151/32" };
const AS = 65001;

let lab: Lab;
const sup = {} as Record<Daemon, Supervised>;

const manifestOf = (d: Daemon, localPref: number) =>
  manifestFor(lab, HOST[d], { services: [{ name: "api", prefixes: [PREFIX[d]], extra: [`    local_preference: ${localPref}`] }], checkTimeout: "150ms" });

const atTor = (d: Daemon, what: string, want: (p: PathInfo | undefined) => boolean) =>
  waitFor(async () => (await paths(lab, "tor1", PREFIX[d]))[0], { what: `${PREFIX[d]} from ${d} at tor1: ${what}`, timeout: 20_000, interval: 50, until: want });

beforeAll(async () => {
  ensureBundle();
  // both hosts in the ToR's AS: their sessions are iBGP, where LOCAL_PREF is carried
  lab = await createLab({
    tors: [{ name: "tor1", asn: AS, timers: { keepalive: 1, hold: 3 } }],
    hosts: DAEMONS.map((d) => ({ name: HOST[d], daemon: d, asn: AS, links: ["tor1"], families: ["ipv4" as const], addresses: [PREFIX[d]] })),
  });
  for (const d of DAEMONS) {
    writeAtomic(`${lab.host(HOST[d]).dir}/svcroute.yaml`, manifestOf(d, d === "bird" ? 250 : 300));
    sup[d] = startSupervisor(lab, HOST[d], { services: [{ name: "api", prefixes: [PREFIX[d]] }], keepManifest: true });
  }
  await Promise.all(DAEMONS.map((d) => waitSupervisorUp(sup[d])));
});

endSupervisedSuite(() => lab, sup);

it.each(DAEMONS)("%s over iBGP: the ToR receives LOCAL_PREF as set, and a changed value after a reload", async (d) => {
  const set = d === "bird" ? 250 : 300;
  const { value } = await atTor(d, `LOCAL_PREF ${set}`, (p) => p?.localPref === set);
  expect(value).toMatchObject({ peer: lab.link(HOST[d], "tor1").host4, asPath: [], localPref: set });
  // the session as the ToR counts it: how often it came up and went down (a reset counts in both)
  const counts = async () => {
    const s = await lab.observe.session("tor1", HOST[d]);
    return s && [s.connectionsEstablished, s.connectionsDropped];
  };
  const before = await counts();
  expect(before?.[0]).toBeGreaterThan(0);
  writeAtomic(sup[d].manifest, manifestOf(d, 120));
  const r = await svcroute(lab, HOST[d], ["reload", "-m", sup[d].manifest]);
  expect(r.code, r.stderr).toBe(0);
  await atTor(d, "LOCAL_PREF 120", (p) => p?.localPref === 120);
  // a policy change, not a session-level one: the same session carried it
  expect(await counts()).toEqual(before);
});
