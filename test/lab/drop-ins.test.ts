// `svcroute run --drop-ins DIR`: the supervisor takes its drop-ins from DIR, not from services.d
// beside the manifest, and watches DIR: a file added there is announced, removed is withdrawn.
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { fetchStatus } from "../../src/supervisor/client.js";
import { createLab, type Lab } from "./harness/lab.js";
import { dropInDir, ensureBundle, serviceYaml, startSupervisor, waitSupervisorUp, writeAtomic, type Supervised } from "./harness/supervised.js";
import { caseDaemons } from "./harness/matrix.js";
import { endSupervisedSuite } from "./harness/suite.js";
import { waitFor } from "./harness/wait.js";

type Daemon = "bird" | "frr";
const DAEMONS: Daemon[] = caseDaemons("drop-ins");
const HOST: Record<Daemon, string> = { bird: "hb", frr: "hf" };
/** main in the manifest, extra in the --drop-ins directory, ignored in services.d (not read), added later */
const P: Record<Daemon, Record<"main" | "extra" | "ignored" | "added", string>> = {
  bird: { main: "192.0.2.160/32", extra: "192.0.2.161/32", ignored: "192.0.2.162/32", added: "192.0.2.163/32" },
  frr: { main: "192.0.2.170/32", extra: "192.0.2.171/32", ignored: "192.0.2.172/32", added: "192.0.2.173/32" },
};

let lab: Lab;
const sup = {} as Record<Daemon, Supervised>;
const confDir = (d: Daemon) => join(lab.host(HOST[d]).dir, "conf.d");
const dropIn = (d: Daemon, name: keyof (typeof P)["bird"]) => `services:\n${serviceYaml(lab.host(HOST[d]), { name, prefixes: [P[d][name]] })}\n`;
const received = (d: Daemon) => lab.observe.received("tor1", HOST[d]);

async function atTor(d: Daemon, prefix: string, want: "present" | "absent"): Promise<string[]> {
  const { value } = await waitFor(() => received(d), { what: `${prefix} from ${HOST[d]} ${want} at tor1`, timeout: 30_000, until: (r) => r.includes(prefix) === (want === "present") });
  return value;
}

beforeAll(async () => {
  ensureBundle();
  lab = await createLab({
    tors: [{ name: "tor1", asn: 65001, timers: { keepalive: 1, hold: 3 } }],
    hosts: DAEMONS.map((d) => ({ name: HOST[d], daemon: d, links: ["tor1"], families: ["ipv4" as const], addresses: Object.values(P[d]) })),
  });
  for (const d of DAEMONS) {
    const host = lab.host(HOST[d]);
    mkdirSync(confDir(d), { recursive: true });
    writeAtomic(join(confDir(d), "extra.yaml"), dropIn(d, "extra"));
    writeAtomic(join(dropInDir(host), "ignored.yaml"), dropIn(d, "ignored"));
    sup[d] = startSupervisor(lab, HOST[d], { services: [{ name: "main", prefixes: [P[d].main] }], args: ["--drop-ins", confDir(d)] });
    for (const s of ["extra", "ignored", "added"] as const) sup[d].setHealthy(s, true);
  }
  await Promise.all(DAEMONS.map((d) => waitSupervisorUp(sup[d])));
});

endSupervisedSuite(() => lab, sup);

describe.each(DAEMONS)("on a %s host", (d) => {
  it("the services of the --drop-ins directory are announced, those of services.d beside the manifest are not read", async () => {
    await atTor(d, P[d].main, "present");
    const seen = await atTor(d, P[d].extra, "present");
    expect(seen).not.toContain(P[d].ignored);
    expect((await fetchStatus(sup[d].socket)).services.map((s) => s.name).sort()).toEqual(["extra", "main"]);
  });

  it("the --drop-ins directory is watched: a file added is announced, removed is withdrawn", async () => {
    const file = join(confDir(d), "added.yaml");
    writeAtomic(file, dropIn(d, "added"));
    const seen = await atTor(d, P[d].added, "present");
    expect(seen).toEqual(expect.arrayContaining([P[d].main, P[d].extra]));
    expect(seen).not.toContain(P[d].ignored);
    rmSync(file);
    await atTor(d, P[d].added, "absent");
    expect((await fetchStatus(sup[d].socket)).services.map((s) => s.name).sort()).toEqual(["extra", "main"]);
  });
});
