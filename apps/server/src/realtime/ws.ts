import { createHash } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { normalizeUuid } from "@spec-kitty/events";
import { WebSocketServer, type WebSocket } from "ws";
import type { ClientGeneration } from "../auth/service.ts";
import type { App } from "../http/app.ts";
import { protocolGate } from "../http/batch.ts";
import type { Team } from "../store/port.ts";
import type { Notice } from "./notifier.ts";

/** Both WebSocket generations are served on this path (the current client is handed it as `ws_url`). */
export const WS_PATH = "/ws/v1/events/";
const PING_INTERVAL_MS = 30_000;
/** A subscriber this far behind is disconnected rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
const MAX_FRAME_BYTES = 1_048_576;

interface Connection {
  readonly ws: WebSocket;
  readonly team: Team;
  readonly generation: ClientGeneration;
  readonly id: string;
}

/**
 * The WebSocket endpoint (ADR-0014). Credentials are checked at the HTTP upgrade (401 there, never after), the
 * snapshot frame goes out before anything is read, and then:
 * - a raw envelope without `type` (028-era) is stored like a batch event, with no answer (that client has none);
 * - `{"type":"event", …}` is stored and answered with exactly one `ack` (`accepted`/`duplicate`) or `error`
 *   frame, after the durable write;
 * - `{"type":"LocalCommit", …}` is answered with the closed `LocalCommitAck` shapes;
 * - `ping` is answered with `pong`; the server pings every 30 s;
 * - accepted events of the team are pushed to every subscriber as `{"type":"event", …}` frames.
 */
export class WsGateway {
  private readonly app: App;
  private readonly wss: WebSocketServer;
  private readonly connections = new Set<Connection>();
  private draining = false;
  private seq = 0;

  constructor(app: App) {
    this.app = app;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  }

  get size(): number {
    return this.connections.size;
  }

