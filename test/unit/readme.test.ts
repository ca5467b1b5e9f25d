// The README and docs/ stay true: the README's commands are the ones CI runs and its manifest is
// valid, every page is linked and every link resolves, the generated blocks match the code, and
// the architecture page lists exactly the files in src/.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { buildFromSources } from "../../src/manifest/load.js";
import { parseManifestText } from "../../src/manifest/parse.js";
import { BLOCK_PAGES, README, ROOT, blockIn, generatedBlocks } from "../helpers/doc-blocks.js";

const text = readFileSync(README, "utf8");
const read = (rel: string) => readFileSync(join(ROOT, rel), "utf8");
const docPages = readdirSync(join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : [relative(join(ROOT, "src"), p)];
  });
}

/** relative link targets of a markdown page (no URLs, no in-page anchors, nothing in code) */
function localLinks(page: string): string[] {
  const prose = read(page).replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  return [...prose.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l));
}

describe("README", () => {
  it("starts with exactly two set-up commands, the second of which CI runs verbatim", () => {
    const m = /^# svcroute\n\n```sh\n([^\n]+)\n([^\n]+)\n```\n/.exec(text);
    expect(m, "README must open with a sh block of two commands").not.toBeNull();
    const ci = readFileSync(join(ROOT, ".ci/run"), "utf8");
    expect(ci).toContain(m![2]!);
  });

  it("says what `npm test` runs: the type check and the linter before every suite", () => {
    const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
    expect(scripts.test).toBe("tsc --noEmit && eslint . && vitest run");
    expect(text).toMatch(/`npm test` runs the type check \(`tsc --noEmit`\), the linter/);
  });

  it("shows a complete manifest that svcroute accepts", () => {
    const yaml = /```yaml\n([\s\S]*?)```/.exec(text)![1]!;
    const parsed = parseManifestText("README.md", yaml);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const r = buildFromSources(parsed.source, []);
    expect(r.problems).toEqual([]);
    expect(r.manifest?.services.map((s) => s.name)).toEqual(["dns"]);
  });

  it("links every page in docs/", () => {
    expect(localLinks("README.md").filter((l) => l.startsWith("docs/")).sort()).toEqual(expect.arrayContaining(docPages.sort()));
  });

  it.each(["README.md", ...docPages])("%s: every relative link resolves", (page) => {
    for (const link of localLinks(page)) expect(existsSync(join(ROOT, dirname(page), link)), `${page} → ${link}`).toBe(true);
  });
});

describe("docs/", () => {
  it.each(Object.keys(generatedBlocks()))("block %s matches the code (refresh: npx tsx test/helpers/doc-blocks.ts --write)", (name) => {
    expect(blockIn(read(BLOCK_PAGES[name]!), name)).toBe(generatedBlocks()[name]);
  });

  it.each(Object.entries(BLOCK_PAGES))("block %s has its markers in %s", (name, page) => {
    expect(blockIn(read(page), name)).toBeDefined();
  });

  it("architecture.md lists every file in src/ and nothing else", () => {
    const arch = /```\nsrc\/\n([\s\S]*?)```/.exec(read("docs/architecture.md"))![1]!;
    const listed: string[] = [];
    const stack: string[] = [];
    for (const line of arch.split("\n")) {
      const m = /^( +)(\S+)/.exec(line);
      if (!m || !line.startsWith("  ")) continue;
      const depth = m[1]!.length / 2 - 1;
      stack.length = depth;
      if (m[2]!.endsWith("/")) stack.push(m[2]!.slice(0, -1));
      else if (depth <= stack.length && /\.\w+$/.test(m[2]!)) listed.push([...stack, m[2]!].join("/"));
    }
    expect(listed.sort()).toEqual(files(join(ROOT, "src")).sort());
  });

  // The validate hooks the docs show are the ones the shipped role and module use (the packaging
  // gates run those against this host), and name nothing the module does not ship.
  it("manifest.md shows the Ansible role's and the Puppet module's own validate hooks", () => {
    const page = read("docs/manifest.md");
    const role = read("packaging/ansible/roles/svcroute/tasks/config.yml").replaceAll("{{ svcroute_config_dir }}", "/etc/svcroute");
    const module = read("packaging/puppet/svcroute/manifests/init.pp").replaceAll("${config_dir}", "/etc/svcroute");
    const ansible = /```yaml\n# Ansible[\s\S]*?```/.exec(page)?.[0] ?? "";
    const puppet = /```puppet\n# Puppet[\s\S]*?```/.exec(page)?.[0] ?? "";
    const validate = /validate: (.*)/.exec(ansible)?.[1];
    expect(validate, "the Ansible validate line").toBeDefined();
    expect(role).toContain(`validate: ${validate}`);
    for (const k of ["owner", "group", "mode"]) {
      const line = new RegExp(`\\n\\s+${k}: .*`).exec(ansible)?.[0].trim();
      expect(line, `the Ansible task sets ${k}`).toBeDefined();
      expect(role).toContain(line);
    }
    const cmd = /validate_cmd\s*=> '([^']*)'/.exec(puppet)?.[1];
    expect(cmd, "the Puppet validate_cmd").toBeDefined();
    expect(module).toContain(`validate_cmd => "${cmd}"`);
    for (const [, kind, name] of puppet.matchAll(/\b(epp|template)\('svcroute\/([^']+)'/g)) {
      expect(existsSync(join(ROOT, "packaging/puppet/svcroute/templates", name!)), `${kind}('svcroute/${name}') is not in the module`).toBe(true);
    }
  });
});
