import { defineConfig } from "vitest/config";

// The packaged service under a real systemd (test/systemd/): run by packaging/systemd-gates.sh
// after `npm run package`, with its own JSON report; not part of `npm test`.
export default defineConfig({
  test: {
    include: ["test/systemd/**/*.test.ts"],
    testTimeout: 300_000,
    hookTimeout: 300_000,
    fileParallelism: false,
    reporters: ["default", "json"],
    outputFile: { json: "node_modules/.cache/svcroute/vitest-systemd.json" },
  },
});