  /** Handles an HTTP upgrade request; refuses with a plain HTTP status when it cannot be served. */
  async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const refuse = (status: number, text: string, body = ""): void => {
      if (!socket.writable) return;
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    };
    const path = (req.url ?? "").split("?")[0];
    if (path !== WS_PATH && path !== "/ws/v1/events") return refuse(404, "Not Found");
    if (this.draining) return refuse(503, "Service Unavailable", '{"error":"server is shutting down"}');
    const headers = req.headers as Record<string, string | undefined>;
    const gate = protocolGate(headers);
    if (gate !== undefined) return refuse(412, "Precondition Failed", gate.body);
    const m = /^Bearer\s+(\S+)\s*$/i.exec(headers["authorization"] ?? "");
    if (m === null) return refuse(401, "Unauthorized", '{"error":"Authentication credentials were not provided"}');
    let team: Team | undefined;
    let generation: ClientGeneration = "current";
    try {
      const ticket = m[1]!.startsWith("skw_") ? await this.app.auth.consumeWsToken(m[1]!) : undefined;
      if (ticket !== undefined) {
        team = await this.app.store.teamById(ticket.teamId);
        generation = ticket.generation;
      } else if (!m[1]!.startsWith("skw_")) {
        // Dashboards and scripts may connect with an access or API token directly.
        const a = await this.app.auth.authenticate(headers["authorization"]);
        if (!a.ok && a.reason === "unavailable") return refuse(503, "Service Unavailable");
        if (a.ok) {
          const wanted = new URL(req.url ?? "/", "http://x").searchParams.get("team");
          team = wanted === null ? a.principal.ingressTeam : a.principal.memberships.find((x) => x.team.slug === wanted || x.team.id === wanted)?.team;
          generation = a.principal.generation;
        }
      }
    } catch {
      return refuse(503, "Service Unavailable");
    }
    if (team === undefined) return refuse(401, "Unauthorized", '{"error":"Token expired or invalid"}');
    const t = team;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, t, generation));
  }

  private open(ws: WebSocket, team: Team, generation: ClientGeneration): void {
    const conn: Connection = { ws, team, generation, id: `ws${++this.seq}` };
    this.connections.add(conn);
    // The snapshot must be the first frame, sent before anything is read.
    send(ws, { type: "snapshot", work_packages: [], team_id: team.id, server_time: new Date().toISOString() });
    const unsubscribe = this.app.notifier.subscribe(team.id, (notices) => this.push(conn, notices));
    const pinger = setInterval(() => send(ws, { type: "ping", timestamp: new Date().toISOString() }), PING_INTERVAL_MS);
    pinger.unref();
    let chain: Promise<void> = Promise.resolve();
    ws.on("message", (data, isBinary) => {
      if (isBinary) return;
      const text = Array.isArray(data) ? Buffer.concat(data).toString("utf8") : Buffer.from(data as ArrayBuffer).toString("utf8");
      chain = chain.then(() => this.onFrame(conn, text)).catch((e: unknown) => {
        this.app.log.log("error", "websocket frame failed", { conn: conn.id, error: e instanceof Error ? e.message : String(e) });
      });
    });
    ws.on("close", () => {
      unsubscribe();
      clearInterval(pinger);
      this.connections.delete(conn);
    });
    ws.on("error", () => undefined);
  }

  private push(conn: Connection, notices: ReadonlyArray<Notice>): void {
    if (conn.ws.readyState !== conn.ws.OPEN) return;
    if (conn.ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      conn.ws.close(1013, "subscriber too slow");
      return;
    }
    for (const n of notices) {
      conn.ws.send(`{"type":"event","seq":${n.seq},"event_id":${JSON.stringify(n.eventId)},"event_type":${JSON.stringify(n.eventType)},"project_uuid":${JSON.stringify(n.projectUuid)},"mission":${JSON.stringify(n.missionKey)},"envelope":${n.envelope}}`);
    }
  }

  private async onFrame(conn: Connection, text: string): Promise<void> {
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof frame !== "object" || frame === null || Array.isArray(frame)) return;
    const f = frame as Record<string, unknown>;
    const type = f["type"];
    if (type === "ping") return send(conn.ws, { type: "pong", timestamp: f["timestamp"] ?? new Date().toISOString() });
    if (type === "pong") return;
    if (type === "LocalCommit") return this.localCommit(conn, f);
    if (type === "event") return this.event(conn, f, true);
    if (type === undefined && "event_type" in f) return this.event(conn, f, false);
  }

  private async event(conn: Connection, f: Record<string, unknown>, answer: boolean): Promise<void> {
    const rawId = f["event_id"];
    let item = f;
    if (typeof rawId !== "string" || rawId.trim() === "" || rawId.length > 128 || typeof f["event_type"] !== "string" || f["event_type"] === "") {
      // Kept anyway (a 028-era client keeps no copy): quarantined under an id derived from the frame.
      const id = `noid-${createHash("sha256").update(JSON.stringify(f)).digest("hex").slice(0, 40)}`;
      item = { ...f, event_id: id, event_type: typeof f["event_type"] === "string" && f["event_type"] !== "" ? f["event_type"] : "Unknown" };
    }
    const out = await this.app.ingestor.ingest({ team: conn.team, generation: conn.generation, source: answer ? "ws" : "ws-legacy" }, [item]);
    if (!answer) return;
    const eventId = typeof rawId === "string" ? rawId : String(item["event_id"]);
    const r = out.kind === "unusable" ? undefined : out.results[0];
    if (r === undefined || r.error_category === "project_not_admitted") {
      return send(conn.ws, { type: "error", event_id: eventId, status: "rejected", error_category: "project_not_admitted", retryable: false });
    }
    // A quarantined event is stored: over this channel the only refusal the client accepts is project admission.
    send(conn.ws, { type: "ack", event_id: eventId, status: r.status === "duplicate" ? "duplicate" : "accepted" });
  }

  private async localCommit(conn: Connection, f: Record<string, unknown>): Promise<void> {
    const echo = {
      git_hash: f["git_hash"],
      build_id: f["build_id"],
      project_uuid: f["project_uuid"],
      admission_generation: f["admission_generation"],
      binding_audience: f["binding_audience"],
    };
    const refuse = (category: "project_not_admitted" | "local_commit_payload_conflict") =>
      send(conn.ws, { type: "LocalCommitAck", ...echo, status: "rejected", error_category: category, retryable: false });
    const project = typeof f["project_uuid"] === "string" ? normalizeUuid(f["project_uuid"]) : undefined;
    if (typeof f["git_hash"] !== "string" || typeof f["build_id"] !== "string" || project === undefined) return refuse("project_not_admitted");
    const key = `${project}\u0000${f["build_id"]}\u0000${f["git_hash"]}`;
    const eventId = `local-commit-${createHash("sha256").update(key).digest("base64url")}`;
    const receivedAt = Date.now();
    const [o] = await this.app.store.appendBatch({
      teamId: conn.team.id,
      receivedAt,
      items: [
        {
          eventId,
          rawEventId: eventId,
          eventType: "LocalCommit",
          projectUuid: project,
          missionKey: null,
          lamportClock: null,
          timestamp: typeof f["committed_at"] === "string" ? f["committed_at"].slice(0, 64) : null,
          raw: JSON.stringify(f),
          canonical: null,
          verdict: "valid",
          violations: null,
          source: "ws",
        },
      ],
    });
    if (o === undefined || o.kind === "project_refused") return refuse("project_not_admitted");
    if (o.kind === "duplicate") {
      const stored = await this.app.store.eventById(conn.team.id, eventId);
      const same = stored !== undefined && commitPayload(JSON.parse(stored.raw) as Record<string, unknown>) === commitPayload(f);
      if (!same) return refuse("local_commit_payload_conflict");
      return send(conn.ws, { type: "LocalCommitAck", ...echo, status: "duplicate", received_at: new Date(stored.receivedAt).toISOString() });
    }
    send(conn.ws, { type: "LocalCommitAck", ...echo, status: "accepted", received_at: new Date(receivedAt).toISOString() });
  }

  /** Stops accepting upgrades and closes every socket with 1001 (going away). */
  async close(timeoutMs = 2000): Promise<void> {
    this.draining = true;
    for (const c of this.connections) c.ws.close(1001, "server shutting down");
    const deadline = Date.now() + timeoutMs;
    while (this.connections.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    for (const c of this.connections) c.ws.terminate();
    this.wss.close();
  }
}

const send = (ws: WebSocket, frame: Record<string, unknown>): void => {
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
};

const commitPayload = (f: Record<string, unknown>): string =>
  JSON.stringify([f["mission_id"] ?? null, f["changed_files"] ?? null, f["committed_at"] ?? null]);
