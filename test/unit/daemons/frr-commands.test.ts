// The FRR driver's vty commands built from the model (src/daemons/frr-commands.ts). The driver's
// tests (frr-driver.test.ts) replay what FRR answered to them; this table pins what is built.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { buildModel } from "../../../src/core/build-model.js";
import { orphanCommands, refreshCommands, sweepCommands, toggleCommands } from "../../../src/daemons/frr-commands.js";
import { buildFromSources } from "../../../src/manifest/load.js";
import { parseManifestText } from "../../../src/manifest/parse.js";
import { capturedFile } from "../../helpers/captured-exec.js";
import { FRR_VERSIONS } from "../../helpers/captures.js";

const model = () => {
  const p = parseManifestText(
    "/etc/svcroute/svcroute.yaml",
    `version: 1
daemon: {type: frr}
router: {asn: 65101, router_id: 192.0.2.11}
peers:
  - {name: tor1, address: 169.254.1.2, remote_asn: 65001}
  - {name: tor1-v6, address: "fd00:1::2", remote_asn: 65001}
policy: {allowed_prefixes: [192.0.2.0/24, "2001:db8::/32"]}
services:
  - {name: one, prefixes: [192.0.2.11/32, "2001:db8::11/128"]}
  - {name: two, prefixes: [192.0.2.12/32]}
`,
  );
  if (!p.ok) throw new Error(JSON.stringify(p.problems));
  return buildModel(buildFromSources(p.source, []).manifest!);
};

describe("FRR vty commands (pure)", () => {
  it("a toggle batch: withdrawals before announcements, each prefix in its address family, in one configure session", () => {
    const cmds = toggleCommands(model(), [
      { service: "two", prefix: "192.0.2.12/32", family: 4, from: "withdrawn", to: "normal" },
      { service: "one", prefix: "2001:db8::11/128", family: 6, from: "normal", to: "withdrawn" },
      { service: "one", prefix: "192.0.2.11/32", family: 4, from: "normal", to: "withdrawn" },
    ]);
    expect(cmds).toEqual([
      "configure terminal",
      "router bgp 65101",
      "address-family ipv6 unicast",
      "no network 2001:db8::11/128",
      "exit-address-family",
      "address-family ipv4 unicast",
      "no network 192.0.2.11/32",
      "network 192.0.2.12/32",
      "exit-address-family",
      "end",
    ]);
  });

  it("orphans: a prefix some network names is left alone, and with none left there is no session (frr-driver.test.ts has the session)", () => {
    const m = model();
    expect(orphanCommands(m, [{ prefixes: ["192.0.2.11/32", "2001:db8::11/128"] }])).toEqual([]);
    expect(orphanCommands(m, [{ prefixes: ["192.0.2.11/32", "192.0.2.77/32"] }]).filter((c) => c.includes("network"))).toEqual(["network 192.0.2.77/32", "no network 192.0.2.77/32"]);
  });

  it("refresh: only the named peers, in the address families they are in", () => {
    expect(refreshCommands(model(), ["tor1-v6"])).toEqual(["clear bgp ipv6 unicast fd00:1::2 soft out"]);
    expect(refreshCommands(model(), ["nobody"])).toEqual([]);
  });

  describe.each(FRR_VERSIONS)("the sweep of a running config (FRR %s, captured)", (version) => {
    const running = readFileSync(capturedFile("frr", "host1.show-running-config.txt", version), "utf8");

    it("every network is withdrawn in its address family", () => {
      const cmds = sweepCommands(running);
      expect(cmds.slice(0, 2)).toEqual(["configure terminal", "router bgp 65101"]);
      expect(cmds.filter((c) => c.startsWith("no network"))).toEqual(["no network 192.0.2.11/32", "no network 192.0.2.100/32", "no network 2001:db8::11/128", "no network 2001:db8::100/128"]);
      expect(cmds.at(-1)).toBe("end");
    });

    it("no router bgp, or one without networks: nothing to send", () => {
      expect(sweepCommands(running.slice(0, running.indexOf("router bgp")))).toEqual([]);
      expect(sweepCommands(running.replace(/^\s+network .*\n/gm, ""))).toEqual([]);
    });
  });
});
