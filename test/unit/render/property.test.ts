// Property tests. (1) Random valid manifests with random health render configs the real parsers
// accept. (2) Hostile strings in any string field are either refused by the schema or cannot add
// a statement: the rendered statement set equals the baseline's.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildModel } from "../../../src/core/build-model.js";
import { ALL_UP } from "../../../src/core/desired.js";
import { render } from "../../../src/core/render.js";
import { loadSecrets, NO_SECRETS, type SecretStore } from "../../../src/core/secrets.js";
import { PASSWORD } from "../../../src/manifest/patterns.js";
import type { DaemonType } from "../../../src/manifest/types.js";
import { fakeSecretReader, judge, manifestFromData, pool, statementSet } from "../../golden/support.js";
import { hostileString, validManifest } from "./arbitraries.js";

const RUNS = Number(process.env.SVCROUTE_PROPERTY_RUNS ?? 200);
const SEED = Number(process.env.SVCROUTE_PROPERTY_SEED ?? Date.now() % 2 ** 31);

describe("property: random valid manifests", () => {
  it(`render configs the real parsers accept (${RUNS} manifests, both daemons; seed ${SEED})`, async () => {
    const samples = fc.sample(validManifest(), { numRuns: RUNS, seed: SEED });
    const jobs: { i: number; daemon: DaemonType; text: string }[] = [];
    for (const [i, g] of samples.entries()) {
      const r = manifestFromData(g.data);
      expect(r.problems, `sample ${i} should be valid: ${JSON.stringify(g.data)}`).toEqual([]);
      const m = r.manifest!;
      const model = buildModel(m, g.health, await loadSecrets(m, fakeSecretReader));
      jobs.push({ i, daemon: "frr", text: render(model, "frr", { showSecrets: true }).text });
      if (model.bird) jobs.push({ i, daemon: "bird", text: render(model, "bird", { showSecrets: true }).text });
      else expect(m.peers.some((p) => p.interface !== undefined)).toBe(true);
    }
    const verdicts = await pool(jobs, 3, async (j) => ({ j, v: await judge(j.daemon, j.text) }));
    const bad = verdicts.filter((x) => !x.v.ok);
    const report = bad.slice(0, 3).map(({ j, v }) => ({ seed: SEED, sample: j.i, daemon: j.daemon, manifest: samples[j.i]!.data, diagnostics: v.diagnostics }));
    expect(report).toEqual([]);
    expect(jobs.filter((j) => j.daemon === "bird").length).toBeGreaterThan(RUNS / 4);
  }, 120_000);
});

type Path = (string | number)[];

/** every string leaf (and every record key under `env`) of a raw manifest */
function stringPaths(v: unknown, path: Path = []): { path: Path; key: boolean }[] {
  if (typeof v === "string") return [{ path, key: false }];
  if (Array.isArray(v)) return v.flatMap((x, i) => stringPaths(x, [...path, i]));
  if (v && typeof v === "object") {
    return Object.entries(v).flatMap(([k, x]) => [...(path.at(-1) === "env" ? [{ path: [...path, k], key: true }] : []), ...stringPaths(x, [...path, k])]);
  }
  return [];
}

function replaced(data: unknown, at: { path: Path; key: boolean }, s: string): unknown {
  const copy = structuredClone(data) as Record<string | number, unknown>;
  let node = copy;
  for (const seg of at.path.slice(0, -1)) node = node[seg] as Record<string | number, unknown>;
  const last = at.path.at(-1)!;
  if (at.key) {
    const value = node[last];
    Reflect.deleteProperty(node, last);
    node[s] = value;
  } else node[last] = s;
  return copy;
}

