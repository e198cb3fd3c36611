import { defineConfig } from "vitest/config";

/**
 * The one vitest configuration every package extends: tests live in test/ and are named by kind
 * (*.unit.test.ts, *.prop.test.ts, *.golden.test.ts, *.int.test.ts, *.e2e.test.ts).
 */
export const sharedConfig = defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The JSON report feeds the one-line total that ./dev test prints; turbo restores it with cached runs.
    reporters: ["default", ["json", { outputFile: ".vitest-report.json" }]],
  },
});
