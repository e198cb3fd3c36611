import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";
import { AuthService } from "./auth/service.ts";
import type { DashboardFiles } from "./http/dashboard.ts";
import { openStore, redactUrl, storeConfigFrom, type StoreConfig } from "./store/open.ts";
import { StoreError, type Store } from "./store/port.ts";
import { jsonLogger, type LogLevel } from "./util/log.ts";

/** Exit codes: 0 ok, 1 domain failure, 2 usage or input error. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export interface Io {
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  readonly readStdin: () => Promise<string>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Kept in step with apps/server/package.json. */
export const SERVER_VERSION = "0.1.0";

export const USAGE = `spec-kitty-server: an open spec-kitty sync server

Usage:
  spec-kitty-server --version
  spec-kitty-server serve [--host H] [--port N] [--data DIR | --database-url URL]
                          [--tls-cert FILE --tls-key FILE] [--public-url URL] [--json] [--log-level L]
                          [--dashboard DIR | --no-dashboard]
  spec-kitty-server team create SLUG [--name NAME] [--data DIR | --database-url URL] [--json]
  spec-kitty-server user create EMAIL [--team SLUG] [--name NAME] --password-stdin [--data DIR | --database-url URL] [--json]
  spec-kitty-server token create --team SLUG [--name NAME] [--expires-in SECONDS] [--data DIR | --database-url URL] [--json]
  spec-kitty-server rebuild-views [--data DIR | --database-url URL] [--json]
  spec-kitty-server migrate [--data DIR | --database-url URL] [--json]

Environment (flags win): SPEC_KITTY_SERVER_DATA, SPEC_KITTY_SERVER_DATABASE_URL, SPEC_KITTY_SERVER_HOST,
SPEC_KITTY_SERVER_PORT, SPEC_KITTY_SERVER_TLS_CERT, SPEC_KITTY_SERVER_TLS_KEY, SPEC_KITTY_SERVER_PUBLIC_URL,
SPEC_KITTY_SERVER_LOG_LEVEL, SPEC_KITTY_SERVER_RATE_BURST, SPEC_KITTY_SERVER_RATE_PER_SECOND.
`;

