import * as Command from "@effect/cli/Command";
import * as Options from "@effect/cli/Options";
import { AuthError, Session, deviceLogin, fetchMe, chooseTeam, logout, passwordLogin, readCredentials, runtimeRoot, saveCredentials, type Credentials } from "@spec-kitty/sync";
import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import { DomainFailure, UsageFailure } from "../failure.ts";
import { printDiagnostic, printJson, printLine } from "../io.ts";

const json = Options.boolean("json").pipe(Options.withDescription("print one JSON object instead of text"));

const readStdin = (): Promise<string> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = [];
    process.stdin.on("data", (c: Buffer) => chunks.push(c));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    process.stdin.on("error", reject);
  });

/** Reads a password from the terminal without echoing it. */
const promptPassword = (prompt: string): Promise<string> =>
  new Promise((resolve) => {
    process.stderr.write(prompt);
    const stdin = process.stdin;
    stdin.setRawMode(true);
    stdin.resume();
    let value = "";
    const onData = (chunk: Buffer) => {
      for (const ch of chunk.toString("utf8")) {
        if (ch === "\r" || ch === "\n" || ch === "\u0004") {
          stdin.setRawMode(false);
          stdin.pause();
          stdin.off("data", onData);
          process.stderr.write("\n");
          return resolve(value);
        }
        if (ch === "\u0003") {
          stdin.setRawMode(false);
          process.exit(130);
        }
        if (ch === "\u007f") value = value.slice(0, -1);
        else value += ch;
      }
    };
    stdin.on("data", onData);
  });

const authFailure = (error: unknown): DomainFailure | UsageFailure => {
  if (error instanceof AuthError) {
    if (error.code === "invalid_server_url") return new UsageFailure({ message: error.message });
    return new DomainFailure({
      message: error.message,
      ...(error.code === "no_team" ? { hint: "pass --team with one of the listed teams" } : {}),
      ...(error.code === "unreachable" ? { hint: "check the --server address and that the server is running" } : {}),
    });
  }
  return new DomainFailure({ message: error instanceof Error ? error.message : String(error) });
};

const describeLogin = (c: Credentials) => ({
  authenticated: true,
  server: c.serverUrl,
  username: c.username,
  team: c.teamSlug,
  method: c.method,
  access_expires_at: new Date(c.accessExpiresAt).toISOString(),
  refresh_expires_at: c.refreshExpiresAt === null ? null : new Date(c.refreshExpiresAt).toISOString(),
});

const login = Command.make(
  "login",
  {
    server: Options.text("server").pipe(Options.withDescription("the sync server's address, e.g. https://sync.example.com")),
    username: Options.text("username").pipe(Options.optional, Options.withDescription("log in with a username and password (028-era servers)")),
    passwordStdin: Options.boolean("password-stdin").pipe(Options.withDescription("read the password from stdin instead of prompting")),
    device: Options.boolean("device").pipe(Options.withDescription("log in by approving a code in a browser (OAuth device flow)")),
    team: Options.text("team").pipe(Options.optional, Options.withDescription("the team to deliver under when the account has several")),
    timeout: Options.integer("timeout").pipe(Options.withDefault(900), Options.withDescription("device flow: give up after this many seconds")),
    json,
  },
  (o) =>
    Effect.gen(function* () {
      const root = runtimeRoot();
      const username = Option.getOrUndefined(o.username);
      const team = Option.getOrUndefined(o.team);
      if (o.device === (username !== undefined)) {
        return yield* Effect.fail(new UsageFailure({ message: "choose one way to log in: --username NAME or --device", hint: "spec-kitty auth login --server URL --device" }));
      }
      const credentials = yield* Effect.tryPromise({
        try: async (): Promise<Credentials> => {
          if (o.device) {
            return deviceLogin(o.server, {
              ...(team === undefined ? {} : { team }),
              deadlineMs: o.timeout * 1000,
              onCode: (a) => {
                process.stderr.write(`To log in, open ${a.verificationUriComplete ?? a.verificationUri} and enter the code ${a.userCode}\n`);
                process.stderr.write(`Waiting for approval (the code expires in ${Math.round(a.expiresInS / 60)} min)...\n`);
              },
            });
          }
          let password: string;
          if (o.passwordStdin) password = (await readStdin()).replace(/\r?\n$/, "");
          else if (process.stdin.isTTY === true) password = await promptPassword("Password: ");
          else throw new AuthError("invalid_credentials", "no password: stdin is not a terminal; pass --password-stdin");
          let c = await passwordLogin(o.server, username as string, password);
          if (c.teamSlug === null || team !== undefined) {
            // The 028-era answer may carry no team: ask the server which teams this account has.
            const me = await fetchMe(c.serverUrl, c.accessToken).catch(() => null);
            if (me !== null) c = { ...c, teamSlug: chooseTeam(me.teams, team) };
            else if (team !== undefined) c = { ...c, teamSlug: team };
          }
          return c;
        },
        catch: authFailure,
      });
      yield* Effect.tryPromise({ try: () => saveCredentials(root, credentials), catch: authFailure });
      if (o.json) return yield* printJson(describeLogin(credentials));
      yield* printLine(`logged in to ${credentials.serverUrl} as ${credentials.username}${credentials.teamSlug === null ? "" : ` (team ${credentials.teamSlug})`}`);
      if (credentials.teamSlug === null) yield* printDiagnostic("warning: this login has no team; events cannot be delivered until you log in with --team");
    }),
).pipe(Command.withDescription("Log in to a sync server (password, or --device to approve in a browser); the login is shared with the Python CLI."));

const status = Command.make("status", { json }, (o) =>
  Effect.gen(function* () {
    const root = runtimeRoot();
    const credentials = (() => {
      try {
        return readCredentials(root);
      } catch {
        return null;
      }
    })();
    const state = credentials === null ? "none" : new Session(root).state();
    if (o.json) {
      return yield* printJson(credentials === null ? { authenticated: false } : { ...describeLogin(credentials), authenticated: state === "authenticated", state });
    }
    if (credentials === null) return yield* printLine("not logged in (run 'spec-kitty auth login --server URL --device')");
    yield* printLine(`${state === "authenticated" ? "logged in" : "session expired"}: ${credentials.username} at ${credentials.serverUrl}`);
    yield* printLine(`team:     ${credentials.teamSlug ?? "(none)"}`);
    yield* printLine(`method:   ${credentials.method}`);
    yield* printLine(`access:   valid until ${new Date(credentials.accessExpiresAt).toISOString()}`);
    if (credentials.refreshExpiresAt !== null) yield* printLine(`refresh:  valid until ${new Date(credentials.refreshExpiresAt).toISOString()}`);
  }),
).pipe(Command.withDescription("Show the stored login: server, user, team, token lifetimes."));

const logoutCommand = Command.make("logout", { json }, (o) =>
  Effect.gen(function* () {
    const result = yield* Effect.tryPromise({ try: () => logout(runtimeRoot()), catch: authFailure });
    if (o.json) return yield* printJson({ logged_out: result.hadSession, revoked: result.revoked });
    yield* printLine(result.hadSession ? "logged out" : "was not logged in");
  }),
).pipe(Command.withDescription("Forget the stored login (and revoke it at the server when it supports that)."));

/** `spec-kitty auth`: the login the sync delivery uses. */
export const authCommand = Command.make("auth").pipe(
  Command.withDescription("Log in to a sync server, show or end the login."),
  Command.withSubcommands([login, status, logoutCommand]),
);
