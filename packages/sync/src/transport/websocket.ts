/**
 * The WebSocket client (reference-sync.md §5.5, reference-server.md §4): connects with a ws-token as Bearer and the
 * protocol header, requires the server's first frame within a deadline, answers `ping` with `pong`, and sends
 * events that count as delivered only when the server's `ack` arrives (5 s; otherwise the event stays pending).
 * A dropped connection is reconnected with jittered exponential backoff (0.5 s doubling to 30 s) for 10 attempts,
 * then the client gives up and reports OfflineBatchMode: the batch endpoint carries everything from then on.
 */
import WebSocket from "ws";
import { RECONNECT_ATTEMPTS, reconnectDelayMs, sleep } from "../delivery/backoff.ts";
import { PROTOCOL_HEADER, PROTOCOL_VERSION } from "./batch.ts";
import type { EventOutcome } from "./outcome.ts";

export type ConnectionStatus = "Connected" | "Reconnecting" | "Offline" | "OfflineBatchMode";

export const CONNECT_TIMEOUT_MS = 5_000;
export const FIRST_FRAME_TIMEOUT_MS = 5_000;
export const ACK_TIMEOUT_MS = 5_000;
export const CLOSE_TIMEOUT_MS = 2_000;

export interface WsTicket {
  readonly url: string;
  readonly token: string;
}

export interface WsClientOptions {
  /** A fresh ws-token and address for each connect (tokens are single-use). */
  readonly ticket: () => Promise<WsTicket>;
  readonly connectTimeoutMs?: number;
  readonly firstFrameTimeoutMs?: number;
  readonly ackTimeoutMs?: number;
  readonly reconnectAttempts?: number;
  readonly onStatus?: (status: ConnectionStatus, detail: string) => void;
  /** Server clocks seen in frames (`lamport_clock`), for the outbox's receive(). */
  readonly onRemoteClock?: (lamport: number) => void;
}

interface PendingAck {
  readonly resolve: (outcome: EventOutcome) => void;
  readonly timer: NodeJS.Timeout;
}

export class WsClient {
  private socket: WebSocket | undefined;
  private readonly pending = new Map<string, PendingAck>();
  private statusValue: ConnectionStatus = "Offline";
  private stopped = false;
  private readonly options: WsClientOptions;
  private reconnecting: Promise<void> | undefined;

  constructor(options: WsClientOptions) {
    this.options = options;
  }

  get status(): ConnectionStatus {
    return this.statusValue;
  }

  private setStatus(status: ConnectionStatus, detail: string): void {
    if (this.statusValue === status) return;
    this.statusValue = status;
    this.options.onStatus?.(status, detail);
  }

  /** One connection attempt: resolves true once the first frame arrived, false on any failure (never throws). */
  async connect(): Promise<boolean> {
    if (this.stopped) return false;
    let ticket: WsTicket;
    try {
      ticket = await this.options.ticket();
    } catch (error) {
      this.setStatus("Offline", error instanceof Error ? error.message : String(error));
      return false;
    }
    return new Promise<boolean>((resolve) => {
      let settled = false;
      const socket = new WebSocket(ticket.url, {
        headers: { Authorization: `Bearer ${ticket.token}`, [PROTOCOL_HEADER]: PROTOCOL_VERSION },
        handshakeTimeout: this.options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
      });
      const fail = (detail: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(firstFrame);
        socket.removeAllListeners();
        socket.on("error", () => undefined);
        socket.terminate();
        this.setStatus("Offline", detail);
        resolve(false);
      };
      const firstFrame = setTimeout(() => fail("the server sent no first frame in time"), (this.options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS) + (this.options.firstFrameTimeoutMs ?? FIRST_FRAME_TIMEOUT_MS));
      socket.once("error", (error) => fail(error.message));
      socket.once("unexpected-response", (_req, res) => fail(`the server refused the connection (HTTP ${res.statusCode})`));
      socket.once("close", () => fail("closed before the first frame"));
      socket.once("message", () => {
        if (settled) return;
        settled = true;
        clearTimeout(firstFrame);
        socket.removeAllListeners();
        this.socket = socket;
        socket.on("message", (data) => this.onFrame(String(data)));
        socket.on("error", () => undefined);
        socket.on("close", () => this.onClose());
        this.setStatus("Connected", ticket.url);
        resolve(true);
      });
    });
  }

