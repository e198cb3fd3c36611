import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FaultProxy } from "../src/fault-proxy.ts";
import { Machine, makeProject, serverEvents, serverSources, startTeamServer, type TeamServer, type ServerProcess } from "../src/processes.ts";

let server: ServerProcess;
let proxy: FaultProxy;
let account: { team: string; email: string; password: string };
let token: string;

let team: TeamServer | undefined;
beforeAll(async () => {
  team = await startTeamServer("ana@example.com");
  ({ server, proxy, account, token } = team);
});
afterAll(async () => {
  await team?.stop();
});

const loggedInMachine = async (): Promise<Machine> => {
  const machine = new Machine();
  const login = await machine.cli(["auth", "login", "--server", proxy.url, "--username", account.email, "--password-stdin", "--json"], { cwd: machine.home, input: `${account.password}\n` });
  expect(login.status, login.stderr).toBe(0);
  expect(JSON.parse(login.stdout)).toMatchObject({ authenticated: true, server: proxy.url });
  return machine;
};

const counts = (ids: ReadonlyArray<string>): Map<string, number> => {
  const map = new Map<string, number>();
  for (const id of ids) map.set(id, (map.get(id) ?? 0) + 1);
  return map;
};

describe("delivery end to end (CLI → fault proxy → spec-kitty-server)", () => {
  it("through 429 + Retry-After, 413, 5xx, resets before and after the server stored a batch, and slow answers, every event arrives exactly once", async () => {
    const machine = await loggedInMachine();
    const project = makeProject("faulty");
    const enable = await machine.cli(["sync", "enable", "--json"], { cwd: project.dir });
    expect(enable.status, enable.stderr).toBe(0);
    const seeded = (await machine.seed(project.dir, 2500)).stdout.trim().split("\n");
    proxy.faults.push(
      { kind: "status", status: 429, headers: { "Retry-After": "1" }, body: { error: "rate limit" } },
      { kind: "status", status: 413, body: { error: "Batch payload exceeds decompressed byte limit", limits: { max_events_per_batch: 300 } } },
      { kind: "status", status: 503, body: { error: "unavailable" } },
      { kind: "reset" },
      { kind: "reset-after" },
      { kind: "slow", ms: 1500 },
    );
    let now = await machine.cli(["sync", "now", "--json"], { cwd: project.dir, timeoutMs: 90_000 });
    // A pass may end on a transient fault after its retries; a second pass finishes (nothing lost, nothing doubled).
    if (now.status !== 0) now = await machine.cli(["sync", "now", "--json"], { cwd: project.dir, timeoutMs: 90_000 });
    expect(now.status, now.stderr).toBe(0);
    const report = JSON.parse(now.stdout) as { summary: { remaining: number; failed: number } };
    expect(report.summary).toMatchObject({ remaining: 0, failed: 0 });
    const received = counts(await serverEvents(server.url, token, project.uuid));
    expect(received.size).toBe(seeded.length);
    for (const id of seeded) expect(received.get(id)).toBe(1);
    expect(proxy.faults).toHaveLength(0);
  });

  it("unreachable server and missing login: the command's stdout and exit code are unchanged, one warning, nothing lost", async () => {
    const machine = await loggedInMachine();
    const project = makeProject("offline");
    expect((await machine.cli(["sync", "enable"], { cwd: project.dir })).status).toBe(0);
    await machine.seed(project.dir, 20);
    const baseline = await machine.cli(["doctor", "--json"], { cwd: project.dir });
    proxy.offline = true;
    try {
      const started = Date.now();
      // `agent status validate`-like commands are not wired yet; `status` of an empty repo runs the flush at its end.
      const run = await machine.cli(["runs", "list", "--json"], { cwd: project.dir, timeoutMs: 30_000 });
      expect(Date.now() - started).toBeLessThan(15_000);
      const quiet = await machine.cli(["runs", "list", "--json"], { cwd: project.dir, env: { SPEC_KITTY_SYNC_FLUSH: "off" } });
      expect(run.stdout).toBe(quiet.stdout);
      expect(run.status).toBe(quiet.status);
      const warnings = run.stderr.split("\n").filter((l) => l.startsWith("warning: sync"));
      expect(warnings).toHaveLength(1);
      expect(baseline.status).toBe(0);
      const now = await machine.cli(["sync", "now", "--json"], { cwd: project.dir, timeoutMs: 60_000 });
      expect(now.status).toBe(1);
      expect(JSON.parse(now.stdout).summary.remaining).toBe(20);
    } finally {
      proxy.offline = false;
    }
    const logout = await machine.cli(["auth", "logout"], { cwd: project.dir });
    expect(logout.status).toBe(0);
    const unauth = await machine.cli(["runs", "list", "--json"], { cwd: project.dir });
    expect(unauth.stderr.split("\n").filter((l) => l.startsWith("warning: sync"))).toHaveLength(1);
    const stuck = await machine.cli(["sync", "now"], { cwd: project.dir });
    expect(stuck.status).toBe(1);
    expect(stuck.stderr).toMatch(/not logged in/);
    // Log in again: everything captured while offline and logged out arrives, once.
    const again = await machine.cli(["auth", "login", "--server", proxy.url, "--username", account.email, "--password-stdin"], { cwd: project.dir, input: `${account.password}\n` });
    expect(again.status, again.stderr).toBe(0);
    expect((await machine.cli(["sync", "now"], { cwd: project.dir })).status).toBe(0);
    expect(counts(await serverEvents(server.url, token, project.uuid)).size).toBe(20);
  });

  it("device login: the code is approved at the server's page, the session (with the team from /api/v1/me) delivers", async () => {
    const machine = new Machine();
    const project = makeProject("device");
    const child = machine.spawnCli(["auth", "login", "--server", server.url, "--device", "--team", account.team, "--json", "--timeout", "60"], project.dir);
    let stderr = "";
    let stdout = "";
    child.stdout?.on("data", (c: Buffer) => (stdout += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const code = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no device code shown: ${stderr}`)), 30_000);
      child.stderr?.on("data", (c: Buffer) => {
        stderr += c.toString();
        const m = /enter the code (\S+)/.exec(stderr);
        if (m?.[1] !== undefined) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
    });
    const approve = await fetch(`${server.url}/device`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ user_code: code, email: account.email, password: account.password }).toString(),
    });
    expect(approve.status).toBe(200);
    expect(await exited).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ authenticated: true, method: "device", team: account.team });
    expect((await machine.cli(["sync", "enable"], { cwd: project.dir })).status).toBe(0);
    const seeded = (await machine.seed(project.dir, 12)).stdout.trim().split("\n");
    const now = await machine.cli(["sync", "now", "--json"], { cwd: project.dir });
    expect(now.status, now.stderr).toBe(0);
    expect(new Set(await serverEvents(server.url, token, project.uuid))).toEqual(new Set(seeded));
  });

  it("two projects on one machine, one enabled: not one event of the other reaches the server", async () => {
    const machine = await loggedInMachine();
    const enabled = makeProject("enabled");
    const privateProject = makeProject("private");
    expect((await machine.cli(["sync", "enable"], { cwd: enabled.dir })).status).toBe(0);
    await machine.seed(enabled.dir, 30);
    await machine.seed(privateProject.dir, 30);
    const fromPrivate = await machine.cli(["sync", "now", "--json"], { cwd: privateProject.dir });
    expect(fromPrivate.status, fromPrivate.stderr).toBe(0);
    expect((await machine.cli(["sync", "now"], { cwd: enabled.dir })).status).toBe(0);
    expect(await serverEvents(server.url, token, enabled.uuid)).toHaveLength(30);
    expect(await serverEvents(server.url, token, privateProject.uuid)).toHaveLength(0);
    const disable = await machine.cli(["sync", "disable", "--json"], { cwd: enabled.dir });
    expect(JSON.parse(disable.stdout)).toMatchObject({ enabled: false, was_enabled: true });
    await machine.seed(enabled.dir, 5);
    await machine.cli(["sync", "now"], { cwd: enabled.dir });
    expect(await serverEvents(server.url, token, enabled.uuid)).toHaveLength(30);
  });

  it("a WebSocket that never sends its first frame does not hold the agent: it delivers through batches and stops on SIGTERM within 5 s", async () => {
    const machine = await loggedInMachine();
    const project = makeProject("agent");
    expect((await machine.cli(["sync", "enable"], { cwd: project.dir })).status).toBe(0);
    const seeded = (await machine.seed(project.dir, 200)).stdout.trim().split("\n");
    proxy.wsMode = "silent";
    const agent = machine.spawnCli(["sync", "agent"], project.dir);
    let log = "";
    agent.stderr?.on("data", (c: Buffer) => (log += c.toString()));
    try {
      const deadline = Date.now() + 40_000;
      while (Date.now() < deadline && (await serverEvents(server.url, token, project.uuid)).length < seeded.length) await new Promise((r) => setTimeout(r, 250));
      expect(counts(await serverEvents(server.url, token, project.uuid)).size).toBe(seeded.length);
      const second = await machine.cli(["sync", "agent"], { cwd: project.dir, timeoutMs: 10_000 });
      expect(second.status).toBe(1);
      expect(second.stderr).toMatch(/already running/);
    } finally {
      proxy.wsMode = "pass";
      const stopped = Date.now();
      const exit = new Promise<number | null>((r) => agent.once("exit", (code) => r(code)));
      agent.kill("SIGTERM");
      expect(await exit).toBe(0);
      expect(Date.now() - stopped).toBeLessThan(5_000);
    }
    expect(log).toMatch(/sync agent stopped/);
  });

  it("the agent delivers a few new events over the WebSocket, each counted on the server's ack", async () => {
    const machine = await loggedInMachine();
    const project = makeProject("live");
    expect((await machine.cli(["sync", "enable"], { cwd: project.dir })).status).toBe(0);
    const agent = machine.spawnCli(["sync", "agent"], project.dir);
    let log = "";
    agent.stderr?.on("data", (c: Buffer) => (log += c.toString()));
    try {
      const connectedBy = Date.now() + 30_000;
      while (!/connection: Connected/.test(log) && Date.now() < connectedBy) await new Promise((r) => setTimeout(r, 100));
      expect(log).toMatch(/connection: Connected/);
      const seeded = (await machine.seed(project.dir, 8)).stdout.trim().split("\n");
      const deadline = Date.now() + 30_000;
      let sources = new Map<string, string>();
      while (Date.now() < deadline && sources.size < seeded.length) {
        await new Promise((r) => setTimeout(r, 250));
        sources = await serverSources(server.url, token, project.uuid);
      }
      expect([...sources.keys()].sort()).toEqual([...seeded].sort());
      expect([...sources.values()].every((s) => s === "ws")).toBe(true);
    } finally {
      const exit = new Promise<number | null>((r) => agent.once("exit", (code) => r(code)));
      agent.kill("SIGINT");
      expect(await exit).toBe(0);
    }
  });
});
