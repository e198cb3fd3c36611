import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocketServer, type WebSocket } from "ws";
import { WsClient } from "../src/index.ts";

const servers: Array<WebSocketServer> = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    for (const c of s.clients) c.terminate();
    await new Promise<void>((r) => s.close(() => r()));
  }
});

const start = async (onConnection: (socket: WebSocket, auth: string | undefined) => void): Promise<string> => {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  servers.push(wss);
  wss.on("connection", (socket, req) => onConnection(socket, req.headers.authorization));
  await new Promise<void>((r) => wss.once("listening", () => r()));
  return `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws/v1/events/`;
};

describe("WsClient", () => {
  it("connects with the ws-token, answers ping, and counts an event only on its ack", async () => {
    const pongs: Array<unknown> = [];
    const url = await start((socket, auth) => {
      expect(auth).toBe("Bearer wst");
      socket.send(JSON.stringify({ type: "snapshot", work_packages: [] }));
      socket.send(JSON.stringify({ type: "ping", timestamp: 42 }));
      socket.on("message", (data) => {
        const frame = JSON.parse(String(data)) as Record<string, unknown>;
        if (frame["type"] === "pong") return void pongs.push(frame["timestamp"]);
        if (frame["event_id"] === "silent") return; // never acked
        socket.send(JSON.stringify({ type: "ack", event_id: frame["event_id"], status: frame["event_id"] === "dup" ? "duplicate" : "accepted" }));
      });
    });
    const client = new WsClient({ ticket: async () => ({ url, token: "wst" }), ackTimeoutMs: 300 });
    expect(await client.connect()).toBe(true);
    expect(client.status).toBe("Connected");
    expect(await client.send("e1", '{"event_id":"e1"}')).toEqual({ eventId: "e1", kind: "synced" });
    expect(await client.send("dup", '{"event_id":"dup"}')).toEqual({ eventId: "dup", kind: "duplicate" });
    expect((await client.send("silent", '{"event_id":"silent"}')).kind).toBe("pending");
    expect(pongs).toEqual([42]);
    await client.close();
  });

  it("gives up on a server that accepts but never sends its first frame, within the deadline", async () => {
    const url = await start(() => undefined);
    const client = new WsClient({ ticket: async () => ({ url, token: "t" }), connectTimeoutMs: 200, firstFrameTimeoutMs: 200 });
    const started = Date.now();
    expect(await client.connect()).toBe(false);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(client.status).toBe("Offline");
    await client.close();
  });

  it("reconnects after a drop and ends in OfflineBatchMode when the attempts run out", async () => {
    let connections = 0;
    const url = await start((socket) => {
      connections += 1;
      if (connections === 1) {
        socket.send(JSON.stringify({ type: "snapshot" }));
        setTimeout(() => socket.terminate(), 50);
      } else socket.terminate();
    });
    const statuses: Array<string> = [];
    const client = new WsClient({ ticket: async () => ({ url, token: "t" }), reconnectAttempts: 2, onStatus: (s) => statuses.push(s) });
    expect(await client.connect()).toBe(true);
    await new Promise((r) => setTimeout(r, 100));
    await client.reconnect();
    expect(statuses).toContain("Reconnecting");
    expect(client.status).toBe("OfflineBatchMode");
    expect(connections).toBeGreaterThanOrEqual(2);
    await client.close();
  });
});