  private onFrame(text: string): void {
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    if (typeof frame !== "object" || frame === null || Array.isArray(frame)) return;
    const f = frame as Record<string, unknown>;
    if (typeof f["lamport_clock"] === "number") this.options.onRemoteClock?.(f["lamport_clock"]);
    if (f["type"] === "ping") {
      this.socket?.send(JSON.stringify({ type: "pong", timestamp: f["timestamp"] ?? null }));
      return;
    }
    const eventId = f["event_id"];
    if ((f["type"] !== "ack" && f["type"] !== "error") || typeof eventId !== "string") return;
    const waiter = this.pending.get(eventId);
    if (waiter === undefined) return;
    this.pending.delete(eventId);
    clearTimeout(waiter.timer);
    const status = f["status"];
    if (f["type"] === "ack" && status === "accepted") waiter.resolve({ eventId, kind: "synced" });
    else if (f["type"] === "ack" && status === "duplicate") waiter.resolve({ eventId, kind: "duplicate" });
    else {
      const category = typeof f["error_category"] === "string" ? f["error_category"] : "rejected";
      const reason = typeof f["error"] === "string" ? f["error"] : `refused over the WebSocket (${category})`;
      waiter.resolve(f["retryable"] === false && category.startsWith("project_") ? { eventId, kind: "parked", reason, category } : { eventId, kind: "rejected", reason, category });
    }
  }

  private onClose(): void {
    this.socket = undefined;
    for (const [eventId, waiter] of this.pending) {
      clearTimeout(waiter.timer);
      waiter.resolve({ eventId, kind: "pending", reason: "the connection closed before the ack" });
    }
    this.pending.clear();
    if (!this.stopped) void this.reconnect();
  }

  /** Reconnects with backoff; after the last attempt the status is OfflineBatchMode. */
  reconnect(): Promise<void> {
    this.reconnecting ??= (async () => {
      const attempts = this.options.reconnectAttempts ?? RECONNECT_ATTEMPTS;
      for (let attempt = 0; attempt < attempts && !this.stopped; attempt += 1) {
        this.setStatus("Reconnecting", `attempt ${attempt + 1} of ${attempts}`);
        await sleep(reconnectDelayMs(attempt));
        if (this.stopped) return;
        if (await this.connect()) return;
      }
      if (!this.stopped) this.setStatus("OfflineBatchMode", "Switched to batch sync mode");
    })().finally(() => {
      this.reconnecting = undefined;
    });
    return this.reconnecting;
  }

  get connected(): boolean {
    return this.socket !== undefined && this.socket.readyState === WebSocket.OPEN;
  }

  /**
   * Sends one envelope and waits for the server's verdict. Without an ack within the deadline (or without a
   * connection) the event is `pending`: it was maybe stored, and is sent again later (the server dedups).
   */
  send(eventId: string, envelope: string): Promise<EventOutcome> {
    const socket = this.socket;
    if (socket === undefined || socket.readyState !== WebSocket.OPEN) {
      return Promise.resolve({ eventId, kind: "pending", reason: "not connected" });
    }
    return new Promise<EventOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(eventId);
        resolve({ eventId, kind: "pending", reason: "no ack within 5 s" });
      }, this.options.ackTimeoutMs ?? ACK_TIMEOUT_MS);
      this.pending.set(eventId, { resolve, timer });
      const frame = envelope.startsWith("{") ? `{"type":"event",${envelope.slice(1)}` : envelope;
      socket.send(frame, (error) => {
        if (error === undefined || error === null) return;
        const waiter = this.pending.get(eventId);
        if (waiter === undefined) return;
        this.pending.delete(eventId);
        clearTimeout(waiter.timer);
        resolve({ eventId, kind: "pending", reason: `send failed: ${error.message}` });
      });
    });
  }

  /** Closes the connection within CLOSE_TIMEOUT_MS and stops reconnecting. */
  async close(): Promise<void> {
    this.stopped = true;
    const socket = this.socket;
    this.socket = undefined;
    for (const [eventId, waiter] of this.pending) {
      clearTimeout(waiter.timer);
      waiter.resolve({ eventId, kind: "pending", reason: "closing" });
    }
    this.pending.clear();
    this.setStatus("Offline", "closed");
    if (socket === undefined) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        socket.terminate();
        resolve();
      }, CLOSE_TIMEOUT_MS);
      socket.once("close", () => {
        clearTimeout(timer);
        resolve();
      });
      socket.close(1000);
    });
  }
}
