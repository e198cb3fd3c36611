/**
 * @spec-kitty/server: the open spec-kitty sync server. Only entry point.
 */
export { main, USAGE, EXIT_OK, EXIT_FAILURE, EXIT_USAGE } from "./cli.ts";
export type { Io } from "./cli.ts";
export { startServer } from "./http/server.ts";
export type { RunningServer, ServeOptions } from "./http/server.ts";
export { App } from "./http/app.ts";
export type { HttpRequest, HttpResponse } from "./http/types.ts";
export { DEFAULT_LIMITS, advertisedLimits } from "./http/batch.ts";
export type { IngressLimits } from "./http/batch.ts";
export { AuthService } from "./auth/service.ts";
export { openStore, storeConfigFrom, registerStoreFactory, redactUrl } from "./store/open.ts";
export type { StoreConfig } from "./store/open.ts";
export { openSqliteStore } from "./store/sqlite.ts";
export * from "./store/port.ts";
export { InProcessNotifier } from "./realtime/notifier.ts";
export type { Notifier, Notice, Listener } from "./realtime/notifier.ts";
export { openNotifier, registerNotifierFactory } from "./realtime/open.ts";
export { ViewMaintainer } from "./views/maintainer.ts";
export { computeViews, VIEW_KINDS } from "./views/compute.ts";
