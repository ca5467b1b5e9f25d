// `npm run lab`: the demo. Builds svcroute, brings up two ToRs and two hosts in network namespaces,
// starts `svcroute run` on each host and narrates what the ToRs see while a service fails and
// recovers. `npm run lab -- --keep` leaves the fabric up; `npm run lab -- down` removes it.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { DAEMON_SETS, DAEMON_SET_NAMES, isDaemonSetName, type DaemonSet } from "./daemon-sets.js";
import { ROOTS_SCRIPT } from "./roots.js";
import { installSignalHandlers } from "./cleanup.js";
import { ANYCAST, DEMO_SERVICES, HOSTS, TORS, demoFabric, downKept, keptDemos, logTail, markKept, startDemoSupervisor, type DemoSupervisor } from "./demo-fabric.js";
import { ROOT, aptInstall, buildBundle, daemonVersions, missingPackages, missingPrograms, probeNamespaces, requireRoot, systemdRunning } from "./demo-setup.js";
import { indent, kernelNexthops, pathsVia, plural, secs, torView } from "./demo-view.js";
import { waitEstablished } from "./conditions.js";
import { LabError } from "./errors.js";
import { findProgram } from "./preflight.js";
import { createLab, type Lab } from "./lab.js";
import { BUNDLE } from "./supervised.js";
import { waitFor } from "./wait.js";

const USAGE = `usage: npm run lab [-- OPTIONS]        (as root)
  (no options)     install what is missing (apt), build svcroute, run the demo, tear it down
  --daemons SET    the hosts' FRR and BIRD: debian12 (this machine's FRR 8.4, BIRD 2.0.12; default),
                   debian13 (FRR 10.3, BIRD 3.1) or debian13-bird2 (FRR 10.3, BIRD 2.17), the latter
                   two from Debian 13 roots (built by npm run setup, or here when missing)
  --keep           leave the fabric running at the end and print a cheat sheet
  --no-install     fail instead of installing missing packages (or building the Debian 13 roots)
  down [ID...]     remove the fabrics left by --keep (or only those runs)
  --help           this text`;

const STEPS = 7;
/** the fabric being shown, until it is torn down or kept */
let current: Lab | undefined;
const FAILING_HOST = "hbird";
const FAILING_SERVICE = "web";
const TIMEOUT = 30_000;

const out = (s = ""): void => void process.stdout.write(`${s}\n`);
const t0 = performance.now();
const since = (t: number): number => performance.now() - t;

let partial = false;
/** starts a numbered step; `end` finishes its first line */
function step(n: number, text: string): void {
  if (partial) process.stdout.write("\n");
  process.stdout.write(`[${n}/${STEPS}] ${text} ... `);
  partial = true;
}
function end(text: string): void {
  process.stdout.write(`${text}\n`);
  partial = false;
}
function line(text: string): void {
  if (partial) end("");
  out(indent(text));
}

const isService = (prefix: string): boolean => prefix.startsWith("192.0.2.");

async function showTors(lab: Lab): Promise<void> {
  for (const tor of TORS) line((await torView(lab, tor, isService)).join("\n"));
}

/** waits until `tor` uses `n` paths for `prefix`; ms counted from `from` */
async function waitPaths(lab: Lab, tor: string, prefix: string, n: number, from: number): Promise<{ ms: number; via: string[] }> {
  const { value } = await waitFor(() => pathsVia(lab, tor, prefix), { what: `${plural(n, "path")} for ${prefix} at ${tor}`, timeout: TIMEOUT, interval: 10, until: (v) => v.length === n });
  return { ms: Math.round(since(from)), via: value };
}

/** the number of paths each ToR uses for `prefix` now */
async function pathCounts(lab: Lab, prefix: string): Promise<Map<string, number>> {
  return new Map(await Promise.all(TORS.map(async (t) => [t, (await pathsVia(lab, t, prefix)).length] as const)));
}

function install(noInstall: boolean): void {
  const missing = missingPackages();
  if (missing.length === 0) {
    step(1, "packages");
    end(`${daemonVersions()}, iproute2 present (nothing to install)`);
    return;
  }
  if (noInstall) {
    throw new LabError(`missing packages: ${missing.join(" ")}`, { details: missingPrograms().join("\n"), hint: `apt-get install -y ${missing.join(" ")} (or run without --no-install: the demo installs them itself)` });
  }
  step(1, `installing ${missing.join(" ")} (apt-get, as root; they are missing)`);
  const t = performance.now();
  aptInstall(missing);
  const still = missingPackages();
  if (still.length > 0) {
    throw new LabError(`still missing after apt-get install: ${still.join(" ")}`, { details: missingPrograms().join("\n"), hint: `apt-get install --reinstall -y ${still.join(" ")}` });
  }
  end(`done in ${secs(since(t))}: ${daemonVersions()}`);
  if (systemdRunning() && missing.some((p) => p === "frr" || p === "bird2")) {
    line("note: Debian enables frr.service and bird.service on install; the demo does not use them\n(`systemctl disable --now frr bird` stops them)");
  }
}

