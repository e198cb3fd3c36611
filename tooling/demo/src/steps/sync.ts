/**
 * The sync loop: a local spec-kitty-server on a free loopback port (team and user made with its admin commands),
 * `auth login`, `sync enable`, work packages moved (each move captured), `sync status`, `sync now`, and what the
 * server received: its event listing and the mission's view; then the team dashboard the server serves, with a
 * screenshot of the mission's board (when Debian's Chromium is installed).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { CLI, ensureBundle, type Demo } from "../demo.ts";
import { mission } from "./mission.ts";

const TEAM = "checkout-team";
const EMAIL = "alice@example.com";
const PASSWORD = "demo-password-1";

interface Server {
  readonly url: string;
  readonly child: ChildProcess;
}

const startServer = (serverBin: string, data: string): Promise<Server> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [serverBin, "serve", "--data", data, "--port", "0", "--host", "127.0.0.1", "--json", "--log-level", "warn"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`spec-kitty-server did not start within 30 s: ${err}`));
    }, 30_000);
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    child.stdout.on("data", (c: Buffer) => {
      out += c.toString();
      for (const line of out.split("\n")) {
        if (!line.startsWith("{")) continue;
        const event = JSON.parse(line) as { event?: string; url?: string };
        if (event.event === "listening" && event.url !== undefined) {
          clearTimeout(timer);
          resolve({ url: event.url.replace(/\/+$/, ""), child });
        }
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`spec-kitty-server exited (${code}) before listening: ${err}`));
    });
  });

export const stopServer = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    if (server.child.exitCode !== null) return resolve();
    const kill = setTimeout(() => server.child.kill("SIGKILL"), 5_000);
    server.child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    server.child.kill("SIGTERM");
  });

export interface SyncSession {
  readonly server: Server;
  readonly data: string;
}

/**
 * The team's sync server first, so that every command of the demo reports to it as it runs: a local
 * spec-kitty-server, a team and a user, then `init`, `auth login` and `sync enable` in the demo repository.
 */
export const startSync = async (demo: Demo): Promise<SyncSession> => {
  demo.banner("a team's sync server, and this repository enabled for it");
  const serverBin = ensureBundle("spec-kitty-server");
  const cliBin = CLI;
  const data = join(demo.root, "..", `${demo.root.split("/").pop() ?? "demo"}-server`);
  mkdirSync(data, { recursive: true });
  buildDashboard(demo);
  const server = await startServer(serverBin, data);
  try {
    demo.say(`spec-kitty-server is listening on ${server.url}; its admin commands create a team and a user:`);
    demo.exec(process.execPath, [serverBin, "team", "create", TEAM, "--data", data]);
    process.stdout.write(`\n$ echo '********' | spec-kitty-server user create ${EMAIL} --team ${TEAM} --password-stdin\n`);
    const user = spawnSync(process.execPath, [serverBin, "user", "create", EMAIL, "--team", TEAM, "--password-stdin", "--data", data], { input: `${PASSWORD}\n`, encoding: "utf8", timeout: 60_000 });
    if (user.status !== 0) throw new Error(`user create failed: ${user.stderr}`);
    process.stdout.write(user.stdout);

    demo.spec(["init"]);
    demo.exec("git", ["add", ".kittify/config.yaml"], { quiet: true });
    demo.exec("git", ["commit", "--quiet", "-m", "Record the project's identity"]);
    process.stdout.write(`\n$ echo '********' | spec-kitty auth login --server ${server.url} --username ${EMAIL} --team ${TEAM} --password-stdin\n`);
    const login = spawnSync(process.execPath, [cliBin, "auth", "login", "--server", server.url, "--username", EMAIL, "--team", TEAM, "--password-stdin"], {
      cwd: demo.root,
      input: `${PASSWORD}\n`,
      encoding: "utf8",
      timeout: 60_000,
    });
    if (login.status !== 0) throw new Error(`auth login failed: ${login.stderr}`);
    process.stdout.write(login.stdout);
    demo.spec(["auth", "status"]);
    demo.say("until the project is enabled, its events are captured but never sent:");
    demo.spec(["sync", "status"]);
    demo.spec(["sync", "enable"]);
    demo.say("from now on every command's events are captured on this machine and flushed to the server when it ends (at most 5 s)");
    return { server, data };
  } catch (error) {
    await stopServer(server);
    throw error;
  }
};

