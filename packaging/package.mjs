// `npm run package`: build the bundle, then svcroute_<version>-<rev>_all.deb (dpkg-deb) and
// svcroute-<version>-<rev>.noarch.rpm (rpmbuild) in packaging/out/, from one staged file tree.
// Reproducible: every timestamp is SOURCE_DATE_EPOCH (the last commit's time unless set).
//   node packaging/package.mjs [--no-build] [--out DIR]     (DIR default: packaging/out)
import { execFileSync } from "node:child_process";
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { readTree } from "./lib/cli-help.mjs";
import { bashCompletion } from "./lib/completion.mjs";
import { apacheText, bundledPackages, copyrightFile } from "./lib/copyright.mjs";
import { manPage } from "./lib/manpage.mjs";
import { debianChangelog, rpmChangelog } from "./lib/changelog.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const REVISION = "1";
const VERSION = pkg.version;
const FULL = `${VERSION}-${REVISION}`;
const MAINTAINER = process.env.SVCROUTE_MAINTAINER ?? "svcroute maintainers <maintainers@svcroute.example.org>";
const SUMMARY = "announce healthy services over BGP via FRR or BIRD";
const outArg = process.argv.indexOf("--out");
const out = outArg > 0 ? resolve(process.argv[outArg + 1]) : join(here, "out");
const stage = join(out, "stage");
const t0 = performance.now();

const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: ["ignore", "pipe", "inherit"], encoding: "utf8", ...opts });
const step = (what) => console.log(`package: ${what} (${Math.round(performance.now() - t0)} ms)`);

function sourceDateEpoch() {
  if (process.env.SOURCE_DATE_EPOCH) return Number(process.env.SOURCE_DATE_EPOCH);
  try {
    return Number(run("git", ["-C", root, "log", "-1", "--format=%ct"]).trim());
  } catch {
    return Math.floor(statSync(join(root, "package.json")).mtimeMs / 1000);
  }
}
const SDE = sourceDateEpoch();
process.env.SOURCE_DATE_EPOCH = String(SDE);

// Tools: dpkg-deb is in every Debian; rpmbuild (Debian's rpm) and help2man are installed when missing.
run("sh", [join(here, "tools.sh"), "dpkg-deb", "rpmbuild", "help2man"], { stdio: "inherit" });

if (!process.argv.includes("--no-build")) {
  run(process.execPath, [join(here, "build.mjs")], { stdio: "inherit" });
}
const dist = join(root, "dist");
const bundle = join(dist, "svcroute.cjs");
if (!existsSync(bundle)) throw new Error("dist/svcroute.cjs is missing: run `npm run build` first");
// the bundle's files: svcroute.cjs, cli.cjs and commands/*.cjs (templates apart, below)
const bundleFiles = walk(dist).filter((f) => f.endsWith(".cjs"));

rmSync(out, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });

// ---- the file tree both packages share ------------------------------------------------------
const common = join(stage, "common");
const put = (rel, data, mode = 0o644) => {
  const file = join(common, rel);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, data);
  chmodSync(file, mode);
};

