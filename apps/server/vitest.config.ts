import { mergeConfig } from "vitest/config";
import { sharedConfig } from "../../vitest.shared.ts";

// One throwaway PostgreSQL cluster per test run for the PostgreSQL suites (ADR-0015).
export default mergeConfig(sharedConfig, { test: { globalSetup: ["test/support/pg-global-setup.ts"] } });
