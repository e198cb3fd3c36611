import type { StoreConfig } from "../store/open.ts";
import type { Store } from "../store/port.ts";
import { InProcessNotifier, type Notifier } from "./notifier.ts";

/**
 * Chooses the fan-out for a storage configuration: in-process unless a factory for the store's kind is
 * registered (a PostgreSQL LISTEN/NOTIFY notifier lets several processes on one database reach each
 * other's subscribers).
 */
const factories = new Map<StoreConfig["kind"], (config: StoreConfig, store: Store) => Promise<Notifier>>();

export const registerNotifierFactory = (kind: StoreConfig["kind"], factory: (config: StoreConfig, store: Store) => Promise<Notifier>): void => {
  factories.set(kind, factory);
};

export const openNotifier = async (config: StoreConfig, store: Store): Promise<Notifier> => {
  const f = factories.get(config.kind);
  return f === undefined ? new InProcessNotifier() : f(config, store);
};
