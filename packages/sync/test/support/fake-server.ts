/**
 * A small sync server on a loopback port for the delivery tests: the batch endpoint (gzip, Bearer, dedup by
 * event_id), the health endpoint, the 028 token endpoints and the device flow, plus a script of faults that
 * answer the next requests instead of the real handler.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

export type Fault =
  | { readonly kind: "status"; readonly status: number; readonly body?: unknown; readonly headers?: Record<string, string> }
  | { readonly kind: "reset" }
  | { readonly kind: "hang" };

export interface FakeServer {
  readonly url: string;
  /** Every event id the server stored, with how many times it was offered. */
  readonly stored: Map<string, number>;
  readonly requests: Array<{ path: string; headers: IncomingMessage["headers"]; eventIds: Array<string> }>;
  faults: Array<Fault>;
  /** Per-event answers for ids (default success/duplicate). */
  rejectIds: Set<string>;
  /** Batches above this many decompressed bytes get 413. */
  maxBytes: number;
  validTokens: Set<string>;
  health: unknown;
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { "Content-Type": "application/json", ...headers });
  res.end(JSON.stringify(body));
};

export const startFakeServer = async (): Promise<FakeServer> => {
  let tokenCounter = 0;
  const state: Omit<FakeServer, "url" | "close"> = {
    stored: new Map(),
    requests: [],
    faults: [],
    rejectIds: new Set(),
    maxBytes: 1_048_576,
    validTokens: new Set(["good-token"]),
    health: null,
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = (req.url ?? "").split("?")[0] ?? "";
    const raw = await readBody(req);
    const fault = path === "/api/v1/events/batch/" ? state.faults.shift() : undefined;
    if (fault?.kind === "reset") return void req.socket.destroy();
    if (fault?.kind === "hang") return;
    if (fault?.kind === "status") return json(res, fault.status, fault.body ?? {}, fault.headers);
    if (path === "/api/v1/token/") {
      const body = JSON.parse(raw.toString()) as { username: string; password: string };
      if (body.password !== "secret") return json(res, 401, { detail: "bad credentials" });
      tokenCounter += 1;
      state.validTokens.add(`access-${tokenCounter}`);
      return json(res, 200, { access: `access-${tokenCounter}`, refresh: `refresh-${tokenCounter}`, team_slug: "team-a", expires_in: 900 });
    }
    if (path === "/api/v1/token/refresh/") {
      const body = JSON.parse(raw.toString()) as { refresh: string };
      if (!body.refresh.startsWith("refresh-")) return json(res, 401, { detail: "invalid refresh" });
      tokenCounter += 1;
      state.validTokens.add(`access-${tokenCounter}`);
      return json(res, 200, { access: `access-${tokenCounter}`, refresh: `refresh-${tokenCounter}` });
    }
    if (path === "/api/v1/sync/health/") return state.health === null ? json(res, 404, {}) : json(res, 200, state.health);
    if (path !== "/api/v1/events/batch/") return json(res, 404, { error: "not found" });
    const token = (req.headers.authorization ?? "").replace(/^Bearer /, "");
    if (!state.validTokens.has(token)) return json(res, 401, { error: "Token expired or invalid" });
    const text = req.headers["content-encoding"] === "gzip" ? gunzipSync(raw).toString("utf8") : raw.toString("utf8");
    const events = (JSON.parse(text) as { events: Array<{ event_id: string }> }).events;
    state.requests.push({ path, headers: req.headers, eventIds: events.map((e) => e.event_id) });
    if (Buffer.byteLength(text) > state.maxBytes) return json(res, 413, { error: "Batch payload exceeds decompressed byte limit" });
    const results = events.map((e) => {
      if (state.rejectIds.has(e.event_id)) return { event_id: e.event_id, status: "rejected", error: "Invalid payload: missing field" };
      const seen = state.stored.get(e.event_id);
      state.stored.set(e.event_id, (seen ?? 0) + 1);
      return { event_id: e.event_id, status: seen === undefined ? "success" : "duplicate" };
    });
    json(res, 200, { results });
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => json(res, 500, { error: String(error) }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
};
