// The daemon matrix is described in three places that must agree: the harness's daemon sets, the
// script that builds their roots (test/roots.sh) and the vitest projects that run the lab per set.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import config from "../../vitest.config.js";
import { DAEMON_SETS, DAEMON_SET_NAMES, ROOTS_DIR, buildsOf, filePrefix } from "../lab/harness/daemon-sets.js";
import { BIRD2_FEATURE_SUITES, BIRD_CASES_ONLY_ENV, CORE_SUITES, FEATURE_SUITES, FRR_CASES_IN_DEBIAN13_ONLY, FRR_ONLY_SUITES, LAB_PROJECTS, caseDaemons, matrixTable } from "../lab/harness/matrix.js";

const ROOT = join(import.meta.dirname, "../..");
const script = readFileSync(join(ROOT, "test/roots.sh"), "utf8");

describe("the daemon matrix", () => {
  it("every root a daemon set runs from is one test/roots.sh builds, where it builds it", () => {
    expect(script).toContain(`DIR=\${SVCROUTE_ROOTS_DIR:-${ROOTS_DIR}}`);
    const built = [...script.matchAll(/^ {4}(trixie-root[\w-]*)\) echo "\$COMMON_PKGS ([\w ]+)" ;;$/gm)].map((m) => [m[1], m[2]]);
    const roots = new Set(DAEMON_SET_NAMES.flatMap((n) => [DAEMON_SETS[n].frr.root, DAEMON_SETS[n].bird.root]).filter((r): r is string => r !== null));
    expect([...roots].map((r) => r.slice(ROOTS_DIR.length + 1)).sort()).toEqual(built.map(([name]) => name).sort());
    // the BIRD each root holds is the one its sets name
    for (const n of DAEMON_SET_NAMES) {
      const b = DAEMON_SETS[n].bird;
      if (b.root === null) continue;
      const pkg = built.find(([name]) => b.root!.endsWith(`/${name}`))![1];
      expect(pkg, `${n}: ${b.label}`).toBe(b.label.startsWith("BIRD 3") ? "bird3" : "bird2");
    }
  });

  it("has FRR 8.4 and 10.3, BIRD 2.0.12, 2.17 and 3.1", () => {
    expect(buildsOf("frr").map((b) => filePrefix(b))).toEqual(["frr-8.4.", "frr-10.3."]);
    expect(buildsOf("bird").map((b) => filePrefix(b))).toEqual(["bird-2.0.12.", "bird-3.1.", "bird-2.17."]);
  });

  it("runs a vitest project per daemon set: every suite against debian12, the core and feature suites against the others", () => {
    expect(LAB_PROJECTS.map((p) => p.daemons).sort()).toEqual([...DAEMON_SET_NAMES].sort());
    for (const s of [...CORE_SUITES, ...FEATURE_SUITES]) expect(existsSync(join(ROOT, "test/lab", `${s}.test.ts`)), s).toBe(true);
    const suite = (s: string) => `test/lab/${s}.test.ts`;
    const d13 = LAB_PROJECTS.find((p) => p.daemons === "debian13")!;
    const bird2 = LAB_PROJECTS.find((p) => p.daemons === "debian13-bird2")!;
    expect(d13.include).toEqual([...CORE_SUITES, ...FEATURE_SUITES].map(suite));
    expect(bird2.include).toEqual([...CORE_SUITES, ...BIRD2_FEATURE_SUITES].map(suite));
    for (const s of BIRD2_FEATURE_SUITES) expect(FEATURE_SUITES, s).toContain(s);
    // every feature with a BIRD host is proven on both BIRDs of Debian 13
    for (const s of FEATURE_SUITES) expect([...BIRD2_FEATURE_SUITES, ...FRR_ONLY_SUITES], s).toContain(s);
    // an FRR-only suite would run debian13's FRR again
    for (const s of FRR_ONLY_SUITES) expect(bird2.include, s).not.toContain(suite(s));
    const projects = (config.test?.projects ?? []) as { test: { name: string; include: string[]; env?: Record<string, string> } }[];
    for (const p of LAB_PROJECTS) {
      const v = projects.find((x) => x.test.name === p.project);
      expect(v?.test.include, p.project).toEqual(p.include);
      expect(v?.test.env?.SVRL_DAEMONS).toBe(p.daemons);
      expect(v?.test.env?.[BIRD_CASES_ONLY_ENV], p.project).toBe(p.birdCasesOnly?.join(","));
    }
  });

  it("debian13-bird2 generates only the BIRD-host cases of the suites whose FRR cases debian13 runs, and the table says so", () => {
    const bird2 = LAB_PROJECTS.find((p) => p.daemons === "debian13-bird2")!;
    const env = { [BIRD_CASES_ONLY_ENV]: bird2.birdCasesOnly!.join(",") };
    const d13 = LAB_PROJECTS.find((p) => p.daemons === "debian13")!;
    for (const s of FRR_CASES_IN_DEBIAN13_ONLY) {
      // debian13 runs its FRR-host cases, debian13-bird2 its BIRD-host ones
      expect(d13.include, s).toContain(`test/lab/${s}.test.ts`);
      expect(bird2.include, s).toContain(`test/lab/${s}.test.ts`);
      expect(caseDaemons(s, env), s).toEqual(["bird"]);
      expect(caseDaemons(s, {}), s).toEqual(["bird", "frr"]);
    }
    expect(caseDaemons("sessions", env)).toEqual(["bird", "frr"]);
    // the FRR the two sets share is run by debian13 with every case
    expect(LAB_PROJECTS.find((p) => p.daemons === "debian13")!.birdCasesOnly).toBeUndefined();
    const frr10 = matrixTable().split("\n").find((l) => l.startsWith("| FRR | 10.3 |"))!;
    for (const s of FRR_CASES_IN_DEBIAN13_ONLY) expect(frr10).toContain(`\`${s}\` (FRR cases in \`debian13\` only)`);
    // an FRR-only suite is listed for FRR 10.3, never for a BIRD
    for (const s of FRR_ONLY_SUITES) {
      expect(frr10).toContain(`\`${s}\``);
      for (const l of matrixTable().split("\n").filter((x) => x.startsWith("| BIRD | ") && !x.includes("every lab suite"))) expect(l).not.toContain(`\`${s}\``);
    }
  });
});
