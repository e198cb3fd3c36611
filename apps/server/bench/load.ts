/**
 * Load for the ingest benchmarks: realistic event envelopes (the @HEAD `WPStatusChanged` shape), 1000-event
 * batches, and a driver that runs N concurrent connections, each sending its batches one after another, timing
 * every batch. The batches are built (and gzipped) before the clock starts, so the figures measure the server.
 */
import { gzipSync } from "node:zlib";
import { monotonicFactory } from "ulid";

/** Lanes whose transitions need no evidence (moving to approved or done does), so every generated event is valid. */
const LANES = ["planned", "claimed", "in_progress", "for_review", "in_review"] as const;

export interface Envelope {
  readonly event_id: string;
  readonly [key: string]: unknown;
}

/** One event as a current CLI sends it: a lane transition of a work package of one mission. */
export const makeEnvelope = (eventId: string, n: number, project: { uuid: string; slug: string }): Envelope => {
  const wp = `WP${String((n % 40) + 1).padStart(2, "0")}`;
  const from = LANES[n % (LANES.length - 1)]!;
  const to = LANES[(n % (LANES.length - 1)) + 1]!;
  return {
    event_id: eventId,
    event_type: "WPStatusChanged",
    aggregate_id: wp,
    aggregate_type: "WorkPackage",
    payload: {
      mission_slug: "042-bench-mission",
      wp_id: wp,
      from_lane: from,
      to_lane: to,
      actor: "bench-agent",
      force: false,
      reason: null,
      execution_mode: "worktree",
      review_ref: null,
      evidence: null,
    },
    timestamp: new Date(Date.UTC(2026, 10, 1) + n * 1000).toISOString().replace("Z", "+00:00"),
    node_id: "a1b2c3d4e5f6",
    lamport_clock: n + 1,
    causation_id: null,
    correlation_id: eventId,
    schema_version: "3.0.0",
    build_id: "6f1c2a8e-3b7d-4e0f-9a51-2c4d8e6f0b13",
    data_tier: 0,
    team_slug: null,
    project_uuid: project.uuid,
    project_slug: project.slug,
    git_branch: "main",
    head_commit_sha: "0cf3f906f4f979a000cf04c78688a397d69b6a37",
    repo_slug: "example/bench",
  };
};

/** `count` batches of `size` fresh envelopes each (unique ULIDs, increasing Lamport clocks). */
export const makeBatches = (count: number, size: number, project: { uuid: string; slug: string }): Array<Array<Envelope>> => {
  const ulid = monotonicFactory();
  let n = 0;
  return Array.from({ length: count }, () => Array.from({ length: size }, () => makeEnvelope(ulid(), n++, project)));
};

/** The request body a CLI sends: gzip of `{"events": [...]}`. */
export const gzipBatch = (events: ReadonlyArray<Envelope>): Buffer => gzipSync(JSON.stringify({ events }));

export interface RunResult {
  readonly events: number;
  readonly batches: number;
  readonly wallMs: number;
  readonly latenciesMs: ReadonlyArray<number>;
}

/**
 * Runs `connections` workers over the batches (worker i takes batches i, i+connections, ...), each sending its next
 * batch when the previous one has been answered.
 */
export const drive = async <B>(
  batches: ReadonlyArray<B>,
  connections: number,
  eventsIn: (batch: B) => number,
  send: (batch: B, connection: number) => Promise<void>,
): Promise<RunResult> => {
  const latenciesMs: Array<number> = [];
  const started = performance.now();
  await Promise.all(
    Array.from({ length: connections }, async (_, c) => {
      for (let i = c; i < batches.length; i += connections) {
        const t = performance.now();
        await send(batches[i]!, c);
        latenciesMs.push(performance.now() - t);
      }
    }),
  );
  const wallMs = performance.now() - started;
  return { events: batches.reduce((s, b) => s + eventsIn(b), 0), batches: batches.length, wallMs, latenciesMs };
};

export const quantile = (xs: ReadonlyArray<number>, q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? Number.NaN;
};

export const report = (label: string, r: RunResult): string =>
  `${label.padEnd(52)} ${String(r.events).padStart(6)} events in ${(r.wallMs / 1000).toFixed(2)} s: ` +
  `${Math.round((r.events / r.wallMs) * 1000).toLocaleString("en-US")} events/s; batch latency ` +
  `p50 ${quantile(r.latenciesMs, 0.5).toFixed(1)} ms, p99 ${quantile(r.latenciesMs, 0.99).toFixed(1)} ms, max ${Math.max(...r.latenciesMs).toFixed(1)} ms`;
