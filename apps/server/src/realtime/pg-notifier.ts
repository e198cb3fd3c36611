/**
 * Fan-out across server processes through PostgreSQL LISTEN/NOTIFY (ADR-0015). Every process that shares a database
 * LISTENs on one channel on a connection of its own. `publish` hands the notices to this process's subscribers at
 * once, then NOTIFYs the other processes:
 *
 * - notices that fit one NOTIFY payload (PostgreSQL's limit is 8000 bytes) travel inline;
 * - larger publications (a 1000-event batch) travel as references: the team and the seq ranges of the events. A
 *   process that has subscribers for that team reads those rows back from the event table; a process without
 *   any ignores the message, so a big batch costs the other processes one small message each.
 *
 * All messages of one publication go out in one statement, so they arrive together and in order. A process ignores
 * its own messages (it has already delivered them). When the LISTEN connection drops, the notifier reconnects with
 * backoff and reads what its subscribed teams missed meanwhile from the event table, by seq.
 */
import type pg from "pg";
import { StoreError } from "../store/port.ts";
import { PG_SQL_ENVELOPE } from "../store/rows.ts";
import { openClient, redact, type PgPoolOptions } from "../store/postgres/pool.ts";
import { InProcessNotifier, type Listener, type Notice, type Notifier } from "./notifier.ts";

export const NOTIFY_CHANNEL = "spec_kitty_events";

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; keep a margin. */
export const MAX_PAYLOAD_BYTES = 7900;

export interface PgNotifierOptions extends PgPoolOptions {
  /** The pool that publishes and reads referenced events (the store's). */
  readonly pool: pg.Pool;
  readonly channel?: string;
  /** Longest pause between reconnection attempts of the LISTEN connection (default 5 s). */
  readonly maxBackoffMs?: number;
  /**
   * How often the LISTEN connection is probed with a query (default 15 s): a connection that died without a word
   * (a dropped route, a frozen server) is found by the probe's deadline and replaced.
   */
  readonly heartbeatMs?: number;
  /** Called with diagnostics (a dropped connection, a failed fetch); stderr by default. */
  readonly log?: (line: string) => void;
}

/** The messages on the channel. `o` is the sending process, `t` the team. */
type Message =
  | { readonly v: 1; readonly o: string; readonly t: string; readonly n: ReadonlyArray<Notice> }
  | { readonly v: 1; readonly o: string; readonly t: string; readonly r: ReadonlyArray<readonly [number, number]> };

/** How many recent seqs per team the notifier remembers to deliver each event once. */
const DELIVERED_WINDOW = 50_000;

export class PgNotifier implements Notifier {
  /** Opens the LISTEN connection; resolves once this process receives the channel's messages. */
  static async open(options: PgNotifierOptions): Promise<PgNotifier> {
    const notifier = new PgNotifier(options);
    try {
      await notifier.listen();
    } catch (error) {
      await notifier.close();
      throw new StoreError("unavailable", `cannot LISTEN on PostgreSQL at ${redact(options.url)}: ${(error as Error).message}`, { cause: error });
    }
    notifier.heartbeat = setInterval(() => notifier.probe(), options.heartbeatMs ?? 15_000);
    notifier.heartbeat.unref();
    return notifier;
  }

  readonly origin = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  private readonly local = new InProcessNotifier();
  private readonly options: PgNotifierOptions;
  private readonly channel: string;
  private readonly log: (line: string) => void;
  private client: pg.Client | undefined;
  private closed = false;
  private reconnecting: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private backoffMs = 100;
  /** Highest seq delivered per team, where a reconnect resumes. */
  private readonly lastSeq = new Map<string, number>();
  /**
   * The seqs delivered lately per team (the newest DELIVERED_WINDOW): a notification that arrives after the
   * catch-up of a reconnect already read its rows must not reach the subscribers a second time.
   */
  private readonly delivered = new Map<string, Set<number>>();
  /** Messages from other processes are handled one at a time, in arrival order. */
  private queue: Promise<void> = Promise.resolve();

  private constructor(options: PgNotifierOptions) {
    this.options = options;
    this.channel = options.channel ?? NOTIFY_CHANNEL;
    this.log = options.log ?? ((line) => process.stderr.write(`spec-kitty-server: ${line}\n`));
  }

