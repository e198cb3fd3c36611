import { defineConfig, mergeConfig } from "vitest/config";
import { sharedConfig } from "../../vitest.shared.ts";

// The suites start servers and CLIs as processes: one file at a time keeps the two cores for them.
export default mergeConfig(sharedConfig, defineConfig({ test: { fileParallelism: false, testTimeout: 120_000, hookTimeout: 60_000 } }));
