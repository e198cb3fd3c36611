/**
 * Makes `openStore({ kind: "postgres", databaseUrl })` open the PostgreSQL adapter (ADR-0015). Imported for its
 * effect by the server's entry point, so builds that leave it out carry no PostgreSQL driver.
 */
import { registerStoreFactory } from "../open.ts";
import { openPostgresStore } from "./store.ts";

registerStoreFactory("postgres", async (config) => {
  if (config.kind !== "postgres") throw new Error(`the PostgreSQL factory was asked to open a ${config.kind} store`);
  return openPostgresStore({ url: config.databaseUrl });
});
