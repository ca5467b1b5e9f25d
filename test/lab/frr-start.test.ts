// An FRR host's cold start under `svcroute run` (issue 18, item 10): bgpd runs with no BGP config
// and svcroute's first apply brings the session up, so nothing is left to reset: the ToR sees one
// session come up and never a Cease. A graceful-restart change on the running session still takes
// effect: that one session is reset (FRR 8.4) or FRR resets it itself (FRR 10.3), once (a connection
// collision as both ends reconnect may cost FRR 8.4 one more session, which is not a reset).
import { beforeAll, expect, it } from "vitest";
import { createLab, type Lab } from "./harness/lab.js";
import { ensureBundle, manifestFor, startSupervisor, svcroute, torLogMark, torNotificationsSince, waitSupervisorUp, writeAtomic, type Supervised } from "./harness/supervised.js";
import { endSupervisedSuite } from "./harness/suite.js";
import { torNeighbor } from "./harness/tor-config.js";
import { waitFor } from "./harness/wait.js";

const PREFIX = "192.0.2.140/32";
let lab: Lab;
const sup: { frr?: Supervised } = {};
let started = 0;

interface TorView {
  state: string;
  established: number;
  dropped: number;
  notificationsRecv: number;
  /** the graceful-restart capability in the host's OPEN of this session: "received" when it was there */
  grCapability: string;
}

/** tor1's session with the host: counters, NOTIFICATIONs received and the host's graceful-restart mode */
async function atTor(): Promise<TorView | undefined> {
  const peer = torNeighbor(lab.link("hf", "tor1"), "ipv4");
  const j = await lab.vtyshJson<Record<string, { bgpState: string; connectionsEstablished: number; connectionsDropped: number; messageStats?: { notificationsRecv?: number }; neighborCapabilities?: { gracefulRestartCapability?: string } }>>("tor1", `show bgp neighbors ${peer} json`);
  const n = j[peer];
  return n && { state: n.bgpState, established: n.connectionsEstablished, dropped: n.connectionsDropped, notificationsRecv: n.messageStats?.notificationsRecv ?? 0, grCapability: n.neighborCapabilities?.gracefulRestartCapability ?? "none" };
}

const manifest = (gracefulRestart: boolean) =>
  manifestFor(lab, "hf", { services: [{ name: "api", prefixes: [PREFIX] }], ...(gracefulRestart ? { peerExtra: ["    graceful_restart: true"] } : {}) });

beforeAll(async () => {
  ensureBundle();
  // the host's FRR starts with no BGP config at all, as a freshly started bgpd that svcroute configures
  lab = await createLab({ tors: [{ name: "tor1", asn: 65001, timers: { keepalive: 1, hold: 3 } }], hosts: [{ name: "hf", daemon: "frr", links: ["tor1"], families: ["ipv4"], addresses: [PREFIX] }] });
  writeAtomic(`${lab.host("hf").dir}/svcroute.yaml`, manifest(false));
  started = performance.now();
  sup.frr = startSupervisor(lab, "hf", { services: [{ name: "api", prefixes: [PREFIX] }], keepManifest: true });
  await waitSupervisorUp(sup.frr);
});

endSupervisedSuite(() => lab, sup);

it("cold start: the ToR receives the prefix over the one session svcroute brought up, and sees no Cease and no drop", async () => {
  const { ms } = await waitFor(() => lab.observe.received("tor1", "hf"), { what: `${PREFIX} at tor1`, timeout: 30_000, interval: 50, until: (r) => r.includes(PREFIX) });
  console.log(`FRR host cold start under svcroute run: ${PREFIX} at the ToR ${((performance.now() - started) / 1000).toFixed(2)} s after the supervisor started (${(ms / 1000).toFixed(2)} s after its status socket answered)`);
  // the supervisor's first verification is done: any reset of its apply would have happened by now
  await waitFor(() => svcroute(lab, "hf", ["status", "-m", sup.frr!.manifest]), { what: "status: tor1 Established, advertised", timeout: 20_000, until: (r) => r.code === 0 && /tor1.*Established/.test(r.stdout) });
  const tor = await atTor();
  console.log(`tor1's session with the host: established ${tor?.established}, dropped ${tor?.dropped}, NOTIFICATIONs received ${tor?.notificationsRecv}`);
  expect(tor).toMatchObject({ state: "Established", established: 1, dropped: 0, notificationsRecv: 0 });
  // the supervisor asks bgpd on its vty socket, not through a vtysh per command
  const st = JSON.parse((await svcroute(lab, "hf", ["status", "--json", "-m", sup.frr!.manifest])).stdout) as { daemon: { via: string | null } };
  expect(st.daemon.via).toBe("socket");
});

it("a graceful-restart change on the running session takes effect: the host resets that session once, the ToR receives the host's graceful-restart capability", async () => {
  const before = (await atTor())!;
  expect(before.grCapability).toBe("none");
  const peer = torNeighbor(lab.link("hf", "tor1"), "ipv4");
  const mark = torLogMark(lab, "tor1");
  writeAtomic(sup.frr!.manifest, manifest(true));
  const r = await svcroute(lab, "hf", ["reload", "-m", sup.frr!.manifest]);
  expect(r.code, r.stderr).toBe(0);
  const { value } = await waitFor(atTor, { what: "tor1: the host's session renewed with its graceful-restart capability", timeout: 30_000, interval: 100, until: (t) => t?.state === "Established" && t.grCapability === "received" });
  await waitFor(() => lab.observe.received("tor1", "hf"), { what: `${PREFIX} at tor1 again`, timeout: 20_000, until: (x) => x.includes(PREFIX) });
  // Both ends reconnect at once after a reset, and a connection collision can cost FRR 8.4 one more
  // session (its NOTIFICATION is "Connection Collision Resolution"): the host's own resets are the
  // other NOTIFICATIONs, and there is exactly one
  const notes = torNotificationsSince(lab, "tor1", peer, mark);
  const hostReset = await lab.vtyshJson<Record<string, { lastResetDueTo?: string }>>("hf", "show bgp neighbors json").then((j) => Object.values(j).map((n) => n.lastResetDueTo));
  const why = `tor1: ${JSON.stringify(value)}; NOTIFICATIONs from the host: ${JSON.stringify(notes)}; the host's last reset: ${JSON.stringify(hostReset)}`;
  console.log(`graceful-restart change: ${why}`);
  expect(notes.filter((n) => !/Collision/i.test(n)), why).toHaveLength(1);
  expect(value!.established, why).toBeGreaterThan(before.established);
});