/** a Debian 13 set's roots, built (test/roots.sh) when missing and allowed */
function roots(set: DaemonSet, noInstall: boolean): void {
  const missing = [...new Set([set.frr.root, set.bird.root])].filter((r): r is string => r !== null && !existsSync(join(r, "usr/bin/apt-get")));
  if (missing.length === 0) return;
  if (noInstall) throw new LabError(`missing Debian 13 roots: ${missing.join(" ")}`, { hint: "npm run setup builds them (or run without --no-install)" });
  step(1, `building the Debian 13 roots ${missing.join(", ")} (debootstrap + apt-get, once; they are missing)`);
  const t = performance.now();
  const r = spawnSync("sh", [ROOTS_SCRIPT, "build"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  if (r.status !== 0) throw new LabError("building the Debian 13 roots failed (test/roots.sh build)", { details: `${r.stdout}${r.stderr}`.trim().split("\n").slice(-15).join("\n") });
  end(`done in ${secs(since(t))}`);
}

function cheatSheet(lab: Lab, sups: DemoSupervisor[]): string {
  const cli = process.cwd() === ROOT ? "node dist/svcroute.cjs" : `node ${BUNDLE}`;
  const bird = lab.birdPaths("hbird");
  const frr = lab.frrPaths("hfrr");
  // the hosts' own daemon programs (a chroot wrapper when they come from a Debian 13 root)
  const birdc = lab.tools("hbird").birdc;
  const vtysh = lab.tools("hfrr").vtysh;
  const s = (h: string) => sups.find((x) => x.host === h)!;
  const rows: [string, string][] = [
    ["enter a namespace", `ip netns exec ${lab.ns("tor1")} bash      (${[...TORS, ...HOSTS].map((n) => lab.ns(n)).join(", ")})`],
    ["tor1: BGP table", `vtysh --vty_socket ${lab.frrPaths("tor1").socket} -c 'show bgp ipv4 unicast'`],
    ["tor1: sessions", `vtysh --vty_socket ${lab.frrPaths("tor1").socket} -c 'show bgp summary'`],
    ["tor2: BGP table", `vtysh --vty_socket ${lab.frrPaths("tor2").socket} -c 'show bgp ipv4 unicast'`],
    ["tor1: kernel ECMP", `ip -n ${lab.ns("tor1")} route show ${ANYCAST.replace("/32", "")}`],
    ["hbird: BIRD", `${birdc} -s ${bird.socket} show route export peer_tor1      (show protocols, show route)`],
    ["hfrr: FRR", `${vtysh} --vty_socket ${frr.socket} -c 'show bgp ipv4 unicast'`],
    ["svcroute status", `${cli} status --socket ${s("hbird").socket}      (--watch, --json)`],
    ["fail web on hbird", `rm ${s("hbird").healthFile("web")}      (recover: touch it)`],
    ["fail api on hfrr", `rm ${s("hfrr").healthFile("api")}`],
    ["drain hbird", `${cli} drain --all --manifest ${s("hbird").manifest}      (undrain --all)`],
    ["manifests", sups.map((x) => x.manifest).join("  ")],
    ["logs", [...sups.map((x) => x.logFile), bird.logFile, frr.logFile].join("  ")],
    ["remove it", "npm run lab -- down"],
  ];
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join("\n");
}

async function demo(opts: { keep: boolean; noInstall: boolean; daemons: DaemonSet }): Promise<void> {
  requireRoot();
  for (const k of keptDemos()) out(`note: a demo fabric kept earlier (run ${k.id}) is still up; \`npm run lab -- down\` removes it`);

  // fail before a long apt-get when namespaces cannot be made here (needs `ip`, which may be missing)
  const ipPresent = findProgram("ip") !== undefined;
  if (ipPresent) probeNamespaces();
  install(opts.noInstall);
  roots(opts.daemons, opts.noInstall);
  if (!ipPresent) probeNamespaces();

  step(2, "building svcroute");
  end(buildBundle().replace(/^built /, ""));

  const build = (d: "frr" | "bird"): string => `${opts.daemons[d].label}${opts.daemons[d].root ? " from a Debian 13 root" : ""}`;
  const desc = demoFabric.hosts.map((h) => `${h.name} (${build(h.daemon === "bird" ? "bird" : "frr")}, ${h.links.length > 1 ? "dual-homed" : `${h.links[0]} only`})`).join(", ");
  step(3, `fabric: ${demoFabric.tors.map((t) => `${t.name} (AS${t.asn})`).join(", ")}; ${desc}`);
  let t = performance.now();
  const lab = await createLab(demoFabric, { daemons: opts.daemons });
  current = lab;
  end(`up in ${secs(since(t))} (namespaces ${lab.ns("tor1").replace(/tor1$/, "*")})`);
  line(`ToRs run FRR; every host link is a /30 with one eBGP session: ${lab.plan.links.map((l) => `${l.host}-${l.tor}`).join(", ")}`);

  const sups: DemoSupervisor[] = [];
  try {
    step(4, `starting svcroute run on ${HOSTS.join(" and ")} (one per host, inside its namespace)`);
    t = performance.now();
    for (const h of HOSTS) sups.push(startDemoSupervisor(lab, h));
    await waitEstablished(lab, { timeout: TIMEOUT });
    end(`BGP sessions Established in ${secs(since(t))}`);
    for (const h of HOSTS) {
      const svcs = (DEMO_SERVICES[h] ?? []).map((s) => `${s.name} ${s.prefixes.join(" ")}${s.prefixes.includes(ANYCAST) ? " (anycast)" : ""}`);
      line(`${h} serves ${svcs.join(", ")}; manifest ${sups.find((s) => s.host === h)!.manifest}`);
    }
    await Promise.all([
      waitPaths(lab, "tor1", ANYCAST, 2, t),
      waitPaths(lab, "tor2", ANYCAST, 1, t),
      ...HOSTS.flatMap((h) => lab.host(h).links.flatMap((l) => (DEMO_SERVICES[h] ?? []).flatMap((s) => s.prefixes.filter((p) => p !== ANYCAST).map((p) => waitPaths(lab, l.tor, p, 1, t))))),
    ]);
    line(`every prefix at the ToRs ${secs(since(t))} after start:`);
    await showTors(lab);
    line(`tor1's kernel forwards ${ANYCAST} ${await kernelNexthops(lab, "tor1", ANYCAST)}  (ECMP)`);

    const sup = sups.find((s) => s.host === FAILING_HOST)!;
    const before = await pathCounts(lab, ANYCAST);
    step(5, `${FAILING_SERVICE} on ${FAILING_HOST} fails: its health check (a file exists) fails from now on`);
    t = performance.now();
    sup.setHealthy(FAILING_SERVICE, false);
    const gone = await Promise.all(
      TORS.map(async (tor) => {
        const n = before.get(tor) ?? 0;
        const w = await waitPaths(lab, tor, ANYCAST, n - 1, t);
        return { tor, n, ...w };
      }),
    );
    end(`withdrawn in ${Math.max(...gone.map((g) => g.ms))} ms`);
    line(`$ rm ${sup.healthFile(FAILING_SERVICE)}      (times: from here to each ToR's BGP table; checks every 200 ms, fall 1)`);
    for (const g of gone) {
      line(`${ANYCAST} at ${g.tor}: ${g.n} → ${plural(g.n - 1, "path")} in ${g.ms} ms${g.via.length > 0 ? ` (left: ${g.via.join(", ")})` : ` (withdrawn: no healthy ${FAILING_SERVICE} server behind ${g.tor})`}`);
    }
    const others = (DEMO_SERVICES[FAILING_HOST] ?? []).filter((x) => x.name !== FAILING_SERVICE);
    line(`${others.map((x) => `${x.name} (${x.prefixes.join(" ")})`).join(", ")} on ${FAILING_HOST} stays announced: only the failed service is withdrawn`);
    await showTors(lab);
    line(`$ ip netns exec ${lab.ns(FAILING_HOST)} ${process.cwd() === ROOT ? "node dist/svcroute.cjs" : `node ${BUNDLE}`} status --socket ${sup.socket}`);
    const st = await lab.exec(FAILING_HOST, process.execPath, [BUNDLE, "status", "--socket", sup.socket], { allowFail: true });
    line(indent(`${st.stdout}${st.stderr}`, "  "));

    step(6, `${FAILING_SERVICE} on ${FAILING_HOST} recovers`);
    t = performance.now();
    sup.setHealthy(FAILING_SERVICE, true);
    const back = await Promise.all(TORS.map(async (tor) => ({ tor, n: before.get(tor) ?? 0, ...(await waitPaths(lab, tor, ANYCAST, before.get(tor) ?? 0, t)) })));
    end(`back in ${Math.max(...back.map((g) => g.ms))} ms`);
    line(`$ touch ${sup.healthFile(FAILING_SERVICE)}      (rise 1)`);
    for (const g of back) line(`${ANYCAST} at ${g.tor}: ${g.n - 1} → ${plural(g.n, "path")} in ${g.ms} ms (${g.via.join(", ")}${g.n > 1 ? ", ECMP" : ""})`);

    if (opts.keep) {
      step(7, "keeping the fabric up (--keep)");
      const sheet = cheatSheet(lab, sups);
      markKept(lab, sheet);
      lab.detach();
      current = undefined;
      end(`run ${lab.id}, total ${secs(since(t0))}`);
      out();
      out(indent(sheet, "  "));
      return;
    }
  } catch (e) {
    if (partial) end("failed");
    for (const s of sups) out(`--- last lines of ${s.logFile}\n${logTail(s)}`);
    step(STEPS, "tearing down after the error");
    lab.downSync();
    current = undefined;
    end("done");
    throw e;
  }

  step(7, "tearing down");
  t = performance.now();
  const r = await lab.down();
  current = undefined;
  end(`${plural(r.namespaces.length, "namespace")} and ${plural(r.killed.length, "process", "processes")} removed in ${secs(since(t))}`);
  if (r.errors.length > 0 || r.survivors.length > 0) throw new LabError("teardown was incomplete", { details: [...r.errors, ...r.survivors.map((p) => `still alive: pid ${p}`)].join("\n") });
  out(`demo finished in ${secs(since(t0))} (npm run lab -- --keep leaves the fabric up to explore)`);
}

function down(ids: string[]): void {
  requireRoot();
  const reports = downKept(ids);
  if (reports.length === 0) {
    out(`no kept demo fabric${ids.length > 0 ? ` named ${ids.join(" ")}` : ""} to remove (other leftovers of the lab: npx tsx test/lab/harness/cli.ts ls / down)`);
    return;
  }
  for (const r of reports) {
    out(`removed demo fabric ${r.id}: ${plural(r.namespaces.length, "namespace")}, ${plural(r.killed.length, "process", "processes")}`);
    for (const e of r.errors) out(`  ${e}`);
    if (r.survivors.length > 0) out(`  still alive: ${r.survivors.join(" ")}`);
  }
  if (reports.some((r) => r.errors.length > 0 || r.survivors.length > 0)) process.exitCode = 1;
}

async function main(argv: string[]): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: { keep: { type: "boolean" }, "no-install": { type: "boolean" }, daemons: { type: "string" }, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
    });
  } catch (e) {
    console.error(`${e instanceof Error ? e.message : String(e)}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out(USAGE);
    return;
  }
  if (positionals[0] !== undefined && positionals[0] !== "down") {
    console.error(`unknown command ${positionals[0]}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  // Ctrl-C: tear the fabric down and say so; then the harness's handlers (registered next, they run
  // after this one) tear down anything else still live and exit with 128 + the signal's number
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(sig, () => {
      const lab = current;
      current = undefined;
      process.stdout.write(`${partial ? "\n" : ""}${sig === "SIGINT" ? "interrupted" : sig}${lab ? `: tearing down run ${lab.id} ... ` : "\n"}`);
      partial = false;
      if (!lab) return;
      const r = lab.downSync();
      process.stdout.write(`${plural(r.namespaces.length, "namespace")} and ${plural(r.killed.length, "process", "processes")} removed\n`);
    });
  }
  installSignalHandlers();
  if (positionals[0] === "down") {
    down(positionals.slice(1));
    return;
  }
  const set = values.daemons ?? "debian12";
  if (!isDaemonSetName(set)) {
    console.error(`--daemons ${set}: one of ${DAEMON_SET_NAMES.join(", ")}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  await demo({ keep: values.keep ?? false, noInstall: values["no-install"] ?? false, daemons: DAEMON_SETS[set] });
  if (values.keep) process.exit(0);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  if (partial) end("");
  console.error(e instanceof LabError ? `error: ${e.message}` : e);
  process.exit(1);
});
