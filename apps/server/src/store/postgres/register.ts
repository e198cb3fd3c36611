/**
 * Makes `openStore({ kind: "postgres", databaseUrl })` open the PostgreSQL adapter and `openNotifier` fan out
 * through LISTEN/NOTIFY (ADR-0015). Imported for its effect by the server's entry point, so builds that leave it
 * out carry no PostgreSQL driver.
 */
import { PgNotifier } from "../../realtime/pg-notifier.ts";
import { registerNotifierFactory } from "../../realtime/open.ts";
import { registerStoreFactory } from "../open.ts";
import { openPostgresStore, PostgresStore } from "./store.ts";

registerStoreFactory("postgres", async (config) => {
  if (config.kind !== "postgres") throw new Error(`the PostgreSQL store factory was asked to open a ${config.kind} store`);
  return openPostgresStore({ url: config.databaseUrl });
});

registerNotifierFactory("postgres", async (config, store) => {
  if (config.kind !== "postgres" || !(store instanceof PostgresStore)) {
    throw new Error("the PostgreSQL notifier needs the PostgreSQL store it publishes from");
  }
  return PgNotifier.open({ url: config.databaseUrl, pool: store.pool });
});
