// Who may change what the host announces: the manifest, its drop-in directory and drop-in files
// belong to root (or svcroute's own user) and nobody else can write them; the directories above
// them may be written by others only with the sticky bit. Files are handed to `nobody` here,
// which takes root: as any other user these tests are reported skipped.
import { chmodSync, chownSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadManifest } from "../../../src/manifest/load.js";
import { runCli } from "../../helpers/cli.js";
import { tmpTree } from "../../helpers/tmp.js";
import { MINIMAL } from "./manifests.js";

const NOBODY = 65534; // nobody / nogroup on Debian
const EVIL = "services:\n  - name: evil\n    prefixes: [192.0.2.99/32]\n";
const asRoot = process.getuid?.() === 0;

function tree(): { dir: string; manifest: string; dropIns: string } {
  const dir = tmpTree({ "svcroute.yaml": MINIMAL });
  mkdirSync(join(dir, "services.d"));
  return { dir, manifest: join(dir, "svcroute.yaml"), dropIns: join(dir, "services.d") };
}

async function refused(manifest: string, file: string, ...parts: (string | RegExp)[]) {
  const r = await loadManifest(manifest);
  expect(r.manifest, "accepted").toBeUndefined();
  expect(r.stage).toBe("io");
  const p = r.problems.find((x) => x.file === file);
  expect(p, JSON.stringify(r.problems)).toBeDefined();
  for (const part of parts) expect(p!.message).toMatch(part);
  expect(p!.hint).toMatch(new RegExp(`(chown|chmod) .*${file.replace(/[/.]/g, "\\$&")}`));
  return p!;
}

describe.runIf(asRoot)("who may write the manifest", () => {
  it("a sticky world-writable drop-in directory is refused: adding a file is the attack", async () => {
    const t = tree();
    chmodSync(t.dropIns, 0o1777);
    writeFileSync(join(t.dropIns, "evil.yaml"), EVIL);
    chownSync(join(t.dropIns, "evil.yaml"), NOBODY, NOBODY);
    const p = await refused(t.manifest, t.dropIns, /drop-in directory/, /writable by every user/, /owner root:root, mode 1777/);
    expect(p.hint).toContain(`chmod 0755 ${t.dropIns}`);
    const cli = await runCli(["check", "--manifest", t.manifest]);
    expect(cli.code).toBe(3);
    expect(cli.out + cli.err).not.toContain("evil");
  });

  it("so is one whose group may write it (the group's members are not root)", async () => {
    const t = tree();
    chownSync(t.dropIns, 0, NOBODY);
    chmodSync(t.dropIns, 0o770);
    await refused(t.manifest, t.dropIns, /writable by group nogroup/, /owner root:nogroup, mode 0770/);
  });

  it("and one owned by another user", async () => {
    const t = tree();
    chownSync(t.dropIns, NOBODY, 0);
    await refused(t.manifest, t.dropIns, /owned by nobody/, /owner nobody:root, mode 0755/);
  });

  it("a drop-in file owned by another user is refused, in a directory that is fine", async () => {
    const t = tree();
    const f = join(t.dropIns, "web.yaml");
    writeFileSync(f, EVIL);
    chownSync(f, NOBODY, NOBODY);
    await refused(t.manifest, f, /owned by nobody/, /owner nobody:nogroup, mode 0644/);
  });

  it("a drop-in file another group may write is refused", async () => {
    const t = tree();
    const f = join(t.dropIns, "web.yaml");
    writeFileSync(f, EVIL);
    chownSync(f, 0, NOBODY);
    chmodSync(f, 0o664);
    await refused(t.manifest, f, /writable by group nogroup/);
  });

  it("the manifest itself: owned by another user, or writable by another group", async () => {
    const t = tree();
    chownSync(t.manifest, NOBODY, 0);
    await refused(t.manifest, t.manifest, /owned by nobody/);
    chownSync(t.manifest, 0, NOBODY);
    chmodSync(t.manifest, 0o660);
    await refused(t.manifest, t.manifest, /writable by group nogroup/);
  });

  it("a manifest reached through a symlink is judged by the file it points to", async () => {
    const t = tree();
    const real = join(t.dir, "real.yaml");
    writeFileSync(real, MINIMAL);
    chownSync(real, NOBODY, NOBODY);
    const link = join(t.dir, "link.yaml");
    symlinkSync(real, link);
    await refused(link, link, /owned by nobody/);
  });

  it("a parent directory others may write without the sticky bit is refused; with it, accepted", async () => {
    const t = tree();
    const parent = join(t.dir, "etc");
    mkdirSync(join(parent, "svcroute"), { recursive: true });
    const m = join(parent, "svcroute", "svcroute.yaml");
    writeFileSync(m, MINIMAL);
    chmodSync(parent, 0o777);
    await refused(m, parent, /parent directory/, /writable by every user/, /mode 0777/);
    chmodSync(parent, 0o1777); // like /tmp: others may add entries, not replace root's
    expect((await loadManifest(m)).problems).toEqual([]);
    chownSync(parent, 0, NOBODY);
    chmodSync(parent, 0o775);
    await refused(m, parent, /writable by group nogroup/);
  });

  it("validate hooks: Ansible's temp file in the connecting user's own directory, Puppet's beside the target", async () => {
    const t = tree();
    writeFileSync(join(t.dropIns, "web.yaml"), "services:\n  - name: web\n    prefixes: [192.0.2.80/32]\n");
    // Ansible: ~deploy/.ansible/tmp/ansible-tmp-X/source, the directories the SSH user's (0700);
    // the copy module sets the task's owner, group and mode on the file before `validate` runs
    const home = join(t.dir, "home", "deploy");
    const tmp = join(home, ".ansible", "tmp", "ansible-tmp-1-2");
    mkdirSync(tmp, { recursive: true, mode: 0o700 });
    for (const d of [home, join(home, ".ansible"), join(home, ".ansible", "tmp"), tmp]) chownSync(d, NOBODY, NOBODY);
    const source = join(tmp, "source");
    writeFileSync(source, MINIMAL, { mode: 0o640 });
    const ansible = await runCli(["check", "--manifest", source, "--drop-ins", t.dropIns]);
    expect(ansible.err).toBe("");
    expect(ansible.code).toBe(0);
    // Puppet: a temp file beside the target, written by root
    const puppet = join(t.dir, "svcroute.yaml20261125-4242-1x2y3z");
    writeFileSync(puppet, MINIMAL, { mode: 0o640 });
    const r = await runCli(["check", "--manifest", puppet]);
    expect(r.code).toBe(0);
    expect(r.out).toContain("web");
  });
});
