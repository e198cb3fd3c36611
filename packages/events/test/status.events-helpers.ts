import * as Either from "effect/Either";
import { decodeEvent, type Event } from "../src/index.ts";

/** A valid ULID whose last digits encode `n` (Crockford alphabet), so tests can name events by number. */
export const ulid = (n: number): string => {
  const alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  let s = "";
  let v = n;
  for (let i = 0; i < 6; i++) {
    s = alphabet[v % 32] + s;
    v = Math.floor(v / 32);
  }
  return `01J00000000000000000${s}`;
};

export interface EventSpec {
  readonly id: number | string;
  readonly type: string;
  readonly clock: number;
  readonly payload: Record<string, unknown>;
  readonly timestamp?: string;
}

/** Builds and decodes an envelope; fails loudly if the envelope itself is invalid (a bug in the test). */
export const makeEvent = (spec: EventSpec): Event => {
  const r = decodeEvent({
    event_id: typeof spec.id === "number" ? ulid(spec.id) : spec.id,
    event_type: spec.type,
    aggregate_id: "mission/M-1",
    payload: spec.payload,
    timestamp: spec.timestamp ?? `2026-03-01T00:00:${String(spec.clock % 60).padStart(2, "0")}Z`,
    build_id: "build-1",
    node_id: "node-a",
    lamport_clock: spec.clock,
    project_uuid: "12345678-1234-5678-1234-567812345678",
    correlation_id: ulid(999_999),
    schema_version: "3.0.0",
  });
  if (Either.isLeft(r)) throw new Error(`test envelope ${String(spec.id)} invalid: ${JSON.stringify(r.left)}`);
  return r.right;
};

export const EVIDENCE = {
  repos: [{ repo: "r", branch: "b", commit: "abc1234" }],
  review: { reviewer: "rev", verdict: "approved" },
};

/** A WPStatusChanged payload with sensible defaults. */
export const transition = (
  wp: string,
  from: string | null,
  to: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> => ({
  mission_slug: "m-1",
  wp_id: wp,
  from_lane: from,
  to_lane: to,
  actor: "alice",
  execution_mode: "worktree",
  ...(to === "approved" || to === "done" ? { evidence: EVIDENCE } : {}),
  ...extra,
});
