import { assert, describe, it } from "@effect/vitest";
import { EMPTY_REDUCED_STATUS, encodeReducedStatus, reduceStatusEvents } from "../src/index.ts";
import { EVIDENCE, makeEvent, transition, ulid } from "./status.events-helpers.ts";

const wp = (id: number, clock: number, from: string | null, to: string, extra: Record<string, unknown> = {}) =>
  makeEvent({ id, type: "WPStatusChanged", clock, payload: transition("WP01", from, to, extra) });

// planned -> claimed -> in_progress -> for_review at clocks 1..4
const toForReview = [
  wp(1, 1, null, "planned"),
  wp(2, 2, "planned", "claimed"),
  wp(3, 3, "claimed", "in_progress"),
  wp(4, 4, "in_progress", "for_review"),
];

describe("reduceStatusEvents", () => {
  it("returns the empty state for no status events", () => {
    assert.deepStrictEqual(reduceStatusEvents([]), EMPTY_REDUCED_STATUS);
    assert.deepStrictEqual(
      reduceStatusEvents([makeEvent({ id: 1, type: "MissionStarted", clock: 1, payload: {} })]),
      EMPTY_REDUCED_STATUS,
    );
  });

  it("a same-clock reviewer rollback beats a concurrent advance, in either input order", () => {
    const done = wp(5, 5, "for_review", "done");
    const back = wp(6, 5, "for_review", "in_progress", { review_ref: "rr-1" });
    for (const events of [[...toForReview, done, back], [...toForReview, back, done]]) {
      const s = reduceStatusEvents(events);
      assert.strictEqual(s.wp_states["WP01"]?.current_lane, "in_progress");
      assert.strictEqual(s.wp_states["WP01"]?.last_event_id, ulid(6));
      assert.deepStrictEqual(s.anomalies, []);
      assert.strictEqual(s.event_count, 6);
    }
  });

  it("a late forced bootstrap never regresses an initialised work package", () => {
    const s = reduceStatusEvents([
      ...toForReview,
      wp(5, 5, "for_review", "done"),
      wp(6, 6, null, "planned", { force: true, reason: "seed" }),
    ]);
    assert.strictEqual(s.wp_states["WP01"]?.current_lane, "done");
    assert.deepStrictEqual(s.anomalies.map((a) => a.reason), ["bootstrap planned ignored: WP already initialized at done"]);
  });

  it("an unforced genesis -> planned on an unknown WP is a from_lane mismatch (implicit start is None)", () => {
    const s = reduceStatusEvents([wp(1, 1, "genesis", "planned")]);
    assert.deepStrictEqual(s.wp_states, {});
    assert.deepStrictEqual(encodeReducedStatus(s), {
      wp_states: {},
      anomalies: [
        {
          event_id: ulid(1),
          wp_id: "WP01",
          from_lane: "genesis",
          to_lane: "planned",
          reason: "from_lane mismatch: expected None, got genesis",
        },
      ],
      event_count: 1,
      last_processed_event_id: ulid(1),
    });
  });

  it("a forced event bypasses the from_lane check", () => {
    const s = reduceStatusEvents([...toForReview, wp(5, 5, "planned", "in_progress", { force: true, reason: "redo" })]);
    assert.strictEqual(s.wp_states["WP01"]?.current_lane, "in_progress");
    assert.deepStrictEqual(s.anomalies, []);
  });

  it("reports parse failures first, with the raw wp_id and lanes where readable", () => {
    const s = reduceStatusEvents([
      wp(1, 1, null, "claimed"),
      makeEvent({ id: 2, type: "WPStatusChanged", clock: 2, payload: { wp_id: "", from_lane: "doing", to_lane: "bogus" } }),
    ]);
    assert.strictEqual(s.anomalies.length, 2);
    const [parse, matrix] = s.anomalies;
    assert.strictEqual(parse?.event_id, ulid(2));
    assert.strictEqual(parse?.wp_id, "<unknown>");
    assert.strictEqual(parse?.from_lane, "in_progress");
    assert.strictEqual(parse?.to_lane, null);
    assert.isTrue(parse?.reason.startsWith("payload validation failed:"));
    assert.strictEqual(matrix?.reason, "Transition None -> claimed is not allowed");
  });

  it("keeps evidence for done only and renders the transition time as the reference dumps it", () => {
    const approved = makeEvent({
      id: 5,
      type: "WPStatusChanged",
      clock: 5,
      timestamp: "2026-03-01T02:00:05.120+02:00",
      payload: transition("WP01", "for_review", "approved"),
    });
    const s1 = encodeReducedStatus(reduceStatusEvents([...toForReview, approved])) as {
      wp_states: Record<string, { evidence: unknown; last_transition_at: string }>;
    };
    assert.strictEqual(s1.wp_states["WP01"]?.evidence, null);
    assert.strictEqual(s1.wp_states["WP01"]?.last_transition_at, "2026-03-01T02:00:05.120000+02:00");
    const s2 = encodeReducedStatus(reduceStatusEvents([...toForReview, wp(5, 5, "for_review", "done")])) as {
      wp_states: Record<string, { evidence: { repos: ReadonlyArray<{ repo: string }> } | null }>;
    };
    assert.strictEqual(s2.wp_states["WP01"]?.evidence?.repos[0]?.repo, EVIDENCE.repos[0]?.repo);
  });
});
