/**
 * Many clients sending overlapping batches at once, over HTTP and the WebSocket: every event is stored exactly
 * once and acknowledged as new exactly once; every other answer for it is `duplicate`.
 */
import { rmSync } from "node:fs";
import { assert, describe, it } from "vitest";
import WebSocket from "ws";
import { startServer } from "../src/http/server.ts";
import { InProcessNotifier } from "../src/realtime/notifier.ts";
import { openSqliteStore } from "../src/store/sqlite.ts";
import { silentLogger } from "../src/util/log.ts";
import { postBatch, statusEvent, tempDir, ulidOf } from "./support.ts";

describe("concurrent ingest", () => {
  it("8 HTTP clients and 2 WebSocket clients with overlapping events: each stored once, new once", async () => {
    const dir = tempDir();
    const store = openSqliteStore({ dataDir: dir });
    await store.migrate();
    const server = await startServer({ store, notifier: new InProcessNotifier(), log: silentLogger, host: "127.0.0.1", port: 0, rate: { burst: 1e6, perSecond: 1e6 } });
    try {
      await server.app.auth.createTeam("acme");
      const token = (await server.app.auth.createApiToken("acme")).token;
      const TOTAL = 600;
      const newCount = new Map<string, number>();
      const bump = (id: string, status: string) => {
        if (status === "success" || status === "accepted") newCount.set(id, (newCount.get(id) ?? 0) + 1);
        else assert.strictEqual(status, "duplicate", `${id}: ${status}`);
      };
      const http = Array.from({ length: 8 }, async (_, c) => {
        // Client c sends windows of 60 ids starting at c*40, wrapping: every id is sent by 1-3 clients.
        for (let b = 0; b < 5; b++) {
          const start = (c * 40 + b * 120) % TOTAL;
          const events = Array.from({ length: 60 }, (_, i) => statusEvent((start + i) % TOTAL));
          const r = await postBatch(server.url, token, events);
          assert.strictEqual(r.status, 200, JSON.stringify(r.json));
          for (const x of r.json.results as Array<{ event_id: string; status: string }>) bump(x.event_id, x.status);
        }
      });
      const ws = Array.from({ length: 2 }, (_, c) =>
        new Promise<void>((resolve, reject) => {
          const sock = new WebSocket(`${server.url.replace("http", "ws")}/ws/v1/events/`, { headers: { authorization: `Bearer ${token}` } });
          const pending = new Set<string>();
          let sent = 0;
          const ids = Array.from({ length: 150 }, (_, i) => (c * 300 + i * 2) % TOTAL);
          const sendNext = () => {
            if (sent === ids.length) return;
            const e = statusEvent(ids[sent++]!);
            pending.add(String(e["event_id"]));
            sock.send(JSON.stringify({ type: "event", ...e }));
          };
          sock.on("message", (d) => {
            const f = JSON.parse(String(d)) as Record<string, string>;
            if (f["type"] === "snapshot") {
              for (let i = 0; i < 8; i++) sendNext();
              return;
            }
            if (f["type"] !== "ack") return;
            pending.delete(f["event_id"]!);
            bump(f["event_id"]!, f["status"]!);
            if (sent < ids.length) sendNext();
            else if (pending.size === 0) {
              sock.close();
              resolve();
            }
          });
          sock.on("error", reject);
          setTimeout(() => reject(new Error("websocket client did not finish within 45 s")), 45_000).unref();
        }),
      );
      await Promise.all([...http, ...ws]);
      const team = (await store.teamBySlug("acme"))!;
      const rows = await store.readEvents({ teamId: team.id, limit: 1000 });
      const distinct = new Set(rows.map((r) => r.eventId));
      assert.strictEqual(rows.length, distinct.size, "no event stored twice");
      assert.strictEqual(rows.length, newCount.size, "every stored event was answered as new");
      for (const [id, n] of newCount) assert.strictEqual(n, 1, `${id} answered as new ${n} times`);
      for (const r of rows) assert.isTrue(newCount.has(r.rawEventId));
      assert.isTrue(distinct.has(ulidOf(0)));
    } finally {
      await server.stop();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
