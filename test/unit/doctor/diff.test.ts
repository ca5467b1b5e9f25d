// `svcroute diff` compares a masked render with the file on disk: passwords and the lines that
// only one of them can have must not show up as differences.
import { describe, expect, it } from "vitest";
import { comparable } from "../../../src/commands/diff.js";
import { buildModel } from "../../../src/core/build-model.js";
import { ALL_UP } from "../../../src/core/desired.js";
import { render } from "../../../src/core/render.js";
import { Secret } from "../../../src/core/secrets.js";
import { buildFromSources } from "../../../src/manifest/load.js";
import { parseManifestText } from "../../../src/manifest/parse.js";

const MANIFEST = `version: 1
daemon: {type: DAEMON}
router: {asn: 65101, router_id: 192.0.2.1}
peers:
  - {name: tor1, address: 169.254.1.2, remote_asn: 65001, password_file: /etc/svcroute/tor1.secret}
policy: {allowed_prefixes: [192.0.2.0/24]}
services:
  - {name: web, prefixes: [192.0.2.11/32]}
`;

describe.each(["frr", "bird"] as const)("diff on %s: a masked render equals the real file", (daemon) => {
  const p = parseManifestText("/etc/svcroute/svcroute.yaml", MANIFEST.replace("DAEMON", daemon));
  if (!p.ok) throw new Error("bad test manifest");
  const m = buildFromSources(p.source, []).manifest!;
  const secrets = new Map([["/etc/svcroute/tor1.secret", Secret.of("/etc/svcroute/tor1.secret", "s3cret-pw")]]);
  const real = render(buildModel(m, ALL_UP, secrets), daemon, { showSecrets: true }).text;
  const masked = render(buildModel(m, ALL_UP), daemon, { showSecrets: false }).text;

  it("the same config: no difference, no password", () => {
    expect(masked).toContain("MASKED");
    expect(comparable(masked)).toBe(comparable(real));
    expect(comparable(real)).not.toContain("s3cret-pw");
  });

  it("a real change still shows", () => {
    expect(comparable(`${real}# a line added by hand\n`)).not.toBe(comparable(masked));
  });
});
