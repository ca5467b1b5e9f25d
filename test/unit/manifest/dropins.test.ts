import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadManifest } from "../../../src/manifest/load.js";
import { tmpTree } from "../../helpers/tmp.js";
import { MINIMAL, loadText } from "./manifests.js";

const BASE = MINIMAL.replace(/services:[\s\S]*$/, "");
const svc = (name: string, prefix: string) => `services:\n  - name: ${name}\n    prefixes: [${prefix}]\n`;

describe("drop-ins", () => {
  it("adds every *.yaml, *.yml and *.json in name order; ignores other and hidden files", async () => {
    const r = await loadText(BASE, {
      "20-web.yml": svc("web", "192.0.2.80/32"),
      "10-dns.yaml": svc("dns", "192.0.2.53/32"),
      "30-ntp.json": JSON.stringify({ services: [{ name: "ntp", prefixes: ["192.0.2.123/32"] }] }),
      "README": svc("ignored", "192.0.2.1/32"),
      ".10-dns.yaml.swp": "garbage: [",
      "40-x.yaml~": "garbage: [",
    });
    expect(r.problems).toEqual([]);
    expect(r.files).toEqual(["svcroute.yaml", "services.d/10-dns.yaml", "services.d/20-web.yml", "services.d/30-ntp.json"]);
    expect(r.manifest!.services.map((s) => [s.name, s.source.split("/").slice(-2).join("/")])).toEqual([
      ["dns", "services.d/10-dns.yaml"],
      ["ntp", "services.d/30-ntp.json"],
      ["web", "services.d/20-web.yml"],
    ]);
  });

  it("the content hash does not depend on which file a service lives in", async () => {
    const a = await loadText(`${BASE}${svc("dns", "192.0.2.53/32")}`);
    const b = await loadText(BASE, { "dns.yaml": svc("dns", "192.0.2.53/32") });
    expect(a.manifest!.hash).toBe(b.manifest!.hash);
  });

  it("an empty drop-in contributes nothing", async () => {
    const r = await loadText(MINIMAL, { "empty.yaml": "", "comments.yaml": "# later\n" });
    expect(r.problems).toEqual([]);
    expect(r.manifest!.services).toHaveLength(1);
  });

  it("peers may come from a drop-in too", async () => {
    const r = await loadText(MINIMAL, { "tor2.yaml": "peers:\n  - name: tor2\n    address: 169.254.0.5\n    remote_asn: 65000\n" });
    expect(r.manifest!.peers.map((p) => p.name)).toEqual(["tor1", "tor2"]);
  });

  it.each([
    ["a second policy block", "policy:\n  allowed_prefixes: [10.0.0.0/8]\n", "policy", "a second `policy` block"],
    ["a different version", "version: 2\n", "version", "differs from"],
  ])("%s is an error naming both files", async (_w, frag, path, msg) => {
    const r = await loadText(MINIMAL, { "x.yaml": frag });
    const p = r.problems.find((x) => x.path === path)!;
    expect(p.file).toBe("services.d/x.yaml");
    expect(p.message).toContain(msg);
    expect(p.message).toContain("svcroute.yaml");
  });

  it("errors inside a drop-in are reported at the drop-in's own lines", async () => {
    const r = await loadText(MINIMAL, { "web.yaml": "# web\nservices:\n  - name: web\n    prefixes: [192.0.2.80/24]\n" });
    expect(r.problems).toEqual([
      expect.objectContaining({ file: "services.d/web.yaml", line: 4, col: 16, path: "services.0.prefixes.0", message: "192.0.2.80/24: host bits are set" }),
    ]);
  });

  it("a validate hook's temp file without a suffix is read as the manifest (Ansible)", async () => {
    const dir = tmpTree({ "tmpABC123": MINIMAL });
    const r = await loadManifest(join(dir, "tmpABC123"));
    expect(r.problems).toEqual([]);
  });

  it("a validate hook's temp file beside the target sees the real drop-ins (Puppet)", async () => {
    const dir = tmpTree({ "svcroute.yaml": MINIMAL, "svcroute.yaml20261125-123-abc": MINIMAL, "services.d/dup.yaml": svc("dns", "192.0.2.54/32") });
    const r = await loadManifest(join(dir, "svcroute.yaml20261125-123-abc"));
    expect(r.problems.map((p) => p.message)).toEqual([expect.stringContaining("service name dns is used twice")]);
  });

  it("--drop-ins none skips them; another directory may be named", async () => {
    const dir = tmpTree({ "svcroute.yaml": BASE, "services.d/a.yaml": "garbage: [", "other/b.yaml": svc("dns", "192.0.2.53/32") });
    expect((await loadManifest(join(dir, "svcroute.yaml"), { dropInDir: null })).problems).toEqual([]);
    const r = await loadManifest(join(dir, "svcroute.yaml"), { dropInDir: join(dir, "other") });
    expect(r.manifest!.services.map((s) => s.name)).toEqual(["dns"]);
  });
});
