// The daemon matrix CI proves: which lab suites run against which daemon set, as vitest projects
// (vitest.config.ts), so the JSON report says per daemon version what passed (.ci/run prints it).
// Debian 12's set runs every suite; the Debian 13 sets run the core and the feature ones (two cores,
// 45 minutes), debian13-bird2 only the BIRD-host cases of most (its FRR is debian13's).
import { DAEMON_SETS, buildsOf, type DaemonSetName } from "./daemon-sets.js";

export type HostDaemon = "frr" | "bird";

export interface LabProject {
  /** the vitest project */
  project: string;
  daemons: DaemonSetName;
  include: string[];
  /**
   * suites that generate only their BIRD-host cases here: the set shares its FRR with another
   * project, which runs their FRR-host cases (the same FRR twice proves nothing new)
   */
  birdCasesOnly?: readonly string[];
}

/** the environment variable that tells a suite it generates only its BIRD-host cases (vitest.config.ts) */
export const BIRD_CASES_ONLY_ENV = "SVRL_BIRD_CASES_ONLY";

const suites = (names: readonly string[]): string[] => names.map((n) => `test/lab/${n}.test.ts`);

/**
 * What CI proves on a Debian 13 set: sessions and announcements, the rendered configs in real
 * sessions, the supervisor's work (health, policy, drain, 50 changes without a reset) and its faults
 * (stop, crash, guard, restart), the daemon killed and frozen, and doctor.
 */
export const CORE_SUITES = ["sessions", "rendered", "supervisor", "faults", "supervisor-faults", "doctor"] as const;

/**
 * The features operators asked for (issue 18), proven on Debian 13 as on Debian 12: primary/standby
 * roles, the health and hook features (status following the sessions, short intervals, on_change, a
 * refused manifest, dns checks, degraded, probe --apply), FRR's start-up without a session reset,
 * LOCAL_PREF over iBGP, a service announced to chosen peers only, the service addresses on lo,
 * `run --drop-ins`.
 */
export const FEATURE_SUITES = ["roles", "features", "frr-start", "local-pref", "peer-choice", "addresses", "drop-ins"] as const;

/**
 * of FEATURE_SUITES, those debian13-bird2 runs too: every one with a BIRD host (roles whole, its
 * BIRD primary beside an FRR standby; the others their BIRD-host cases)
 */
export const BIRD2_FEATURE_SUITES: readonly string[] = ["roles", "features", "local-pref", "peer-choice", "addresses", "drop-ins"];

/** suites with FRR-host cases only: run by debian13, whose FRR debian13-bird2 shares */
export const FRR_ONLY_SUITES: readonly string[] = ["frr-start"];

/**
 * debian13-bird2 runs Debian 13's FRR 10.3 as debian13 does: of these suites it generates only the
 * BIRD-host cases (BIRD 2.17's), which keeps CI within its time (two cores, 45 minutes).
 */
export const FRR_CASES_IN_DEBIAN13_ONLY = ["rendered", "supervisor", "supervisor-faults", "doctor", "local-pref", "peer-choice", "features", "addresses", "drop-ins"] as const;

export const LAB_PROJECTS: LabProject[] = [
  { project: "lab", daemons: "debian12", include: ["test/lab/**/*.test.ts"] },
  { project: "lab-debian13", daemons: "debian13", include: suites([...CORE_SUITES, ...FEATURE_SUITES]) },
  { project: "lab-debian13-bird2", daemons: "debian13-bird2", include: suites([...CORE_SUITES, ...BIRD2_FEATURE_SUITES]), birdCasesOnly: FRR_CASES_IN_DEBIAN13_ONLY },
];

/** the project's environment for vitest: its daemon set, and the suites that generate only BIRD-host cases */
export function projectEnv(p: LabProject): Record<string, string> {
  return { SVRL_DAEMONS: p.daemons, ...(p.birdCasesOnly ? { [BIRD_CASES_ONLY_ENV]: p.birdCasesOnly.join(",") } : {}) };
}

/**
 * The hosts' daemons whose cases `suite` generates in this run: both, or only BIRD where the
 * project says so (a case not generated is not a skipped test: the summary counts what ran).
 */
export function caseDaemons(suite: string, env: NodeJS.ProcessEnv = process.env): HostDaemon[] {
  const birdOnly = (env[BIRD_CASES_ONLY_ENV] ?? "").split(",").includes(suite);
  return birdOnly ? ["bird"] : ["bird", "frr"];
}

/** the items of a per-host list that `suite` generates cases for in this run */
export function casesOf<T extends { daemon: HostDaemon }>(suite: string, items: readonly T[]): T[] {
  const ds = caseDaemons(suite);
  return items.filter((x) => ds.includes(x.daemon));
}

/**
 * The table of docs/install.md: each build of the matrix, where it comes from, and the daemon sets
 * and lab suites that run it in CI (generated, so it says exactly what CI runs).
 */
export function matrixTable(): string {
  const rows = ["| daemon | version | packages | daemon set (`--daemons`) | lab suites CI runs against it |", "|---|---|---|---|---|"];
  for (const d of ["frr", "bird"] as const) {
    for (const b of buildsOf(d)) {
      const projects = LAB_PROJECTS.filter((p) => DAEMON_SETS[p.daemons][d].label === b.label);
      const all = projects.some((p) => p.include.some((i) => i.includes("*")));
      const suiteOf = (f: string) => f.replace(/^test\/lab\/|\.test\.ts$/g, "");
      // suites whose FRR-host cases one of these projects leaves to another
      const frrElsewhere = d === "frr" ? projects.flatMap((p) => p.birdCasesOnly ?? []) : [];
      const where = (s: string) => projects.filter((p) => !(p.birdCasesOnly ?? []).includes(s)).map((p) => `\`${p.daemons}\``).join(", ");
      const runs = (f: string) => d === "frr" || !FRR_ONLY_SUITES.includes(suiteOf(f));
      const listed = [...new Set(projects.flatMap((p) => p.include))].filter(runs).map((f) => `\`${suiteOf(f)}\`${frrElsewhere.includes(suiteOf(f)) ? ` (FRR cases in ${where(suiteOf(f))} only)` : ""}`);
      const suites = all ? "every lab suite" : listed.join(", ");
      const [name, version] = b.label.split(" ");
      rows.push(`| ${name} | ${version} | ${b.packages} | ${projects.map((p) => `\`${p.daemons}\``).join(", ")} | ${suites} |`);
    }
  }
  return `${rows.join("\n")}\n`;
}

/** "FRR 10.3 + BIRD 3.1": what a project's daemon set is, for reports */
export function projectLabel(project: string): string | undefined {
  const p = LAB_PROJECTS.find((x) => x.project === project);
  if (!p) return undefined;
  const s = DAEMON_SETS[p.daemons];
  return `${s.name}: ${s.frr.label} + ${s.bird.label}`;
}