/** What the server received: sync status, sync now, its event listing and the mission view; then the dashboard. */
export const finishSync = async (demo: Demo, session: SyncSession): Promise<void> => {
  const { server, data } = session;
  demo.banner("what the team's sync server received");
  try {
    demo.spec(["sync", "status"]);
    demo.say("the flush at the end of each command already delivered everything; sync now finds nothing left:");
    demo.spec(["sync", "now"]);

    demo.say("what the server received (its event listing and the mission view):");
    const token = await fetch(`${server.url}/api/v1/token/`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ username: EMAIL, password: PASSWORD }),
      signal: AbortSignal.timeout(10_000),
    }).then(async (r) => ((await r.json()) as { access: string }).access);
    const auth = { Authorization: `Bearer ${token}` };
    const identity = JSON.parse(demo.spec(["init", "--json"], { quiet: true }).stdout) as { project_uuid?: string; project?: { uuid?: string } };
    const projectUuid = identity.project_uuid ?? identity.project?.uuid;
    const listing = (await fetch(`${server.url}/api/v1/events/?project_uuid=${projectUuid}&limit=1000`, { headers: auth, signal: AbortSignal.timeout(10_000) }).then((r) => r.json())) as {
      events: ReadonlyArray<{ event_type: string; verdict: string }>;
    };
    const quarantined = listing.events.filter((e) => e.verdict !== "valid");
    if (quarantined.length > 0) throw new Error(`the server quarantined ${quarantined.length} of the demo's events: ${quarantined.map((e) => e.event_type).join(", ")}`);
    const byType = new Map<string, number>();
    for (const e of listing.events) byType.set(`${e.event_type} (${e.verdict})`, (byType.get(`${e.event_type} (${e.verdict})`) ?? 0) + 1);
    process.stdout.write(`\n$ GET ${server.url}/api/v1/events/?project_uuid=${projectUuid}\n`);
    for (const [type, n] of byType) process.stdout.write(`  ${String(n).padStart(3)}  ${type}\n`);
    if (listing.events.length === 0) throw new Error("the server received no events");
    const missions = await fetch(`${server.url}/api/v1/teams/${TEAM}/projects/${projectUuid}/missions/`, { headers: auth, signal: AbortSignal.timeout(10_000) });
    if (missions.status !== 200) throw new Error(`the team ${TEAM} has no view of the project (HTTP ${missions.status})`);
    process.stdout.write(`\n$ GET ${server.url}/api/v1/teams/${TEAM}/projects/${projectUuid}/missions/\n`);
    process.stdout.write(`${JSON.stringify(await missions.json(), null, 2).split("\n").slice(0, 30).join("\n")}\n`);
    boardScreenshot(demo, server.url, `${projectUuid}`);
  } finally {
    await stopServer(server);
    if (process.argv.includes("--keep")) process.stdout.write(`(kept the server's data in ${data})\n`);
    else rmSync(data, { recursive: true, force: true });
  }
};

/** The dashboard's production build (apps/dashboard/dist), which spec-kitty-server serves by default when present. */
const buildDashboard = (demo: Demo): void => {
  const dir = join(demo.repoRoot, "apps/dashboard");
  const vite = join(dir, "node_modules/.bin/vite");
  demo.say("building the team dashboard the server serves (vite build):");
  demo.exec(vite, ["build", "--logLevel", "warn"], { cwd: dir, quiet: true });
};

/** Signs in to the dashboard in Debian's Chromium, opens the mission's board and saves a screenshot of it. */
const boardScreenshot = (demo: Demo, url: string, projectUuid: string): void => {
  demo.banner("the team dashboard");
  demo.say(`the dashboard is served by the same server: ${url}/ (sign in as ${EMAIL})`);
  if (!existsSync("/usr/bin/chromium")) {
    demo.say("no screenshot: Debian's Chromium is not installed (apt-get install -y chromium, or bash tooling/ci/install-chromium.sh)");
    return;
  }
  const out = join(demo.repoRoot, ".tmp", "demo-board.png");
  mkdirSync(join(demo.repoRoot, ".tmp"), { recursive: true });
  process.stdout.write(`\n$ echo '********' | node apps/dashboard/tools/board-screenshot.ts --server ${url} --team ${TEAM} --mission ${mission.slug} --out ${out}\n`);
  const shot = spawnSync(
    process.execPath,
    [join(demo.repoRoot, "apps/dashboard/tools/board-screenshot.ts"), "--server", url, "--email", EMAIL, "--password-stdin", "--team", TEAM, "--project", projectUuid, "--mission", mission.slug, "--out", out],
    { input: `${PASSWORD}\n`, encoding: "utf8", timeout: 90_000 },
  );
  process.stdout.write(shot.stdout);
  if (shot.status !== 0) throw new Error(`the dashboard's board did not render: ${shot.stderr}`);
};
