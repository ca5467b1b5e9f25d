// FRR's daemons live in /usr/lib/frr on Debian and Ubuntu and in /usr/libexec/frr on RHEL: the
// defaults of daemon.bgpd and daemon.frr_reload follow the files that are there, unless the
// manifest names a path itself.
import { describe, expect, it } from "vitest";
import { buildFromSources } from "../../../src/manifest/load.js";
import { parseManifestText } from "../../../src/manifest/parse.js";
import { MINIMAL } from "./manifests.js";

const FRR = MINIMAL.replace("daemon: bird", "daemon: frr");
const RHEL = new Set(["/usr/libexec/frr/bgpd", "/usr/libexec/frr/frr-reload.py", "/usr/bin/vtysh"]);
const DEBIAN = new Set(["/usr/lib/frr/bgpd", "/usr/lib/frr/frr-reload.py", "/usr/bin/vtysh"]);

function daemon(text: string, files: Set<string>) {
  const p = parseManifestText("/etc/svcroute/svcroute.yaml", text);
  if (!p.ok) throw new Error(JSON.stringify(p.problems));
  return buildFromSources(p.source, [], { installed: (f) => files.has(f) }).manifest!.daemon;
}

describe("where FRR's tools are", () => {
  it("RHEL 9: /usr/libexec/frr", () => {
    expect(daemon(FRR, RHEL)).toMatchObject({ bgpd: "/usr/libexec/frr/bgpd", frrReload: "/usr/libexec/frr/frr-reload.py", vtysh: "/usr/bin/vtysh" });
  });
  it("Debian and Ubuntu: /usr/lib/frr", () => {
    expect(daemon(FRR, DEBIAN)).toMatchObject({ bgpd: "/usr/lib/frr/bgpd", frrReload: "/usr/lib/frr/frr-reload.py" });
  });
  it("neither installed: the Debian paths, which the errors then name", () => {
    expect(daemon(FRR, new Set())).toMatchObject({ bgpd: "/usr/lib/frr/bgpd", frrReload: "/usr/lib/frr/frr-reload.py" });
  });
  it("a path the manifest names is kept as written", () => {
    const text = FRR.replace("daemon: frr", "daemon: {type: frr, bgpd: /opt/frr/bgpd}");
    expect(daemon(text, RHEL)).toMatchObject({ bgpd: "/opt/frr/bgpd", frrReload: "/usr/libexec/frr/frr-reload.py" });
  });
});
