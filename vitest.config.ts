import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // The JSON report lets .ci/run print "N passed, N failed" from what really ran.
    reporters: ["default", "json"],
    outputFile: { json: "node_modules/.cache/svcroute/vitest-results.json" },
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts", "test/golden/**/*.test.ts"],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: "lab",
          include: ["test/lab/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          // Lab suites run real daemons in network namespaces; one file at a time keeps a
          // two-core machine from starving BGP keepalives and BFD.
          fileParallelism: false,
        },
      },
    ],
  },
});