  async publish(teamId: string, notices: ReadonlyArray<Notice>): Promise<void> {
    if (notices.length === 0) return;
    this.deliver(teamId, notices);
    const payloads = encode(this.origin, teamId, notices);
    try {
      await this.options.pool.query("SELECT pg_notify($1, p) FROM unnest($2::text[]) WITH ORDINALITY AS u(p, i) ORDER BY i", [
        this.channel,
        payloads,
      ]);
    } catch (error) {
      // The events are committed and local subscribers have them; other processes' subscribers catch up by seq.
      this.log(`could not notify other server processes of ${notices.length} event(s) of team ${teamId}: ${(error as Error).message}`);
    }
  }

  subscribe(teamId: string, listener: Listener): () => void {
    return this.local.subscribe(teamId, listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnecting !== undefined) clearTimeout(this.reconnecting);
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) await endWithin(client, 2_000);
    await this.queue;
    await this.local.close();
  }

  /** Number of this process's listeners of a team. */
  subscriberCount(teamId: string): number {
    return this.local.subscriberCount(teamId);
  }

  private deliver(teamId: string, notices: ReadonlyArray<Notice>): void {
    let seen = this.delivered.get(teamId);
    if (seen === undefined) this.delivered.set(teamId, (seen = new Set()));
    const fresh = notices.filter((n) => !seen.has(n.seq));
    if (fresh.length === 0) return;
    let last = this.lastSeq.get(teamId) ?? 0;
    for (const n of fresh) {
      last = Math.max(last, n.seq);
      seen.add(n.seq);
    }
    // Sets iterate in insertion order: the oldest deliveries are forgotten first.
    for (const seq of seen) {
      if (seen.size <= DELIVERED_WINDOW) break;
      seen.delete(seq);
    }
    this.lastSeq.set(teamId, last);
    this.local.deliver(teamId, fresh);
  }

  private async listen(): Promise<void> {
    // The probe's deadline is the query deadline of this connection: short, since `SELECT 1` is all it runs.
    const client = openClient({ queryTimeoutMs: 5_000, ...this.options, applicationName: "spec-kitty-server listen" });
    client.on("notification", (message) => {
      if (message.channel !== this.channel || message.payload === undefined) return;
      const payload = message.payload;
      this.queue = this.queue.then(() => this.receive(payload)).catch((error: Error) => this.log(`dropped a notification: ${error.message}`));
    });
    client.on("error", (error) => this.lost(client, error));
    client.on("end", () => this.lost(client, new Error("connection ended")));
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteIdent(this.channel)}`);
    } catch (error) {
      void endWithin(client, 1_000);
      throw error;
    }
    if (this.closed) {
      // closed while this connection was being opened
      await endWithin(client, 1_000);
      return;
    }
    this.client = client;
    this.backoffMs = 100;
  }

  /** One query on the LISTEN connection; its failure (or its deadline) counts as a lost connection. */
  private probe(): void {
    const client = this.client;
    if (client === undefined || this.closed) return;
    client.query("SELECT 1").catch((error: Error) => this.lost(client, error));
  }

  private lost(client: pg.Client, error: Error): void {
    if (this.closed || this.client !== client) return;
    this.client = undefined;
    void endWithin(client, 2_000);
    this.log(`lost the PostgreSQL LISTEN connection (${error.message}); reconnecting`);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.reconnecting !== undefined) return;
    const delay = this.backoffMs;
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.maxBackoffMs ?? 5_000);
    this.reconnecting = setTimeout(() => {
      this.reconnecting = undefined;
      this.listen()
        .then(() => {
          this.queue = this.queue.then(() => this.catchUp()).catch((e: Error) => this.log(`catching up after a reconnect failed: ${e.message}`));
        })
        .catch((e: Error) => {
          this.log(`reconnecting the PostgreSQL LISTEN connection failed: ${e.message}`);
          this.scheduleReconnect();
        });
    }, delay);
    this.reconnecting.unref();
  }

  private async receive(payload: string): Promise<void> {
    const message = JSON.parse(payload) as Message;
    if (message.v !== 1 || message.o === this.origin || this.local.subscriberCount(message.t) === 0) return;
    if ("n" in message) {
      this.deliver(message.t, message.n);
      return;
    }
    const seqs: Array<number> = [];
    for (const [from, to] of message.r) for (let s = from; s <= to; s++) seqs.push(s);
    const notices = await this.fetch("seq = ANY($2::bigint[])", [message.t, seqs], seqs.length);
    this.deliver(message.t, notices);
  }

  /** After a reconnect: whatever each subscribed team stored since the last notice this process delivered. */
  private async catchUp(): Promise<void> {
    for (const [teamId, after] of this.lastSeq) {
      if (this.local.subscriberCount(teamId) === 0) continue;
      let cursor = after;
      for (let page = 0; page < 100; page++) {
        const notices = await this.fetch("seq > $2", [teamId, cursor], 1000);
        if (notices.length === 0) break;
        this.deliver(teamId, notices);
        cursor = notices.at(-1)!.seq;
      }
    }
  }

  /** Notices of one team (`$1`) for the stored events matching `condition`, in seq order. */
  private async fetch(condition: string, args: ReadonlyArray<unknown>, limit: number): Promise<ReadonlyArray<Notice>> {
    const result = await this.options.pool.query<{
      seq: number;
      team_id: string;
      project_uuid: string | null;
      mission_key: string | null;
      event_id: string;
      event_type: string;
      envelope: string;
    }>(
      `SELECT seq, team_id, project_uuid, mission_key, event_id, event_type, ${PG_SQL_ENVELOPE} AS envelope
       FROM events WHERE team_id = $1 AND ${condition} ORDER BY seq LIMIT ${Math.trunc(limit)}`,
      args as Array<unknown>,
    );
    return result.rows.map((r) => ({
      teamId: r.team_id,
      projectUuid: r.project_uuid,
      missionKey: r.mission_key,
      seq: r.seq,
      eventId: r.event_id,
      eventType: r.event_type,
      envelope: r.envelope,
    }));
  }
}

/**
 * The NOTIFY payloads of one publication: one inline message when it fits, otherwise references by seq range, split
 * so that each payload fits.
 */
export const encode = (origin: string, teamId: string, notices: ReadonlyArray<Notice>): Array<string> => {
  // The envelopes alone tell whether inline can fit, without serialising a megabyte for nothing.
  let envelopeChars = 0;
  for (const n of notices) envelopeChars += n.envelope.length;
  if (envelopeChars <= MAX_PAYLOAD_BYTES) {
    const inline = JSON.stringify({ v: 1, o: origin, t: teamId, n: notices } satisfies Message);
    if (Buffer.byteLength(inline) <= MAX_PAYLOAD_BYTES) return [inline];
  }
  const ranges: Array<[number, number]> = [];
  for (const seq of [...new Set(notices.map((n) => n.seq))].sort((a, b) => a - b)) {
    const last = ranges.at(-1);
    if (last !== undefined && last[1] + 1 === seq) last[1] = seq;
    else ranges.push([seq, seq]);
  }
  const envelopeBytes = Buffer.byteLength(JSON.stringify({ v: 1, o: origin, t: teamId, r: [] } satisfies Message));
  const payloads: Array<string> = [];
  let chunk: Array<[number, number]> = [];
  let bytes = envelopeBytes;
  const flush = () => {
    if (chunk.length > 0) payloads.push(JSON.stringify({ v: 1, o: origin, t: teamId, r: chunk } satisfies Message));
    chunk = [];
    bytes = envelopeBytes;
  };
  for (const range of ranges) {
    const rangeBytes = JSON.stringify(range).length + 1; // digits and a comma
    if (chunk.length > 0 && bytes + rangeBytes > MAX_PAYLOAD_BYTES) flush();
    chunk.push(range);
    bytes += rangeBytes;
  }
  flush();
  return payloads;
};

/** Ends a client politely, and cuts its socket if the server does not answer in time (a hung connection). */
const endWithin = async (client: pg.Client, ms: number): Promise<void> => {
  let timer: NodeJS.Timeout | undefined;
  const cut = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      (client as unknown as { connection?: { stream?: { destroy: () => void } } }).connection?.stream?.destroy();
      resolve();
    }, ms);
  });
  await Promise.race([client.end().catch(() => undefined), cut]);
  clearTimeout(timer);
};

const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;
