// The daemon matrix CI proves: which lab suites run against which daemon set, as vitest projects
// (vitest.config.ts), so the JSON report says per daemon version what passed (.ci/run prints it).
// Debian 12's set runs every suite; the Debian 13 sets run the core ones (two cores, 45 minutes).
import { DAEMON_SETS, buildsOf, type DaemonSetName } from "./daemon-sets.js";

export interface LabProject {
  /** the vitest project */
  project: string;
  daemons: DaemonSetName;
  include: string[];
}

const suites = (names: readonly string[]): string[] => names.map((n) => `test/lab/${n}.test.ts`);

/**
 * What CI proves on a Debian 13 set (each set adds about 4 minutes on two cores): sessions and
 * announcements, the daemon killed and frozen, the supervisor's faults (stop, crash, guard, restart)
 * and doctor. rendered and supervisor are not among them: each has a test still failing on FRR
 * 10.3 (docs/install.md says which, and how to run them there by hand).
 */
export const CORE_SUITES = ["sessions", "faults", "supervisor-faults", "doctor"] as const;

export const LAB_PROJECTS: LabProject[] = [
  { project: "lab", daemons: "debian12", include: ["test/lab/**/*.test.ts"] },
  { project: "lab-debian13", daemons: "debian13", include: suites(CORE_SUITES) },
  { project: "lab-debian13-bird2", daemons: "debian13-bird2", include: suites(CORE_SUITES) },
];

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
      const suites = all ? "every lab suite" : [...new Set(projects.flatMap((p) => p.include))].map((f) => `\`${f.replace(/^test\/lab\/|\.test\.ts$/g, "")}\``).join(", ");
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
