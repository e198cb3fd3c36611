/**
 * The real spec-kitty-server as a child process for the browser tests: a fresh SQLite data folder, teams and
 * users made with its admin commands, the seed posted through the batch API, the built dashboard served by
 * `serve --dashboard`. Every wait has a deadline.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { EventEnvelope } from "../../src/api/types.ts";
import type { Seed } from "./seed.ts";

export const DIST = resolve(import.meta.dirname, "../../dist");
/** The server's command (a path, not an import: apps do not import each other, ADR-0003). */
export const SERVER_BIN = resolve(import.meta.dirname, "../../../server/src/bin.ts");

export interface SeededTeam {
  readonly id: string;
  readonly slug: string;
  readonly token: string;
}

export interface RunningServer {
  readonly url: string;
  /** Team slug → the server's id for it and an API token of it. */
  readonly teams: ReadonlyMap<string, SeededTeam>;
  /** Posts envelopes through the batch API as a team's command line would; resolves with per-event statuses. */
  post(teamSlug: string, events: ReadonlyArray<EventEnvelope | Record<string, unknown>>): Promise<ReadonlyArray<{ event_id: string; status: string }>>;
  stderr(): string;
  stop(): Promise<void>;
}

const run = (args: ReadonlyArray<string>, input = ""): Promise<string> =>
  new Promise((ok, fail) => {
    const p = spawn(process.execPath, [SERVER_BIN, ...args], { stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.on("data", (c: Buffer) => (out += c.toString()));
    p.stderr.on("data", (c: Buffer) => (err += c.toString()));
    const timer = setTimeout(() => {
      p.kill("SIGKILL");
      fail(new Error(`spec-kitty-server ${args[0]} did not exit within 30 s`));
    }, 30_000);
    p.on("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) ok(out);
      else fail(new Error(`spec-kitty-server ${args.join(" ")} exited ${code}: ${err}`));
    });
    p.stdin.end(input);
  });

export const startServer = async (seed: Seed): Promise<RunningServer> => {
  if (!existsSync(join(DIST, "index.html"))) throw new Error(`${DIST}/index.html is missing: build the dashboard first (vite build)`);
  const data = mkdtempSync(join(tmpdir(), "sk-dash-"));
  const teams = new Map<string, SeededTeam>();
  try {
    // one chain of admin commands per team, the chains side by side
    await Promise.all(
      seed.users.map(async (user) => {
        const t = JSON.parse(await run(["team", "create", user.team.id, "--name", user.team.name, "--data", data, "--json"])) as { team: { id: string } };
        const [, tok] = await Promise.all([
          run(["user", "create", user.email, "--team", user.team.id, "--name", user.name, "--password-stdin", "--data", data, "--json"], user.password),
          run(["token", "create", "--team", user.team.id, "--data", data, "--json"]).then((out) => JSON.parse(out) as { token: string }),
        ]);
        teams.set(user.team.id, { id: t.team.id, slug: user.team.id, token: tok.token });
      }),
    );
  } catch (e) {
    rmSync(data, { recursive: true, force: true });
    throw e;
  }
  const proc: ChildProcess = spawn(process.execPath, [SERVER_BIN, "serve", "--data", data, "--port", "0", "--json", "--log-level", "warn", "--dashboard", DIST], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, SPEC_KITTY_SERVER_RATE_BURST: "100000", SPEC_KITTY_SERVER_RATE_PER_SECOND: "100000" },
  });
  let err = "";
  proc.stderr!.on("data", (c: Buffer) => (err = (err + c.toString()).slice(-20_000)));
  const url = await new Promise<string>((ok, fail) => {
    let out = "";
    const timer = setTimeout(() => {
      proc.kill("SIGKILL");
      fail(new Error(`spec-kitty-server did not report its address within 20 s: ${err}`));
    }, 20_000);
    proc.once("exit", (code) => {
      clearTimeout(timer);
      fail(new Error(`spec-kitty-server exited early (${code}): ${err}`));
    });
    proc.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      const nl = out.indexOf("\n");
      if (nl === -1) return;
      clearTimeout(timer);
      proc.removeAllListeners("exit");
      ok((JSON.parse(out.slice(0, nl)) as { url: string }).url);
    });
  });
  const post: RunningServer["post"] = async (teamSlug, events) => {
    const team = teams.get(teamSlug);
    if (team === undefined) throw new Error(`no seeded team ${teamSlug}`);
    const out: Array<{ event_id: string; status: string }> = [];
    for (let i = 0; i < events.length; i += 500) {
      const r = await fetch(`${url}/api/v1/events/batch/`, {
        method: "POST",
        headers: { authorization: `Bearer ${team.token}`, "content-type": "application/json", "x-spec-kitty-sync-protocol": "2.0" },
        body: JSON.stringify({ events: events.slice(i, i + 500) }),
        signal: AbortSignal.timeout(15_000),
      });
      const body = (await r.json()) as { results?: Array<{ event_id: string; status: string }> };
      if (r.status !== 200) throw new Error(`batch refused (${r.status}): ${JSON.stringify(body).slice(0, 500)}`);
      out.push(...(body.results ?? []));
    }
    return out;
  };
  const server: RunningServer = {
    url,
    teams,
    post,
    stderr: () => err,
    stop: () =>
      new Promise<void>((ok) => {
        const done = () => {
          rmSync(data, { recursive: true, force: true });
          ok();
        };
        if (proc.exitCode !== null || proc.signalCode !== null) return done();
        const kill = setTimeout(() => proc.kill("SIGKILL"), 8_000);
        proc.once("exit", () => {
          clearTimeout(kill);
          done();
        });
        proc.kill("SIGTERM");
      }),
  };
  try {
    for (const p of seed.projects) {
      const results = await post(p.team_id, p.events);
      const bad = results.filter((r) => r.status !== "success");
      if (bad.length > 0) throw new Error(`seed events not accepted: ${JSON.stringify(bad.slice(0, 3))}`);
    }
  } catch (e) {
    await server.stop();
    throw e;
  }
  return server;
};
