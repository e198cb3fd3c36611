import * as Either from "effect/Either";
import { describe, expect, it } from "vitest";
import { compareEvents, decodeEvent, sortAndDedup, type Event } from "../src/core/index.ts";

const ev = (event_id: string, lamport_clock: number, timestamp: string, tag = ""): Event =>
  Either.getOrThrow(
    decodeEvent({
      event_id,
      event_type: "T",
      aggregate_id: "a",
      payload: { tag },
      timestamp,
      build_id: "b",
      node_id: "n",
      lamport_clock,
      project_uuid: "a1b2c3d4-e5f6-7890-abcd-ef1234567890",
      correlation_id: "01HV5Z3X9GQK8F7R2M4N6P8S0T",
    }),
  );

const A = "01AAAAAAAAAAAAAAAAAAAAAAAA";
const B = "01BBBBBBBBBBBBBBBBBBBBBBBB";
const C = "01CCCCCCCCCCCCCCCCCCCCCCCC";

describe("ordering and dedup", () => {
  it("orders by lamport clock first", () => {
    const xs = [ev(A, 3, "2026-01-01T00:00:00Z"), ev(B, 1, "2026-01-02T00:00:00Z"), ev(C, 2, "2026-01-01T00:00:00Z")];
    expect(sortAndDedup(xs).map((e) => e.event_id)).toEqual([B, C, A]);
  });

  it("then by the isoformat text, lexically across offsets (not chronologically)", () => {
    // 10:00+02:00 is 08:00 UTC, chronologically earlier than 09:00Z, but its text sorts after "09:00:00+00:00"
    const later = ev(A, 1, "2026-01-01T10:00:00+02:00");
    const earlier = ev(B, 1, "2026-01-01T09:00:00Z");
    expect(sortAndDedup([later, earlier]).map((e) => e.event_id)).toEqual([B, A]);
    // "+00:00" sorts before ".5..." because '+' < '.'
    const whole = ev(B, 1, "2026-01-01T09:00:00Z");
    const frac = ev(A, 1, "2026-01-01T09:00:00.5Z");
    expect(sortAndDedup([frac, whole]).map((e) => e.event_id)).toEqual([B, A]);
    // naive text is a prefix of the offset form, so it sorts first
    const naive = ev(C, 1, "2026-01-01T09:00:00");
    expect(sortAndDedup([whole, naive]).map((e) => e.event_id)).toEqual([C, B]);
  });

  it("then by canonical event id", () => {
    const lowerUlid = ev("01cccccccccccccccccccccccc", 1, "2026-01-01T00:00:00Z");
    const upper = ev(B, 1, "2026-01-01T00:00:00Z");
    expect(compareEvents(lowerUlid, upper)).toBe(1);
    expect(sortAndDedup([lowerUlid, upper]).map((e) => e.event_id)).toEqual([B, C]);
  });

  it("dedups on the canonical id, keeping the first after sorting", () => {
    const bare = ev("550e8400e29b41d4a716446655440000", 2, "2026-01-01T00:00:00Z", "bare");
    const hyph = ev("550E8400-E29B-41D4-A716-446655440000", 1, "2026-01-01T00:00:00Z", "hyph");
    const out = sortAndDedup([bare, hyph]);
    expect(out).toHaveLength(1);
    expect(out[0]?.payload["tag"]).toBe("hyph");
  });

  it("is stable: full ties keep input order, so the first duplicate in input wins", () => {
    const first = ev(A, 1, "2026-01-01T00:00:00Z", "first");
    const second = ev(A.toLowerCase(), 1, "2026-01-01T00:00:00+00:00", "second");
    expect(compareEvents(first, second)).toBe(0);
    expect(sortAndDedup([first, second]).map((e) => e.payload["tag"])).toEqual(["first"]);
    expect(sortAndDedup([second, first]).map((e) => e.payload["tag"])).toEqual(["second"]);
  });

  it("does not mutate its input", () => {
    const xs = [ev(B, 2, "2026-01-01T00:00:00Z"), ev(A, 1, "2026-01-01T00:00:00Z")];
    const copy = xs.slice();
    sortAndDedup(xs);
    expect(xs).toEqual(copy);
  });
});