// The bundle is modules read by /usr/bin/node, not executables: no shebang, mode 0644.
for (const f of bundleFiles) put(`usr/lib/svcroute/${f}`, readFileSync(join(dist, f), "utf8").replace(/^#!.*\n/, ""));
cpSync(join(root, "dist", "templates"), join(common, "usr/lib/svcroute/templates"), {
  recursive: true,
  filter: (src) => !/(^|\/)\.(keep|gitkeep)$/.test(src),
});
// The launcher's environment (launcher-env.json; the bench starts the supervisor with it too):
// glibc's malloc raises its trim threshold as large blocks are freed, and V8 frees large parse
// buffers at start-up, so the memory stays with the process; a fixed threshold gives it back
// (an idle supervisor with 10 services: 74 → 62 MB RSS). An administrator's own value wins.
const launcherEnv = Object.entries(JSON.parse(readFileSync(join(here, "launcher-env.json"), "utf8")))
  .map(([k, v]) => `export ${k}="\${${k}:-${v}}"\n`)
  .join("");
put("usr/bin/svcroute", `#!/bin/sh\n# svcroute: the bundled CLI on the system's Node.js (>= 18.19)\n${launcherEnv}exec /usr/bin/node /usr/lib/svcroute/svcroute.cjs "$@"\n`, 0o755);
put("usr/lib/svcroute/check-drop-in", readFileSync(join(here, "common", "check-drop-in")), 0o755);
put("etc/svcroute/svcroute.yaml", readFileSync(join(here, "examples", "svcroute.yaml")));
// a drop-in for a protected service's unit: drain before it stops (docs/supervisor.md)
put("usr/share/doc/svcroute/examples/drain-before-stop.conf", readFileSync(join(here, "examples", "drain-before-stop.conf")));
mkdirSync(join(common, "etc/svcroute/services.d"), { recursive: true });

step("reading the CLI's help");
const tree = readTree(bundle);
put("usr/share/bash-completion/completions/svcroute", bashCompletion(tree));
const man = manPage({ bundle, tree, staticInclude: join(here, "man", "svcroute.h2m"), name: SUMMARY, sourceDateEpoch: SDE });
put("usr/share/man/man8/svcroute.8.gz", gzipSync(Buffer.from(man), { level: 9 })); // no name, no mtime: like gzip -9n
// The README and the docs/ pages it links, at the same relative paths so the links resolve.
put("usr/share/doc/svcroute/README.md", readFileSync(join(root, "README.md")));
for (const page of readdirSync(join(root, "docs")).filter((f) => f.endsWith(".md"))) {
  put(`usr/share/doc/svcroute/docs/${page}`, readFileSync(join(root, "docs", page)));
}

const bundled = bundledPackages(JSON.parse(readFileSync(join(dist, "inputs.json"), "utf8")), root);
const year = new Date(SDE * 1000).getUTCFullYear();
const copyright = copyrightFile({ bundled, projectLicense: pkg.license, holder: "svcroute authors", year });
const changelog = debianChangelog(readFileSync(join(here, "deb", "changelog"), "utf8"), { version: FULL, maintainer: MAINTAINER, sde: SDE });

// ---- .deb ------------------------------------------------------------------------------------
step("staging the .deb");
const deb = join(stage, "deb");
cpSync(common, deb, { recursive: true });
const debPut = (rel, data, mode = 0o644) => {
  mkdirSync(dirname(join(deb, rel)), { recursive: true });
  writeFileSync(join(deb, rel), data);
  chmodSync(join(deb, rel), mode);
};
for (const unit of ["svcroute.service", "svcroute-withdraw.service"]) debPut(`lib/systemd/system/${unit}`, readFileSync(join(here, "systemd", unit)));
debPut("usr/share/doc/svcroute/copyright", copyright);
debPut("usr/share/doc/svcroute/changelog.Debian.gz", gzipSync(Buffer.from(changelog), { level: 9 }));
if (existsSync(join(here, "deb", "lintian-overrides"))) debPut("usr/share/lintian/overrides/svcroute", readFileSync(join(here, "deb", "lintian-overrides")));

const files = walk(deb).filter((f) => !f.startsWith("DEBIAN"));
const installedKiB = files.reduce((n, f) => n + (lstatSync(join(deb, f)).isFile() ? Math.ceil(statSync(join(deb, f)).size / 1024) : 1), 0);
const control = `Package: svcroute
Version: ${FULL}
Architecture: all
Maintainer: ${MAINTAINER}
Installed-Size: ${installedKiB}
Depends: adduser, nodejs (>= 18.19)
Recommends: frr | bird2, iproute2
Suggests: frr-pythontools
Section: net
Priority: optional
Description: ${SUMMARY}
 svcroute makes a Linux server announce the IP prefixes of its services
 (anycast or unicast /32 and /128) to its top-of-rack switches over BGP,
 and withdraw them when a service's health checks fail.
 .
 A small declarative manifest (/etc/svcroute/svcroute.yaml plus drop-ins)
 names the services, their prefixes, health checks and BGP peers; svcroute
 renders a locked-down FRR or BIRD configuration from it, applies it, and
 keeps the routing daemon's announcements equal to the healthy services.
 .
 The package installs the service disabled: enable it once the manifest
 describes this host.
`;
debPut("DEBIAN/control", control);
debPut("DEBIAN/conffiles", "/etc/svcroute/svcroute.yaml\n");
for (const s of ["postinst", "prerm", "postrm"]) debPut(`DEBIAN/${s}`, readFileSync(join(here, "deb", s)), 0o755);
debPut("DEBIAN/triggers", readFileSync(join(here, "deb", "triggers")));
debPut(
  "DEBIAN/md5sums",
  files
    .filter((f) => lstatSync(join(deb, f)).isFile() && !f.startsWith("etc/"))
    .map((f) => `${createHash("md5").update(readFileSync(join(deb, f))).digest("hex")}  ${f}`)
    .join("\n") + "\n",
);
normalize(deb);
const debFile = join(out, `svcroute_${FULL}_all.deb`);
run("dpkg-deb", ["--root-owner-group", "-Zxz", "-z9", "--build", deb, debFile], { stdio: ["ignore", "ignore", "inherit"] });
step(`built ${relative(root, debFile)}`);

// ---- .rpm ------------------------------------------------------------------------------------
const rpmRoot = join(stage, "rpm");
cpSync(common, rpmRoot, { recursive: true });
for (const unit of ["svcroute.service", "svcroute-withdraw.service"]) {
  mkdirSync(join(rpmRoot, "usr/lib/systemd/system"), { recursive: true });
  writeFileSync(join(rpmRoot, "usr/lib/systemd/system", unit), readFileSync(join(here, "systemd", unit)));
}
mkdirSync(join(rpmRoot, "usr/share/licenses/svcroute"), { recursive: true });
writeFileSync(join(rpmRoot, "usr/share/licenses/svcroute/copyright"), copyright);
const apache = apacheText();
if (!apache) throw new Error("no Apache-2.0 text: add LICENSE at the top of the repository");
writeFileSync(join(rpmRoot, "usr/share/licenses/svcroute/LICENSE"), apache);
normalize(rpmRoot);
const hasDocs = existsSync(join(rpmRoot, "usr/share/doc/svcroute"));
const spec = readFileSync(join(here, "rpm", "svcroute.spec.in"), "utf8")
  .replaceAll("@VERSION@", VERSION)
  .replaceAll("@RELEASE@", REVISION)
  .replaceAll("@LICENSE@", [...new Set([pkg.license, ...bundled.map((b) => b.license).sort()])].join(" AND "))
  .replaceAll("@STAGE@", rpmRoot)
  .replace("%doc %{_docdir}/svcroute\n", hasDocs ? "%doc %{_docdir}/svcroute\n" : "")
  .replace("@CHANGELOG@", rpmChangelog(changelog));
const top = join(stage, "rpmbuild");
mkdirSync(join(top, "SPECS"), { recursive: true });
writeFileSync(join(top, "SPECS", "svcroute.spec"), spec);
const [packagerName] = [MAINTAINER];
run(
  "rpmbuild",
  [
    "-bb",
    "--quiet",
    "--define", `_topdir ${top}`,
    "--define", `_rpmdir ${out}`,
    "--define", "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm",
    "--define", `packager ${packagerName}`,
    "--define", "_buildhost reproducible",
    "--define", "use_source_date_epoch_as_buildtime 1",
    "--define", "clamp_mtime_to_source_date_epoch 1",
    "--define", "source_date_epoch_from_changelog 0",
    "--define", "_source_payload w9.xzdio",
    join(top, "SPECS", "svcroute.spec"),
  ],
  { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, LC_ALL: "C", TZ: "UTC" } },
);
const rpmFile = join(out, `svcroute-${FULL}.noarch.rpm`);
if (!existsSync(rpmFile)) throw new Error(`rpmbuild did not produce ${rpmFile}`);
step(`built ${relative(root, rpmFile)}`);

if (!process.env.SVCROUTE_KEEP_STAGE) rmSync(stage, { recursive: true, force: true });
for (const f of [debFile, rpmFile]) {
  const data = readFileSync(f);
  console.log(`${relative(root, f)}  ${(data.length / 1024).toFixed(0)} KiB  sha256 ${createHash("sha256").update(data).digest("hex")}`);
}

// ---- helpers ---------------------------------------------------------------------------------
function walk(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : 1))
    .flatMap((e) => {
      const p = join(dir, e.name);
      return e.isDirectory() ? [relative(base, p), ...walk(p, base)] : [relative(base, p)];
    });
}

/** Same modes and timestamps on every build: files 0644 (0755 if executable), dirs 0755. */
function normalize(dir) {
  for (const rel of ["", ...walk(dir)]) {
    const p = join(dir, rel);
    const st = lstatSync(p);
    if (st.isSymbolicLink()) continue;
    chmodSync(p, st.isDirectory() || st.mode & 0o100 ? 0o755 : 0o644);
    utimesSync(p, SDE, SDE);
  }
}
