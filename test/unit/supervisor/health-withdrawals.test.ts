// The withdrawals a health change makes, read from the applied model alone (plan.ts): only
// services that end up withdrawn, only prefixes the applied model announces, nothing when the
// manifest is another one.
import { describe, expect, it } from "vitest";
import { buildModel } from "../../../src/core/build-model.js";
import type { HealthInput } from "../../../src/core/desired.js";
import { render } from "../../../src/core/render.js";
import { buildFromSources } from "../../../src/manifest/load.js";
import { parseManifestText } from "../../../src/manifest/parse.js";
import type { Manifest } from "../../../src/manifest/types.js";
import { downWithdrawals, healthWithdrawals, type Applied } from "../../../src/supervisor/plan.js";

const TEXT = `version: 1
daemon: {type: frr, config_file: /fake/frr.conf, socket: /fake/run}
router: {asn: 4200000101, router_id: 192.0.2.1}
peers:
  - {name: tor1, address: 169.254.0.1, remote_asn: 65000}
policy: {allowed_prefixes: [192.0.2.0/24, "2001:db8::/32"]}
services:
  - {name: dns, prefixes: [192.0.2.53/32, "2001:db8::53/128"]}
  - {name: web, prefixes: [192.0.2.80/32], on_failure: deprefer}
  - {name: ntp, prefixes: [192.0.2.123/32]}
`;

function manifest(text = TEXT): Manifest {
  const p = parseManifestText("/etc/svcroute/svcroute.yaml", text);
  if (!p.ok) throw new Error("parse");
  const r = buildFromSources(p.source, []);
  if (!r.manifest) throw new Error(JSON.stringify(r.problems));
  return r.manifest;
}

function applied(m: Manifest, health: HealthInput): Applied {
  const model = buildModel(m, health);
  const text = render(model, "frr", { showSecrets: true }).text;
  return { text, fastKey: "", model, manifest: m };
}

const UP: HealthInput = { services: {}, drained: [] };
const ops = (a: Applied, m: Manifest, h: HealthInput) => healthWithdrawals(a, m, h).map((o) => `${o.service} ${o.prefix} ${o.from}→${o.to}`);

describe("healthWithdrawals", () => {
  const m = manifest();
  it.each([
    ["nothing changed", UP, UP, []],
    ["a service down: each of its prefixes, both families", UP, { services: { dns: "down" }, drained: [] }, ["dns 192.0.2.53/32 normal→withdrawn", "dns 2001:db8::53/128 normal→withdrawn"]],
    ["a service of unknown health", UP, { services: { ntp: "unknown" }, drained: [] }, ["ntp 192.0.2.123/32 normal→withdrawn"]],
    ["down with on_failure deprefer: announced otherwise, not withdrawn", UP, { services: { web: "down" }, drained: [] }, []],
    ["drained: graceful shutdown, not a withdrawal", UP, { services: {}, drained: ["dns"] }, []],
    ["drained and down: withdrawn from the graceful-shutdown state", { services: {}, drained: ["dns"] }, { services: { dns: "down" }, drained: ["dns"] }, ["dns 192.0.2.53/32 graceful-shutdown→withdrawn", "dns 2001:db8::53/128 graceful-shutdown→withdrawn"]],
    ["every service drained: graceful shutdown, not a withdrawal", UP, { services: {}, drained: "all" }, []],
    ["every service drained and one down: that one withdrawn", { services: {}, drained: "all" }, { services: { ntp: "down" }, drained: "all" }, ["ntp 192.0.2.123/32 graceful-shutdown→withdrawn"]],
    ["already withdrawn: nothing", { services: { dns: "down" }, drained: [] }, { services: { dns: "down" }, drained: [] }, []],
    ["coming up: not a withdrawal", { services: { dns: "down" }, drained: [] }, UP, []],
  ] as [string, HealthInput, HealthInput, string[]][])("%s", (_what, before, now, want) => {
    expect(ops(applied(m, before), m, now)).toEqual(want);
  });

  it("another manifest than the applied one: nothing (the apply judges it first)", () => {
    const other = manifest(TEXT.replace("remote_asn: 65000}", "remote_asn: 65001}"));
    expect(other.hash).not.toBe(m.hash);
    expect(ops(applied(m, UP), other, { services: { dns: "down" }, drained: [] })).toEqual([]);
  });
});

describe("downWithdrawals: from the transitions alone", () => {
  const m = manifest();
  const down = (...names: string[]) => (n: string) => names.includes(n);
  const ops = (a: Applied, names: string[], isDown: (n: string) => boolean, mm = m) => downWithdrawals(a, mm, names, isDown).map((o) => `${o.service} ${o.prefix} ${o.from}→${o.to}`);
  it.each([
    ["a service gone DOWN: each of its prefixes, both families", UP, ["dns"], down("dns"), ["dns 192.0.2.53/32 normal→withdrawn", "dns 2001:db8::53/128 normal→withdrawn"]],
    ["drained, it is withdrawn from the graceful-shutdown state", { services: {}, drained: ["dns"] }, ["dns"], down("dns"), ["dns 192.0.2.53/32 graceful-shutdown→withdrawn", "dns 2001:db8::53/128 graceful-shutdown→withdrawn"]],
    ["on_failure deprefer: left to the apply", UP, ["web"], down("web"), []],
    ["up again by now: left to the apply", UP, ["dns"], down(), []],
    ["already withdrawn: nothing", { services: { dns: "down" }, drained: [] }, ["dns"], down("dns"), []],
    ["a name the applied model does not know: nothing", UP, ["gone"], down("gone"), []],
    ["only the services named", UP, ["ntp"], down("ntp", "dns"), ["ntp 192.0.2.123/32 normal→withdrawn"]],
  ] as [string, HealthInput, string[], (n: string) => boolean, string[]][])("%s", (_what, before, names, isDown, want) => {
    expect(ops(applied(m, before), names, isDown)).toEqual(want);
  });

  it("another manifest than the applied one: nothing", () => {
    const other = manifest(TEXT.replace("remote_asn: 65000}", "remote_asn: 65001}"));
    expect(ops(applied(m, UP), ["dns"], down("dns"), other)).toEqual([]);
  });
});
