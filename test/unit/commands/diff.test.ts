// `svcroute diff` as an operator runs it (docs/doctor.md): the config svcroute would render against
// the file on disk and the running config, passwords masked, exit 0 when they agree and 1 when not.
// No supervisor and no daemon answer here: it renders with every service healthy and says that
// the running config is out of reach (FRR) or cannot be printed (BIRD).
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runCli } from "../../helpers/cli.js";
import { tmpTree } from "../../helpers/tmp.js";

const PASSWORD = "Diff-md5.key$42";

function host(daemon: "frr" | "bird") {
  const dir = tmpTree({ "tor1.key": `${PASSWORD}\n` });
  chmodSync(join(dir, "tor1.key"), 0o600);
  const manifest = join(dir, "svcroute.yaml");
  const config = join(dir, `${daemon}.conf`);
  writeFileSync(
    manifest,
    `version: 1
daemon: {type: ${daemon}, config_file: ${config}, socket: ${join(dir, "run")}}
router: {asn: 65101, router_id: 192.0.2.11}
peers:
  - {name: tor1, address: 169.254.1.2, remote_asn: 65001, password_file: ${join(dir, "tor1.key")}}
policy: {allowed_prefixes: [192.0.2.0/24]}
services:
  - {name: dns, prefixes: [192.0.2.53/32]}
  - {name: web, prefixes: [192.0.2.80/32]}
`,
  );
  const args = ["-m", manifest, "--socket", join(dir, "no-supervisor.sock")];
  const diff = () => runCli(["diff", ...args]);
  return { dir, manifest, config, diff };
}

describe.each(["frr", "bird"] as const)("svcroute diff (%s)", (daemon) => {
  it("no file on disk: says so, exit 1", async () => {
    const h = host(daemon);
    const r = await h.diff();
    expect(r.out).toContain("# the supervisor is not running: rendered with every service healthy");
    expect(r.out).toContain(`# ${h.config} does not exist`);
    expect(r.code).toBe(1);
  });

  it("the file svcroute renders (real passwords) equals the masked render; an edit shows as a unified diff, the password masked", async () => {
    const h = host(daemon);
    const rendered = await runCli(["render", "-m", h.manifest, "--drop-ins", "none", "--show-secrets"]);
    expect(rendered.code, rendered.err).toBe(0);
    expect(rendered.out).toContain(PASSWORD);
    writeFileSync(h.config, rendered.out);
    const same = await h.diff();
    expect(same.out).toContain(`# rendered == ${h.config}`);
    // the running config: FRR's frr-reload.py finds no daemon, BIRD cannot print one
    if (daemon === "frr") {
      expect(same.out).toMatch(/^# running config: not available \(/m);
      expect(same.code).toBe(1);
    } else {
      expect(same.out).toContain("# running config: BIRD cannot print it");
      expect(same.code).toBe(0);
    }
    // web's prefix taken out of the file by hand, and the line after the password (so that the
    // diff's context shows the password's line)
    const lines = readFileSync(h.config, "utf8").split("\n");
    const pw = lines.findIndex((l) => l.includes(PASSWORD));
    const edited = lines.filter((l, i) => !l.includes("192.0.2.80/32") && i !== pw + 1).join("\n");
    expect(edited.split("\n").length).toBeLessThan(lines.length - 1);
    writeFileSync(h.config, edited);
    const differs = await h.diff();
    expect(differs.code).toBe(1);
    expect(differs.out).toMatch(new RegExp(`^--- rendered\\t?.*\\n\\+\\+\\+ ${h.config.replace(/[/.]/g, "\\$&")}`, "m"));
    expect(differs.out).toMatch(/^-.*192\.0\.2\.80\/32/m);
    expect(differs.out).toContain("<secret>");
    expect(differs.out).not.toContain(PASSWORD);
  });
});
