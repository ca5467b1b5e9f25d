import { defineConfig } from "vitest/config";
import { LAB_PROJECTS, projectEnv } from "./test/lab/harness/matrix.js";

const LAB = {
  testTimeout: 120_000,
  hookTimeout: 180_000,
  // Lab suites run real daemons in network namespaces; one file at a time keeps a two-core
  // machine from starving BGP keepalives and BFD (and every lab project runs after the unit tests).
  fileParallelism: false,
};

export default defineConfig({
  test: {
    // The JSON report lets .ci/run print "N passed, N failed" from what really ran, the project
    // report the same per project, i.e. per daemon set (vitest's JSON cannot tell projects apart).
    reporters: ["default", "json", "./test/helpers/project-reporter.ts"],
    outputFile: { json: "node_modules/.cache/svcroute/vitest-results.json" },
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts", "test/golden/**/*.test.ts"],
          testTimeout: 20_000,
        },
      },
      // one lab project per daemon set (test/lab/harness/matrix.ts): the same suites against
      // Debian 12's FRR 8.4 and BIRD 2.0.12, and Debian 13's FRR 10.3, BIRD 3.1 and BIRD 2.17
      ...LAB_PROJECTS.map((p) => ({ test: { ...LAB, name: p.project, include: p.include, env: projectEnv(p) } })),
    ],
  },
});
