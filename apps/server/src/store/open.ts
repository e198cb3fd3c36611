import { openSqliteStore } from "./sqlite.ts";
import { StoreError, type Store } from "./port.ts";

/** Where the server keeps its data: a SQLite folder, or a PostgreSQL URL. */
export type StoreConfig =
  | { readonly kind: "sqlite"; readonly dataDir: string }
  | { readonly kind: "postgres"; readonly databaseUrl: string };

/**
 * Reads the storage choice from flags/environment: a `postgres://` or `postgresql://` URL selects
 * PostgreSQL, otherwise the SQLite folder is used.
 */
export const storeConfigFrom = (options: { readonly dataDir?: string | undefined; readonly databaseUrl?: string | undefined }): StoreConfig => {
  const url = options.databaseUrl;
  if (url !== undefined && url !== "") {
    if (/^postgres(ql)?:\/\//i.test(url)) return { kind: "postgres", databaseUrl: url };
    throw new StoreError("invalid", `--database-url must start with postgres:// or postgresql://, got '${redactUrl(url)}'`);
  }
  return { kind: "sqlite", dataDir: options.dataDir ?? "./spec-kitty-server-data" };
};

/**
 * Adapters that live in their own module register themselves here, so this module needs no import of them
 * (and the SQLite-only bundle pulls in no database driver it does not use).
 */
const factories = new Map<StoreConfig["kind"], (config: StoreConfig) => Promise<Store>>();

export const registerStoreFactory = (kind: StoreConfig["kind"], factory: (config: StoreConfig) => Promise<Store>): void => {
  factories.set(kind, factory);
};

/** Opens the configured store and applies its migrations. */
export const openStore = async (config: StoreConfig): Promise<Store> => {
  let store: Store;
  if (config.kind === "sqlite") {
    store = openSqliteStore({ dataDir: config.dataDir });
  } else {
    const factory = factories.get("postgres");
    if (factory === undefined) {
      throw new StoreError("invalid", "PostgreSQL storage is not available in this build: use --data DIR (SQLite)");
    }
    store = await factory(config);
  }
  try {
    await store.migrate();
  } catch (e) {
    await store.close();
    throw e;
  }
  return store;
};

/** A database URL without its password, for messages and logs. */
export const redactUrl = (url: string): string => url.replace(/\/\/([^:/@]+):[^@]*@/, "//$1:***@");