const STORE_OPTIONS = {
  data: { type: "string" },
  "database-url": { type: "string" },
  json: { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
} as const satisfies ParseArgsConfig["options"];

class UsageError extends Error {}

const parse = <O extends NonNullable<ParseArgsConfig["options"]>>(args: ReadonlyArray<string>, options: O, positionals: number) => {
  let r;
  try {
    r = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  if (r.positionals.length > positionals) throw new UsageError(`unexpected argument '${r.positionals[positionals]}'`);
  return r;
};

const storeConfig = (values: { data?: string | undefined; "database-url"?: string | undefined }, env: Io["env"]): StoreConfig => {
  if (values.data !== undefined && values["database-url"] !== undefined) throw new UsageError("use either --data or --database-url, not both");
  const fromFlags = values.data !== undefined || values["database-url"] !== undefined;
  return storeConfigFrom({
    dataDir: values.data ?? (fromFlags ? undefined : env["SPEC_KITTY_SERVER_DATA"]),
    databaseUrl: values["database-url"] ?? (fromFlags ? undefined : env["SPEC_KITTY_SERVER_DATABASE_URL"]),
  });
};

/** Runs one command; resolves to the exit code (serve resolves when the server has stopped). */
export const main = async (argv: ReadonlyArray<string>, io: Io, signals?: { onStop: (stop: () => Promise<void>) => void }): Promise<number> => {
  const [cmd, sub, ...rest] = argv;
  try {
    if (cmd === undefined || cmd === "--help" || cmd === "-h" || cmd === "help") {
      io.out(USAGE);
      return cmd === undefined ? EXIT_USAGE : EXIT_OK;
    }
    if (cmd === "--version" || cmd === "version") {
      io.out(`${SERVER_VERSION}\n`);
      return EXIT_OK;
    }
    if (cmd === "serve") return await serve([sub, ...rest].filter((x): x is string => x !== undefined), io, signals);
    if (cmd === "team" && sub === "create") return await teamCreate(rest, io);
    if (cmd === "user" && sub === "create") return await userCreate(rest, io);
    if (cmd === "token" && sub === "create") return await tokenCreate(rest, io);
    if (cmd === "rebuild-views") return await rebuildViews([sub, ...rest].filter((x): x is string => x !== undefined), io);
    if (cmd === "migrate") return await migrate([sub, ...rest].filter((x): x is string => x !== undefined), io);
    throw new UsageError(`unknown command '${[cmd, sub].filter(Boolean).join(" ")}'`);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`spec-kitty-server: ${e.message}\n\n${USAGE}`);
      return EXIT_USAGE;
    }
    if (e instanceof StoreError) {
      io.err(`spec-kitty-server: ${e.message}\n`);
      return e.code === "invalid" ? EXIT_USAGE : EXIT_FAILURE;
    }
    io.err(`spec-kitty-server: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT_FAILURE;
  }
};

const withStore = async <A>(config: StoreConfig, f: (store: Store) => Promise<A>): Promise<A> => {
  const store = await openStore(config);
  try {
    return await f(store);
  } finally {
    await store.close();
  }
};

const emit = (io: Io, asJson: boolean, value: Record<string, unknown>, human: string): void => {
  io.out(asJson ? `${JSON.stringify(value)}\n` : `${human}\n`);
};

const teamCreate = async (args: ReadonlyArray<string>, io: Io): Promise<number> => {
  const { values, positionals } = parse(args, { ...STORE_OPTIONS, name: { type: "string" } }, 1);
  const slug = positionals[0];
  if (slug === undefined) throw new UsageError("team create needs a SLUG");
  const team = await withStore(storeConfig(values, io.env), (s) => new AuthService(s).createTeam(slug, values.name));
  emit(io, values.json, { team: { id: team.id, slug: team.slug, name: team.name } }, `created team ${team.slug} (${team.id})`);
  return EXIT_OK;
};

const userCreate = async (args: ReadonlyArray<string>, io: Io): Promise<number> => {
  const { values, positionals } = parse(args, { ...STORE_OPTIONS, team: { type: "string" }, name: { type: "string" }, "password-stdin": { type: "boolean", default: false } }, 1);
  const email = positionals[0];
  if (email === undefined) throw new UsageError("user create needs an EMAIL");
  if (!values["password-stdin"]) throw new UsageError("user create needs --password-stdin (the password is read from standard input)");
  const password = (await io.readStdin()).replace(/\r?\n$/, "");
  if (password.length < 8) throw new UsageError("the password read from standard input must have at least 8 characters");
  const r = await withStore(storeConfig(values, io.env), (s) =>
    new AuthService(s).createUser({ email, password, ...(values.name === undefined ? {} : { name: values.name }), ...(values.team === undefined ? {} : { teamSlug: values.team }) }),
  );
  emit(
    io,
    values.json,
    {
      user: { id: r.user.id, email: r.user.email, name: r.user.name },
      private_team: { id: r.privateTeam.id, slug: r.privateTeam.slug },
      ...(r.team === undefined ? {} : { team: { id: r.team.id, slug: r.team.slug } }),
    },
    `created user ${r.user.email} (${r.user.id}) with private team ${r.privateTeam.slug}${r.team === undefined ? "" : `, member of ${r.team.slug}`}`,
  );
  return EXIT_OK;
};

const tokenCreate = async (args: ReadonlyArray<string>, io: Io): Promise<number> => {
  const { values } = parse(args, { ...STORE_OPTIONS, team: { type: "string" }, name: { type: "string" }, "expires-in": { type: "string" } }, 0);
  if (values.team === undefined) throw new UsageError("token create needs --team SLUG");
  let expires: number | undefined;
  if (values["expires-in"] !== undefined) {
    if (!/^\d{1,10}$/.test(values["expires-in"]) || Number(values["expires-in"]) === 0) throw new UsageError("--expires-in must be a positive number of seconds");
    expires = Number(values["expires-in"]);
  }
  const team = values.team;
  const r = await withStore(storeConfig(values, io.env), (s) =>
    new AuthService(s).createApiToken(team, { ...(values.name === undefined ? {} : { name: values.name }), ...(expires === undefined ? {} : { expiresInSeconds: expires }) }),
  );
  emit(
    io,
    values.json,
    { token: r.token, team: { id: r.team.id, slug: r.team.slug }, expires_at: r.expiresAt === null ? null : new Date(r.expiresAt).toISOString() },
    r.token,
  );
  return EXIT_OK;
};

const rebuildViews = async (args: ReadonlyArray<string>, io: Io): Promise<number> => {
  const { values } = parse(args, STORE_OPTIONS, 0);
  // Loaded on demand: the admin commands start without the event contracts and the HTTP stack.
  const { ViewMaintainer } = await import("./views/maintainer.ts");
  const n = await withStore(storeConfig(values, io.env), (s) => new ViewMaintainer(s).rebuildAll());
  emit(io, values.json, { missions: n }, `rebuilt the views of ${n} mission(s)`);
  return EXIT_OK;
};

const migrate = async (args: ReadonlyArray<string>, io: Io): Promise<number> => {
  const { values } = parse(args, STORE_OPTIONS, 0);
  const v = await withStore(storeConfig(values, io.env), (s) => s.schemaVersion());
  emit(io, values.json, { schema_version: v }, `database schema at version ${v}`);
  return EXIT_OK;
};

const serve = async (args: ReadonlyArray<string>, io: Io, signals?: { onStop: (stop: () => Promise<void>) => void }): Promise<number> => {
  const { values } = parse(
    args,
    {
      ...STORE_OPTIONS,
      host: { type: "string" },
      port: { type: "string" },
      "tls-cert": { type: "string" },
      "tls-key": { type: "string" },
      "public-url": { type: "string" },
      "log-level": { type: "string" },
      dashboard: { type: "string" },
      "no-dashboard": { type: "boolean", default: false },
    },
    0,
  );
  const env = io.env;
  const host = values.host ?? env["SPEC_KITTY_SERVER_HOST"] ?? "127.0.0.1";
  const portText = values.port ?? env["SPEC_KITTY_SERVER_PORT"] ?? "8000";
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new UsageError(`--port must be 0-65535, got '${portText}'`);
  const tlsCert = values["tls-cert"] ?? env["SPEC_KITTY_SERVER_TLS_CERT"];
  const tlsKey = values["tls-key"] ?? env["SPEC_KITTY_SERVER_TLS_KEY"];
  if ((tlsCert === undefined) !== (tlsKey === undefined)) throw new UsageError("--tls-cert and --tls-key go together");
  const level = (values["log-level"] ?? env["SPEC_KITTY_SERVER_LOG_LEVEL"] ?? "info") as LogLevel;
  if (!["debug", "info", "warn", "error"].includes(level)) throw new UsageError(`--log-level must be debug, info, warn or error`);
  const burst = positiveEnv(env, "SPEC_KITTY_SERVER_RATE_BURST");
  const perSecond = positiveEnv(env, "SPEC_KITTY_SERVER_RATE_PER_SECOND");
  const dashboard = await dashboardOption(values.dashboard ?? env["SPEC_KITTY_SERVER_DASHBOARD"], values["no-dashboard"]);
  const config = storeConfig(values, env);
  const log = jsonLogger({ level, write: io.err });
  const [{ startServer }, { openNotifier }] = await Promise.all([import("./http/server.ts"), import("./realtime/open.ts")]);
  const store = await openStore(config);
  const notifier = await openNotifier(config, store);
  let server;
  try {
    server = await startServer({
      store,
      notifier,
      log,
      host,
      port: Number(portText),
      ...(tlsCert === undefined ? {} : { tlsCert, tlsKey: tlsKey! }),
      ...(values["public-url"] ?? env["SPEC_KITTY_SERVER_PUBLIC_URL"] ? { publicUrl: values["public-url"] ?? env["SPEC_KITTY_SERVER_PUBLIC_URL"]! } : {}),
      rate: { ...(burst === undefined ? {} : { burst }), ...(perSecond === undefined ? {} : { perSecond }) },
      ...(dashboard === undefined ? {} : { dashboard }),
    });
  } catch (e) {
    await notifier.close();
    await store.close();
    throw e;
  }
  const storage = config.kind === "sqlite" ? { kind: "sqlite", data: config.dataDir } : { kind: "postgres", database_url: redactUrl(config.databaseUrl) };
  log.log("info", "listening", { url: server.url, storage: storage.kind });
  emit(io, values.json, { event: "listening", url: server.url, host: server.host, port: server.port, storage }, `spec-kitty-server listening on ${server.url}`);
  const running = server;
  return new Promise<number>((resolve) => {
    signals?.onStop(async () => {
      log.log("info", "shutting down", {});
      await running.stop(4000);
      await notifier.close();
      await store.close();
      log.log("info", "stopped", {});
      resolve(EXIT_OK);
    });
  });
};

/** `--dashboard DIR` (must hold a build), else the repository's built dashboard when present, else none. */
const dashboardOption = async (dir: string | undefined, disabled: boolean): Promise<DashboardFiles | undefined> => {
  if (disabled) return undefined;
  const { dashboardFiles, DEFAULT_DASHBOARD_DIR } = await import("./http/dashboard.ts");
  if (dir !== undefined) {
    try {
      return dashboardFiles(dir);
    } catch (e) {
      throw new UsageError(e instanceof Error ? e.message : String(e));
    }
  }
  return existsSync(join(DEFAULT_DASHBOARD_DIR, "index.html")) ? dashboardFiles(DEFAULT_DASHBOARD_DIR) : undefined;
};

const positiveEnv = (env: Io["env"], name: string): number | undefined => {
  const v = env[name];
  if (v === undefined || v === "") return undefined;
  if (!/^\d+(\.\d+)?$/.test(v) || Number(v) <= 0) throw new UsageError(`${name} must be a positive number, got '${v}'`);
  return Number(v);
};
