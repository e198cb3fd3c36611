/**
 * vitest globalSetup: one throwaway PostgreSQL cluster per test run, stopped when the run ends (ADR-0015). Suites get
 * its admin URL through `inject("pgAdminUrl")` and create their own database with `createDatabase`.
 */
import type { TestProject } from "vitest/node";
import { startCluster } from "./postgres.ts";

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const cluster = await startCluster();
  project.provide("pgAdminUrl", cluster.adminUrl);
  return () => cluster.stop();
}