/** A manifest using every string field that exists, from the fixtures. */
function richManifest(): Record<string, unknown> {
  return {
    version: 1,
    daemon: {
      type: "frr",
      config_file: "/etc/frr/frr.conf",
      socket: "/var/run/frr",
      vtysh: "/usr/bin/vtysh",
      frr_reload: "/usr/lib/frr/frr-reload.py",
      bgpd: "/usr/lib/frr/bgpd",
      bird: "/usr/sbin/bird",
      birdc: "/usr/sbin/birdc",
      route_map_delay: "2s",
      log_file: "/var/log/frr/svcroute.log",
    },
    router: { asn: 4200000101, router_id: "192.0.2.1" },
    peers: [
      { name: "tor1", address: "169.254.0.1", local_address: "169.254.0.2", remote_asn: 65000, password_file: "/etc/svcroute/secrets/tor1.key", bfd: { interval: "100ms", multiplier: 3 }, timers: { keepalive: "3s", hold: "9s", connect_retry: "5s" }, families: ["ipv4"] },
      { name: "rs", address: "fd00::1", local_address: "fd00::2", remote_asn: "external", multihop: 3, graceful_restart: true, families: ["ipv4", "ipv6"] },
      { name: "leaf", interface: "eth0", remote_asn: "internal" },
    ],
    policy: { allowed_prefixes: ["192.0.2.0/24", "2001:db8:100::/48"], accept: "default-only", max_prefix: 4 },
    services: [
      {
        name: "app",
        prefixes: ["192.0.2.70/32", "2001:db8:100::70/128"],
        checks: [
          { type: "exec", name: "probe", command: ["/bin/true", "--flag"], timeout: "500ms", user: "nobody", group: "nogroup", env: { LANG: "C" }, cwd: "/var/lib/app" },
          { type: "http", name: "h", url: "http://127.0.0.1/health", method: "GET", expect_status: [200], body_regex: "^ok$", host_header: "app.example.org", tls_verify: true },
          { type: "tcp", name: "t", host: "127.0.0.1", port: 80, send: "PING", expect: "PONG" },
          { type: "file", name: "f", path: "/run/app/ready", healthy_when: "exists" },
        ],
        combine: "all",
        interval: "2s",
        fast_interval: "1s",
        timeout: "1s",
        initial: "up",
        flap: { max_transitions: 5, window: "60s", hold: "2m" },
        on_failure: "deprefer",
        deprefer: { as_path_prepend: 2, med: 10, communities: ["65000:1", "4200000101:1:1"] },
        communities: ["65000:2"],
      },
    ],
    addresses: { interface: "lo", manage: false },
    maintenance: { drain_file: "/etc/svcroute/drain", drain_wait: "30s" },
    supervisor: {
      status_socket: "/run/svcroute/svcroute.sock",
      metrics_listen: "127.0.0.1:9473",
      state_dir: "/var/lib/svcroute",
      on_stop: "withdraw",
      stop_grace: "2s",
      guard_grace: "15s",
      reverify_interval: "30s",
    },
  };
}

describe("property: hostile strings", () => {
  const base = richManifest();
  const baseManifest = manifestFromData(base);
  const baselineFor = (d: DaemonType) => statementSet(d, render(buildModel(baseManifest.manifest!, ALL_UP, NO_SECRETS), d).text);

  it("the rich baseline manifest is valid and uses every kind of string field", () => {
    expect(baseManifest.problems).toEqual([]);
    expect(stringPaths(base).length).toBeGreaterThan(60);
  });

  it(`are refused by the schema or cannot add a statement (${RUNS * 3} cases; seed ${SEED})`, () => {
    const paths = stringPaths(base);
    const baseline = { frr: baselineFor("frr") };
    let accepted = 0;
    fc.assert(
      fc.property(fc.constantFrom(...paths), hostileString, (at, s) => {
        const r = manifestFromData(replaced(base, at, s));
        if (!r.manifest) return true;
        accepted++;
        // BIRD cannot render this manifest (an unnumbered peer); FRR renders everything in it.
        const after = statementSet("frr", render(buildModel(r.manifest, ALL_UP, NO_SECRETS), "frr").text);
        expect({ field: at.path.join("."), statements: after }).toEqual({ field: at.path.join("."), statements: baseline.frr });
        return true;
      }),
      { numRuns: RUNS * 3, seed: SEED },
    );
    // strings that are only data (check argv, env values, HTTP body regex...) may hold anything
    expect(accepted).toBeGreaterThan(0);
  });

  it("every field reaching a BIRD config refuses hostile strings too", () => {
    const bird = { ...base, daemon: "bird", peers: (base.peers as Record<string, unknown>[]).filter((p) => !("interface" in p)) };
    const ok = manifestFromData(bird);
    expect(ok.problems).toEqual([]);
    const baseline = statementSet("bird", render(buildModel(ok.manifest!, ALL_UP, NO_SECRETS), "bird").text);
    fc.assert(
      fc.property(fc.constantFrom(...stringPaths(bird)), hostileString, (at, s) => {
        const r = manifestFromData(replaced(bird, at, s));
        if (!r.manifest) return true;
        const after = statementSet("bird", render(buildModel(r.manifest, ALL_UP, NO_SECRETS), "bird").text);
        expect({ field: at.path.join("."), statements: after }).toEqual({ field: at.path.join("."), statements: baseline });
        return true;
      }),
      { numRuns: RUNS * 3, seed: SEED },
    );
  });

  it("hostile password file contents are refused (E_SECRET) or hold nothing that could end a statement", async () => {
    const m = baseManifest.manifest!;
    await fc.assert(
      fc.asyncProperty(hostileString, async (s) => {
        const r = await loadSecrets(m, async () => ({ text: s })).catch((x: unknown) => x);
        if (r instanceof Map) {
          // only "one line + a final newline" can pass, and then the line itself is plain
          const pw = [...(r as SecretStore).values()][0]!.reveal();
          expect(pw).toMatch(PASSWORD);
          expect(s === `${pw}\n` || s === `${pw}\r\n`).toBe(true);
        } else {
          expect(r).toMatchObject({ code: "E_SECRET" });
          if (s.trim().length > 3) expect((r as Error).message).not.toContain(s.trim());
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
