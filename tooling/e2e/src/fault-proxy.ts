/**
 * A fault proxy between the CLI and the server, on its own loopback port. Each request to the batch endpoint takes
 * the next scripted fault (or passes through when none is left); WebSocket upgrades pass through or, in "silent"
 * mode, complete the handshake and then never send a frame. `offline` refuses everything by resetting sockets.
 */
import { createHash } from "node:crypto";
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { connect, type AddressInfo, type Socket } from "node:net";

export type Fault =
  /** Answer with this status (and headers, body) without reaching the server. */
  | { readonly kind: "status"; readonly status: number; readonly headers?: Record<string, string>; readonly body?: unknown }
  /** Forward to the server, then drop the connection instead of answering (the server did store the batch). */
  | { readonly kind: "reset-after" }
  /** Drop the connection before forwarding (nothing reached the server). */
  | { readonly kind: "reset" }
  /** Forward, but hold the answer back for `ms`. */
  | { readonly kind: "slow"; readonly ms: number };

export interface FaultProxy {
  readonly url: string;
  /** Faults for the next batch requests, in order. */
  readonly faults: Array<Fault>;
  /** How many batch requests the proxy saw, and how many reached the server. */
  readonly counts: { batches: number; forwarded: number };
  offline: boolean;
  wsMode: "pass" | "silent";
  close(): Promise<void>;
}

const BATCH = "/api/v1/events/batch/";

export const startFaultProxy = async (upstream: string): Promise<FaultProxy> => {
  const target = new URL(upstream);
  const sockets = new Set<Socket>();
  const state = { faults: [] as Array<Fault>, counts: { batches: 0, forwarded: 0 }, offline: false, wsMode: "pass" as "pass" | "silent" };

  const forward = (req: IncomingMessage, body: Buffer): Promise<{ status: number; headers: IncomingMessage["headers"]; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const out = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host }, timeout: 60_000 },
        (res) => {
          const chunks: Array<Buffer> = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }));
          res.on("error", reject);
        },
      );
      out.on("error", reject);
      out.on("timeout", () => out.destroy(new Error("upstream timeout")));
      out.end(body);
    });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (state.offline) return void req.socket.destroy();
    const chunks: Array<Buffer> = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    const isBatch = (req.url ?? "").split("?")[0] === BATCH;
    const fault = isBatch ? state.faults.shift() : undefined;
    if (isBatch) state.counts.batches += 1;
    if (fault?.kind === "reset") return void req.socket.destroy();
    if (fault?.kind === "status") {
      res.writeHead(fault.status, { "Content-Type": "application/json", Connection: "close", ...fault.headers });
      return void res.end(JSON.stringify(fault.body ?? { error: `injected ${fault.status}` }));
    }
    let answer: Awaited<ReturnType<typeof forward>>;
    try {
      answer = await forward(req, body);
      if (isBatch) state.counts.forwarded += 1;
    } catch {
      return void req.socket.destroy();
    }
    if (fault?.kind === "reset-after") return void req.socket.destroy();
    if (fault?.kind === "slow") await new Promise((r) => setTimeout(r, fault.ms));
    const headers = { ...answer.headers };
    delete headers["transfer-encoding"];
    delete headers["connection"];
    res.writeHead(answer.status, { ...headers, "content-length": String(answer.body.length) });
    res.end(answer.body);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => req.socket.destroy());
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  server.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => {
    sockets.add(socket);
    if (state.offline) return void socket.destroy();
    if (state.wsMode === "silent") {
      const key = String(req.headers["sec-websocket-key"] ?? "");
      const accept = createHash("sha1").update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
      socket.on("error", () => undefined);
      return; // and never a frame
    }
    const upstreamSocket = connect(Number(target.port), target.hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`, ...Object.entries(req.headers).map(([k, v]) => `${k}: ${k === "host" ? target.host : String(v)}`), "", ""];
      upstreamSocket.write(lines.join("\r\n"));
      if (head.length > 0) upstreamSocket.write(head);
      upstreamSocket.pipe(socket);
      socket.pipe(upstreamSocket);
    });
    sockets.add(upstreamSocket);
    const end = () => {
      upstreamSocket.destroy();
      socket.destroy();
    };
    upstreamSocket.on("error", end);
    socket.on("error", end);
    upstreamSocket.on("close", end);
    socket.on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
};
