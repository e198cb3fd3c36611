/**
 * The WebSocket over a real server process: both generations, snapshot first, one ack per event after the
 * durable write, pings, LocalCommitAck shapes, fan-out to the team's subscribers, upgrade refusals, and a
 * graceful SIGTERM.
 */
import { afterAll, assert, beforeAll, describe, it } from "vitest";
import WebSocket from "ws";
import { postBatch, PROJECT, runCli, seedWithCli, startServerProcess, statusEvent, tempDir, ulidOf, type ServerProcess } from "./support.ts";

interface Client {
  readonly ws: WebSocket;
  readonly frames: Array<Record<string, unknown>>;
  readonly next: (pred?: (f: Record<string, unknown>) => boolean, ms?: number) => Promise<Record<string, unknown>>;
  readonly closed: Promise<number>;
}

const connect = (url: string, token: string, headers: Record<string, string> = {}): Promise<Client> =>
  new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, "ws")}/ws/v1/events/`, { headers: { authorization: `Bearer ${token}`, ...headers }, handshakeTimeout: 10_000 });
    const frames: Array<Record<string, unknown>> = [];
    const waiters: Array<{ pred: (f: Record<string, unknown>) => boolean; resolve: (f: Record<string, unknown>) => void }> = [];
    let read = 0;
    ws.on("message", (data) => {
      const f = JSON.parse(String(data)) as Record<string, unknown>;
      frames.push(f);
      for (const w of [...waiters]) {
        if (w.pred(f)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(f);
        }
      }
    });
    const closed = new Promise<number>((r) => ws.on("close", (code) => r(code)));
    ws.on("unexpected-response", (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
    ws.on("error", reject);
    ws.on("open", () =>
      resolve({
        ws,
        frames,
        closed,
        next: (pred = () => true, ms = 10_000) =>
          new Promise((res, rej) => {
            const seen = frames.slice(read).find(pred);
            if (seen !== undefined) {
              read = frames.indexOf(seen) + 1;
              return res(seen);
            }
            const t = setTimeout(() => rej(new Error(`no matching frame within ${ms} ms; got ${JSON.stringify(frames)}`)), ms);
            waiters.push({
              pred,
              resolve: (f) => {
                clearTimeout(t);
                read = frames.indexOf(f) + 1;
                res(f);
              },
            });
          }),
      }),
    );
  });

const upgradeStatus = (url: string, headers: Record<string, string>): Promise<number> =>
  new Promise((resolve) => {
    const ws = new WebSocket(`${url.replace(/^http/, "ws")}/ws/v1/events/`, { headers, handshakeTimeout: 10_000 });
    ws.on("unexpected-response", (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on("open", () => {
      resolve(101);
      ws.close();
    });
    ws.on("error", () => undefined);
  });

describe("WebSocket, both generations, over a real server", () => {
  let dir: string;
  let server: ServerProcess;
  let token: string;
  let otherToken: string;

  beforeAll(async () => {
    dir = tempDir();
    token = await seedWithCli(dir, "acme");
    otherToken = await seedWithCli(dir, "other");
    const u = await runCli(["user", "create", "ada@example.com", "--team", "acme", "--password-stdin", "--data", dir], "correct horse battery\n");
    assert.strictEqual(u.code, 0, u.stderr);
    server = await startServerProcess(dir);
  }, 90_000);

  afterAll(async () => {
    await server?.stop();
  });

  const wsToken = async (legacy: boolean): Promise<string> => {
    if (legacy) {
      const t = await fetch(`${server.url}/api/v1/token/`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "ada@example.com", password: "correct horse battery" }) });
      const access = ((await t.json()) as { access: string }).access;
      const r = await fetch(`${server.url}/api/v1/ws-token/`, { method: "POST", headers: { authorization: `Bearer ${access}` } });
      return ((await r.json()) as { ws_token: string }).ws_token;
    }
    const me = await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
    const teamId = ((await me.json()) as { teams: Array<{ id: string }> }).teams[0]!.id;
    const r = await fetch(`${server.url}/api/v1/ws-token`, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ team_id: teamId }) });
    return ((await r.json()) as { ws_token: string }).ws_token;
  };

  it("current generation: snapshot first, one ack per event after the write, duplicate on resend, pong", async () => {
    const c = await connect(server.url, await wsToken(false), { "x-spec-kitty-sync-protocol": "2.0" });
    const first = await c.next();
    assert.strictEqual(first["type"], "snapshot");
    assert.isArray(first["work_packages"]);
    const e = { type: "event", ...statusEvent(1), spec_kitty_delivery_identity: ulidOf(1), admission_generation: 1, binding_audience: "local-nonstrict:x" };
    c.ws.send(JSON.stringify(e));
    const ack = await c.next((f) => f["type"] === "ack");
    assert.deepStrictEqual(ack, { type: "ack", event_id: ulidOf(1), status: "accepted" });
    const read = await fetch(`${server.url}/api/v1/events/?project_uuid=${PROJECT}`, { headers: { authorization: `Bearer ${token}` } });
    assert.deepStrictEqual(
      ((await read.json()) as { events: Array<{ event_id: string; source: string }> }).events.map((x) => [x.event_id, x.source]),
      [[ulidOf(1), "ws"]],
      "acked means stored",
    );
    c.ws.send(JSON.stringify(e));
    assert.deepStrictEqual(await c.next((f) => f["type"] === "ack"), { type: "ack", event_id: ulidOf(1), status: "duplicate" });
    // The same event through the batch endpoint is a duplicate too.
    const b = await postBatch(server.url, token, [statusEvent(1)]);
    assert.strictEqual(b.json.results[0].status, "duplicate");
    c.ws.send(JSON.stringify({ type: "ping", timestamp: "t-1" }));
    assert.deepStrictEqual(await c.next((f) => f["type"] === "pong"), { type: "pong", timestamp: "t-1" });
    c.ws.send("not json");
    c.ws.send("[1,2]");
    c.ws.send(JSON.stringify({ type: "ping", timestamp: "t-2" }));
    assert.strictEqual((await c.next((f) => f["type"] === "pong"))["timestamp"], "t-2", "bad frames do not break the connection");
    c.ws.close();
  });

  it("another team's project: exactly the closed error frame", async () => {
    const foreign = "22222222-3333-4444-8555-666666666666";
    await postBatch(server.url, otherToken, [statusEvent(50, { project: foreign })]);
    const c = await connect(server.url, await wsToken(false));
    await c.next();
    c.ws.send(JSON.stringify({ type: "event", ...statusEvent(51, { project: foreign }) }));
    assert.deepStrictEqual(await c.next((f) => f["type"] === "error"), { type: "error", event_id: ulidOf(51), status: "rejected", error_category: "project_not_admitted", retryable: false });
    c.ws.close();
  });

  it("LocalCommit: accepted, duplicate, payload conflict, each in its closed shape", async () => {
    const c = await connect(server.url, await wsToken(false));
    await c.next();
    const lc = { type: "LocalCommit", git_hash: "a".repeat(40), mission_id: "M1", build_id: "b-1", project_uuid: PROJECT, changed_files: ["kitty-specs/m/spec.md"], committed_at: "2026-03-01T10:00:00Z", spec_kitty_delivery_identity: "local-commit:t:b-1:aaa", admission_generation: 1, binding_audience: "local-nonstrict:x" };
    c.ws.send(JSON.stringify(lc));
    const a1 = await c.next((f) => f["type"] === "LocalCommitAck");
    assert.deepStrictEqual(Object.keys(a1).sort(), ["admission_generation", "binding_audience", "build_id", "git_hash", "project_uuid", "received_at", "status", "type"]);
    assert.strictEqual(a1["status"], "accepted");
    assert.match(String(a1["received_at"]), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
    c.ws.send(JSON.stringify(lc));
    assert.strictEqual((await c.next((f) => f["type"] === "LocalCommitAck"))["status"], "duplicate");
    c.ws.send(JSON.stringify({ ...lc, changed_files: ["kitty-specs/m/other.md"] }));
    const conflict = await c.next((f) => f["type"] === "LocalCommitAck");
    assert.deepStrictEqual(Object.keys(conflict).sort(), ["admission_generation", "binding_audience", "build_id", "error_category", "git_hash", "project_uuid", "retryable", "status", "type"]);
    assert.strictEqual(conflict["error_category"], "local_commit_payload_conflict");
    c.ws.close();
  });

  it("028-era generation: raw envelopes without type are stored (no answer exists for them)", async () => {
    const c = await connect(server.url, await wsToken(true));
    assert.strictEqual((await c.next())["type"], "snapshot");
    // A project of its own: PROJECT belongs to the shared team by now, and a private team cannot write it.
    const raw = statusEvent(60, { project: "33333333-4444-4555-8666-777777777777" });
    delete raw["schema_version"];
    c.ws.send(JSON.stringify(raw));
    c.ws.send(JSON.stringify({ no: "id at all" }));
    c.ws.send(JSON.stringify({ type: "ping", timestamp: "sync" }));
    await c.next((f) => f["type"] === "pong");
    const r = await fetch(`${server.url}/api/v1/teams/`, { headers: { authorization: `Bearer ${token}` } });
    assert.strictEqual(r.status, 200);
    // The user's private team holds them (the ws-token was issued for it).
    const login = await fetch(`${server.url}/api/v1/token/`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ username: "ada@example.com", password: "correct horse battery" }) });
    const access = ((await login.json()) as { access: string }).access;
    const ev = await fetch(`${server.url}/api/v1/events/`, { headers: { authorization: `Bearer ${access}` } });
    const events = ((await ev.json()) as { events: Array<{ event_id: string; source: string; verdict: string }> }).events;
    assert.deepStrictEqual(
      events.filter((e) => e.source === "ws-legacy").map((e) => [e.event_id, e.verdict]),
      [[ulidOf(60), "valid"]],
    );
    c.ws.close();
  });

  it("a ws-token is single-use; bad credentials are refused at the upgrade", async () => {
    const t = await wsToken(false);
    const c = await connect(server.url, t);
    c.ws.close();
    assert.strictEqual(await upgradeStatus(server.url, { authorization: `Bearer ${t}` }), 401);
    assert.strictEqual(await upgradeStatus(server.url, {}), 401);
    assert.strictEqual(await upgradeStatus(server.url, { authorization: "Bearer skw_forged" }), 401);
    assert.strictEqual(await upgradeStatus(server.url, { authorization: `Bearer ${token}`, "x-spec-kitty-sync-protocol": "9" }), 412);
  });

  it("fan-out: accepted events reach every subscriber of the team, and no other team's", async () => {
    const subs = await Promise.all([connect(server.url, token), connect(server.url, token), connect(server.url, otherToken)]);
    for (const s of subs) await s.next((f) => f["type"] === "snapshot");
    const r = await postBatch(server.url, token, [statusEvent(70), statusEvent(71)]);
    assert.strictEqual(r.status, 200);
    for (const s of subs.slice(0, 2)) {
      const f = await s.next((x) => x["type"] === "event" && x["event_id"] === ulidOf(71));
      assert.strictEqual((f["envelope"] as Record<string, unknown>)["event_type"], "WPStatusChanged");
    }
    await new Promise((r2) => setTimeout(r2, 300));
    assert.isFalse(subs[2]!.frames.some((f) => f["type"] === "event"), "another team's subscriber sees nothing");
    for (const s of subs) s.ws.close();
  });

  it("SIGTERM: open sockets are closed with 1001 and the process exits 0 within 5 s", async () => {
    const c = await connect(server.url, token);
    await c.next();
    const started = Date.now();
    const code = await server.stop();
    assert.strictEqual(code, 0, server.stderr().slice(-2000));
    assert.strictEqual(await c.closed, 1001);
    assert.isBelow(Date.now() - started, 5000);
    assert.include(server.stderr(), '"msg":"stopped"');
  });
});
