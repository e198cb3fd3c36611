/**
 * Makes `openStore({ kind: "postgres", databaseUrl })` open the PostgreSQL adapter and `openNotifier` fan out
 * through LISTEN/NOTIFY (ADR-0015). Imported for its effect by the server's entry point; the adapter, the notifier
 * and the `pg` driver load only when a PostgreSQL URL is actually given.
 */
import { registerNotifierFactory } from "../../realtime/open.ts";
import { registerStoreFactory } from "../open.ts";

registerStoreFactory("postgres", async (config) => {
  if (config.kind !== "postgres") throw new Error(`the PostgreSQL store factory was asked to open a ${config.kind} store`);
  const { openPostgresStore } = await import("./store.ts");
  return openPostgresStore({ url: config.databaseUrl });
});

registerNotifierFactory("postgres", async (config, store) => {
  const [{ PgNotifier }, { PostgresStore }] = await Promise.all([import("../../realtime/pg-notifier.ts"), import("./store.ts")]);
  if (config.kind !== "postgres" || !(store instanceof PostgresStore)) {
    throw new Error("the PostgreSQL notifier needs the PostgreSQL store it publishes from");
  }
  return PgNotifier.open({ url: config.databaseUrl, pool: store.pool });
});
