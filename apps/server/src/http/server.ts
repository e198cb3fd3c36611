import { readFileSync } from "node:fs";
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { ulid } from "ulid";
import { WsGateway } from "../realtime/ws.ts";
import { App, errText, type AppOptions } from "./app.ts";
import { adoptBrowserBearer } from "./dashboard.ts";
import type { HttpRequest } from "./types.ts";

export interface ServeOptions extends AppOptions {
  readonly host: string;
  readonly port: number;
  readonly tlsCert?: string;
  readonly tlsKey?: string;
}

export interface RunningServer {
  readonly app: App;
  readonly ws: WsGateway;
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Graceful stop: no new requests, in-flight ones finish, sockets close with 1001, views flush. */
  readonly stop: (timeoutMs?: number) => Promise<void>;
}

/** After SIGTERM, requests already on their way are still served for this long (within the stop deadline). */
const DRAIN_GRACE_MS = 400;

/** Starts the HTTP(S) and WebSocket server on `host:port` (port 0 picks a free one). */
export const startServer = async (o: ServeOptions): Promise<RunningServer> => {
  const tls = o.tlsCert !== undefined && o.tlsKey !== undefined;
  const app = new App({ ...o, tls });
  const ws = new WsGateway(app);
  const inflight = new Set<Promise<void>>();
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const p = serve(app, req, res).finally(() => inflight.delete(p));
    inflight.add(p);
  };
  const server: Server = tls ? createHttpsServer({ cert: readFileSync(o.tlsCert!), key: readFileSync(o.tlsKey!) }, handler) : createHttpServer(handler);
  server.headersTimeout = 20_000;
  server.requestTimeout = 120_000;
  server.keepAliveTimeout = 5_000;
  server.on("upgrade", (req, socket, head) => {
    socket.on("error", () => undefined);
    adoptBrowserBearer(req);
    void ws.upgrade(req, socket, head).catch((e: unknown) => {
      app.log.log("error", "upgrade failed", { error: errText(e) });
      socket.destroy();
    });
  });
  server.on("clientError", (_e, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port, o.host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const hostForUrl = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  const url = `${tls ? "https" : "http"}://${hostForUrl}:${addr.port}`;
  let stopping: Promise<void> | undefined;
  const stop = (timeoutMs = 4000): Promise<void> =>
    (stopping ??= (async () => {
      const deadline = Date.now() + timeoutMs;
      const sleep = () => new Promise((r) => setTimeout(r, 25));
      app.drain();
      await ws.close(Math.min(1500, timeoutMs / 2));
      // A short grace keeps serving requests already on their way (a body still arriving has not reached the
      // handler yet); answers now carry `Connection: close`, and /readyz says draining.
      const graceEnd = Math.min(deadline, Date.now() + DRAIN_GRACE_MS);
      while ((inflight.size > 0 || Date.now() < graceEnd) && Date.now() < deadline) await sleep();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeIdleConnections();
      while (inflight.size > 0 && Date.now() < deadline) await sleep();
      server.closeAllConnections();
      await Promise.race([closed, new Promise((r) => setTimeout(r, Math.max(0, deadline - Date.now())))]);
      await app.close();
    })());
  return { app, ws, url, host: addr.address, port: addr.port, stop };
};

const serve = async (app: App, req: IncomingMessage, res: ServerResponse): Promise<void> => {
  const started = performance.now();
  const requestId = ulid();
  let consumed = false;
  const request: HttpRequest = {
    method: req.method ?? "GET",
    url: req.url ?? "/",
    headers: req.headers as Record<string, string | undefined>,
    requestId,
    readBody: (maxBytes) => {
      consumed = true;
      return readCapped(req, maxBytes);
    },
  };
  let status = 500;
  try {
    const r = await app.handle(request);
    status = r.status;
    const headers: Record<string, string> = { ...r.headers, "x-request-id": requestId };
    if (r.close === true || !consumed || app.draining) {
      // The body was not read: do not leave it in the connection for the next request.
      headers["connection"] = "close";
    }
    res.writeHead(r.status, headers);
    res.end(r.body);
    if (r.close === true || !consumed) res.once("finish", () => req.destroy());
  } catch (e) {
    app.log.log("error", "response failed", { req_id: requestId, error: errText(e) });
    if (!res.headersSent) res.writeHead(500, { "content-type": "application/json", connection: "close" });
    res.end('{"error":"Internal server error"}');
  } finally {
    app.log.log(status >= 500 ? "error" : "info", "request", {
      req_id: requestId,
      method: request.method,
      path: request.url.split("?")[0]!.slice(0, 200),
      status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    });
  }
};

/** Reads a request body, refusing as soon as it would exceed `maxBytes`. */
const readCapped = (req: IncomingMessage, maxBytes: number): Promise<Buffer | "too_large"> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = [];
    let size = 0;
    let done = false;
    const finish = (v: Buffer | "too_large"): void => {
      if (done) return;
      done = true;
      req.off("data", onData);
      resolve(v);
    };
    const onData = (c: Buffer): void => {
      size += c.length;
      if (size > maxBytes) {
        req.pause();
        finish("too_large");
        return;
      }
      chunks.push(c);
    };
    req.on("data", onData);
    req.once("end", () => finish(Buffer.concat(chunks, size)));
    req.once("error", (e) => {
      if (!done) {
        done = true;
        reject(e);
      }
    });
    req.once("aborted", () => finish("too_large"));
  });
