// The maintenance drain file when a manifest reload names another one: the supervisor watches the
// new path from then on, so creating it drains at once, not at the next reverify (set to a minute
// here, so only the watch can explain a prompt drain).
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, it } from "vitest";
import { fetchStatus } from "../../src/supervisor/client.js";
import { createLab, type Lab } from "./harness/lab.js";
import { drainFile, ensureBundle, manifestFor, startSupervisor, waitSupervisorUp, writeAtomic, type Supervised } from "./harness/supervised.js";
import { endSupervisedSuite } from "./harness/suite.js";
import { waitFor } from "./harness/wait.js";

const PREFIX = "192.0.2.150/32";
let lab: Lab;
const sup: { bird?: Supervised } = {};
const opts = { services: [{ name: "web", prefixes: [PREFIX] }], reverifyInterval: "60s" };

beforeAll(async () => {
  ensureBundle();
  lab = await createLab({ tors: [{ name: "tor1", asn: 65001, timers: { keepalive: 1, hold: 3 } }], hosts: [{ name: "hd", daemon: "bird", links: ["tor1"], families: ["ipv4"], addresses: [PREFIX] }] });
  sup.bird = startSupervisor(lab, "hd", opts);
  await waitSupervisorUp(sup.bird);
  await waitFor(() => lab.observe.received("tor1", "hd"), { what: `${PREFIX} at tor1`, timeout: 30_000, until: (r) => r.includes(PREFIX) });
});

endSupervisedSuite(() => lab, sup);

it("a drain file the manifest names after a reload is watched: creating it drains every service within seconds, removing it undrains", async () => {
  const s = sup.bird!;
  const host = lab.host("hd");
  const moved = join(host.dir, "maintenance-now");
  const drained = async () => (await fetchStatus(s.socket)).services.every((x) => x.drained);
  writeAtomic(s.manifest, manifestFor(lab, "hd", opts).replace(`drain_file: ${drainFile(host)}`, `drain_file: ${moved}`));
  await waitFor(() => fetchStatus(s.socket), { what: "the supervisor to load the manifest that names the new drain file", timeout: 15_000, until: (st) => st.manifest.valid && st.last_reconcile?.triggers.includes("manifest") === true });
  writeFileSync(moved, "");
  const t0 = performance.now();
  await waitFor(drained, { what: "every service drained after the new drain file appeared", timeout: 20_000, until: (d) => d });
  const ms = Math.round(performance.now() - t0);
  console.log(`drain file named by a reload: drained ${ms} ms after it appeared`);
  rmSync(moved);
  await waitFor(drained, { what: "every service undrained after the new drain file went", timeout: 20_000, until: (d) => !d });
});
