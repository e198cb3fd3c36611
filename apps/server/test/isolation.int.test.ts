/**
 * Tenant isolation: every read endpoint and the WebSocket, tried with another team's credentials and with
 * none. Nothing of team A may show in any answer given to team B or to an anonymous caller.
 */
import { rmSync } from "node:fs";
import { afterAll, assert, beforeAll, describe, it } from "vitest";
import WebSocket from "ws";
import { startServer, type RunningServer } from "../src/http/server.ts";
import { InProcessNotifier } from "../src/realtime/notifier.ts";
import { openSqliteStore } from "../src/store/sqlite.ts";
import type { Store } from "../src/store/port.ts";
import { silentLogger } from "../src/util/log.ts";
import { postBatch, statusEvent, tempDir, ulidOf } from "./support.ts";

const PROJECT_A = "aaaaaaaa-1111-4222-8333-444444444444";
const MISSION = "007-secret-mission";
/** Strings that identify team A's data; none may appear in an answer to anyone else. */
let secrets: Array<string>;

describe("tenant isolation", () => {
  let dir: string;
  let store: Store;
  let server: RunningServer;
  let tokenA: string;
  let tokenB: string;
  let slugA: string;

  beforeAll(async () => {
    dir = tempDir();
    store = openSqliteStore({ dataDir: dir });
    await store.migrate();
    server = await startServer({ store, notifier: new InProcessNotifier(), log: silentLogger, host: "127.0.0.1", port: 0 });
    const auth = server.app.auth;
    slugA = (await auth.createTeam("team-a")).slug;
    await auth.createTeam("team-b");
    tokenA = (await auth.createApiToken("team-a")).token;
    tokenB = (await auth.createApiToken("team-b")).token;
    const events = [statusEvent(1, { project: PROJECT_A, mission: MISSION }), { ...statusEvent(2, { project: PROJECT_A, mission: MISSION }), payload: { broken: true } }];
    const r = await postBatch(server.url, tokenA, events);
    assert.strictEqual(r.status, 200);
    const teamA = await store.teamBySlug("team-a");
    secrets = [PROJECT_A, MISSION, ulidOf(1), ulidOf(2), teamA!.id, "agent-1"];
  }, 60_000);

  afterAll(async () => {
    await server.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const readPaths = () => [
    `/api/v1/teams/`,
    `/api/v1/teams/${slugA}/projects/`,
    `/api/v1/teams/${slugA}/projects/${PROJECT_A}/missions/`,
    `/api/v1/teams/${slugA}/projects/${PROJECT_A}/missions/${MISSION}/`,
    `/api/v1/teams/${slugA}/projects/${PROJECT_A}/missions/${MISSION}/views/board`,
    `/api/v1/teams/${slugA}/quarantine/`,
    `/api/v1/events/?project_uuid=${PROJECT_A}`,
    `/api/v1/events/?team=${slugA}`,
    `/api/v1/events/?project_uuid=${PROJECT_A}&team=team-b`,
    `/api/v1/teams/team-b/projects/${PROJECT_A}/missions/`,
    `/api/v1/teams/team-b/projects/${PROJECT_A}/missions/${MISSION}/`,
    `/api/v1/events/`,
    `/api/v1/me`,
  ];

  it("team A itself sees its data on every path (the probe can fail)", async () => {
    const own = [readPaths()[1], readPaths()[3], readPaths()[5], readPaths()[6]];
    for (const p of own) {
      const r = await fetch(`${server.url}${p}`, { headers: { authorization: `Bearer ${tokenA}` } });
      assert.strictEqual(r.status, 200, p);
      const text = await r.text();
      assert.isTrue(secrets.some((s) => text.includes(s)), `${p} shows team A's data to team A`);
    }
  });

  it("team B's credentials: every read path leaks nothing", async () => {
    for (const p of readPaths()) {
      const r = await fetch(`${server.url}${p}`, { headers: { authorization: `Bearer ${tokenB}` } });
      const text = await r.text();
      assert.isTrue(r.status === 200 || r.status === 404, `${p}: ${r.status}`);
      for (const s of secrets) assert.notInclude(text, s, `${p} leaked ${s}`);
    }
  });

  it("no credentials, or a forged token: 401 everywhere, nothing leaked", async () => {
    for (const p of readPaths()) {
      for (const headers of [{}, { authorization: "Bearer skt_forged" }, { authorization: "Bearer eyJhbGciOiJIUzI1NiJ9.e30.x" }]) {
        const r = await fetch(`${server.url}${p}`, { headers });
        const text = await r.text();
        assert.strictEqual(r.status, 401, `${p}`);
        for (const s of secrets) assert.notInclude(text, s);
      }
    }
  });

  it("team B cannot write into team A's project, and learns nothing from the refusal", async () => {
    const r = await postBatch(server.url, tokenB, [statusEvent(1, { project: PROJECT_A }), statusEvent(3, { project: PROJECT_A })]);
    assert.strictEqual(r.status, 400);
    const text = JSON.stringify(r.json);
    assert.notInclude(text, "team-a");
    assert.notInclude(text, (await store.teamBySlug("team-a"))!.id);
    // Team A's copy of event 1 is untouched, and B's ids are B's own namespace.
    assert.strictEqual((await store.readEvents({ teamId: (await store.teamBySlug("team-b"))!.id, limit: 10 })).length, 0);
  });

  it("the WebSocket: team B's subscriber receives nothing of team A; no credentials → 401 at the upgrade", async () => {
    const ws = new WebSocket(`${server.url.replace("http", "ws")}/ws/v1/events/`, { headers: { authorization: `Bearer ${tokenB}` } });
    const frames: Array<string> = [];
    ws.on("message", (d) => frames.push(String(d)));
    await new Promise<void>((res, rej) => {
      ws.once("open", () => res());
      ws.once("error", rej);
    });
    await postBatch(server.url, tokenA, [statusEvent(5, { project: PROJECT_A, mission: MISSION })]);
    await new Promise((r) => setTimeout(r, 300));
    ws.close();
    assert.strictEqual(frames.length, 1, "only the snapshot");
    for (const s of secrets) assert.notInclude(frames.join(""), s);
    const anon = await new Promise<number>((resolve) => {
      const w = new WebSocket(`${server.url.replace("http", "ws")}/ws/v1/events/`);
      w.on("unexpected-response", (_q, res) => resolve(res.statusCode ?? 0));
      w.on("open", () => resolve(101));
      w.on("error", () => undefined);
    });
    assert.strictEqual(anon, 401);
    const wrongTeam = await new Promise<number>((resolve) => {
      const w = new WebSocket(`${server.url.replace("http", "ws")}/ws/v1/events/?team=team-a`, { headers: { authorization: `Bearer ${tokenB}` } });
      w.on("unexpected-response", (_q, res) => resolve(res.statusCode ?? 0));
      w.on("open", () => {
        resolve(101);
        w.close();
      });
      w.on("error", () => undefined);
    });
    assert.strictEqual(wrongTeam, 401);
  });
});
