// `svcroute check --run-checks` and `svcroute probe SERVICE` against real local targets.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERROR_CODES } from "../../../src/errors.js";
import { runCli } from "../../helpers/cli.js";
import { tmpTree } from "../../helpers/tmp.js";
import { httpServer } from "./targets.js";

let http: Awaited<ReturnType<typeof httpServer>>;
beforeAll(async () => {
  http = await httpServer();
});
afterAll(() => http.close());

const manifest = (port: number, dir: string) => `version: 1
daemon: bird
router:
  asn: 4200000101
  router_id: 192.0.2.1
peers:
  - name: tor1
    address: 169.254.0.1
    remote_asn: 65000
policy:
  allowed_prefixes: [192.0.2.0/24]
services:
  - name: web
    prefixes: [192.0.2.80/32]
    checks:
      - type: http
        url: http://127.0.0.1:${port}/ok
      - type: file
        name: not-in-maintenance
        path: ${dir}/maintenance
        healthy_when: absent
  - name: api
    prefixes: [192.0.2.81/32]
    combine: any
    checks:
      - type: http
        name: primary
        url: http://127.0.0.1:${port}/status/503
      - type: tcp
        name: port
        host: 127.0.0.1
        port: ${port}
  - name: db
    prefixes: [192.0.2.82/32]
    checks:
      - type: http
        name: health
        url: http://127.0.0.1:${port}/status/500
        timeout: 300ms
`;

/** The manifest in a fresh temp dir (its maintenance switch path lies there too). */
function setup(): string {
  const dir = tmpTree({});
  const file = join(dir, "svcroute.yaml");
  writeFileSync(file, manifest(http.port, dir));
  return file;
}

describe("check --run-checks", () => {
  it("prints every check's result and exits 1 (E_UNHEALTHY) when a service fails", async () => {
    const file = setup();
    const r = await runCli(["check", "--run-checks", "-m", file, "--drop-ins", "none"]);
    expect(r.code).toBe(ERROR_CODES.E_UNHEALTHY.exit);
    expect(r.code).toBe(1);
    expect(r.out).toContain("is valid");
    expect(r.out).toMatch(/web: healthy \(2\/2 passed, combine all\)/);
    expect(r.out).toMatch(/ok {3}http-0 .* GET http:\/\/127\.0\.0\.1:\d+\/ok expect 200\n {7}HTTP 200/);
    expect(r.out).toMatch(/api: healthy \(1\/2 passed, combine any\)/);
    expect(r.out).toMatch(/FAIL primary .*\n {7}HTTP 503 \(expected 200\)/);
    expect(r.out).toMatch(/db: UNHEALTHY \(0\/1 passed, combine all\)/);
    expect(r.out).toMatch(/UNHEALTHY: 1 of 3 service\(s\) fail: db/);
  });

  it("--json includes each service's round", async () => {
    const file = setup();
    const r = await runCli(["check", "--run-checks", "--json", "-m", file, "--drop-ins", "none"]);
    expect(r.code).toBe(1);
    const j = JSON.parse(r.out) as { ok: boolean; health: { services: { service: string; ok: boolean; round: { results: unknown[] } }[] } };
    expect(j.ok).toBe(false);
    expect(j.health.services.map((s) => `${s.service}:${s.ok}`)).toEqual(["api:true", "db:false", "web:true"]);
    expect(j.health.services[1]!.round.results[0]).toMatchObject({ check: "health", ok: false, status: 500 });
  });

  it("without --run-checks nothing is probed", async () => {
    const r = await runCli(["check", "-m", setup(), "--drop-ins", "none"]);
    expect(r.code).toBe(0);
    expect(r.out).not.toContain("checks (run once)");
  });
});

describe("probe SERVICE", () => {
  it("exit 0 for a healthy service, 1 for a failing one", async () => {
    const file = setup();
    const ok = await runCli(["probe", "web", "-m", file, "--drop-ins", "none"]);
    expect(ok.code).toBe(0);
    expect(ok.out).toMatch(/^web: healthy/);
    const bad = await runCli(["probe", "db", "-m", file, "--drop-ins", "none"]);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain("HTTP 500 (expected 200)");
  });

  it("--json", async () => {
    const r = await runCli(["probe", "api", "--json", "-m", setup(), "--drop-ins", "none"]);
    expect(JSON.parse(r.out)).toMatchObject({ ok: true, service: "api", round: { passed: 1, total: 2 } });
  });

  it("an unknown service is a usage error naming the services", async () => {
    const r = await runCli(["probe", "nope", "-m", setup(), "--drop-ins", "none"]);
    expect(r.code).toBe(ERROR_CODES.E_USAGE.exit);
    expect(r.err).toContain('no service named "nope"');
    expect(r.err).toContain("services: api, db, web");
  });
});
