import { describe, expect, it } from "vitest";
import { reduceRows } from "../src/reduce/index.ts";
import { annotation, at, transition } from "./support/rows.ts";

const ZERO = { approved: 0, blocked: 0, canceled: 0, claimed: 0, done: 0, for_review: 0, in_progress: 0, in_review: 0, planned: 0 };

describe("reduce: transitions", () => {
  it("reduces an empty log to the empty snapshot", () => {
    expect(reduceRows([], [])).toEqual({ mission_slug: "", materialized_at: "", event_count: 0, last_event_id: null, work_packages: {}, summary: ZERO });
  });

  it("keeps the first of duplicated event ids and orders by (at, event_id), not file order", () => {
    const a = transition({ wp_id: "WP01", from_lane: "genesis", to_lane: "planned", at: at(1) });
    const b = transition({ wp_id: "WP01", from_lane: "planned", to_lane: "claimed", at: at(3) });
    const c = transition({ wp_id: "WP01", from_lane: "claimed", to_lane: "in_progress", at: at(2) });
    const dup = { ...b, to_lane: "blocked" as const };
    const snap = reduceRows([b, dup, a, c]);
    expect(snap.event_count).toBe(3);
    expect(snap.work_packages["WP01"]).toEqual({
      lane: "claimed", actor: "tester", last_transition_at: at(3), last_event_id: b.event_id, force_count: 0,
    });
    expect(snap.materialized_at).toBe(at(3));
    expect(snap.last_event_id).toBe(b.event_id);
    expect(snap.summary).toEqual({ ...ZERO, claimed: 1 });
  });

  it("breaks equal timestamps by event id", () => {
    const first = transition({ wp_id: "WP01", from_lane: "planned", to_lane: "claimed", at: at(5) });
    const second = transition({ wp_id: "WP01", from_lane: "claimed", to_lane: "blocked", at: at(5) });
    expect(reduceRows([second, first]).work_packages["WP01"]?.lane).toBe("blocked");
  });

  it("lets a same-timestamp rollback win over a forward move, in either order", () => {
    const forward = transition({ wp_id: "WP01", from_lane: "in_review", to_lane: "approved", at: at(7) });
    const rollback = transition({ wp_id: "WP01", from_lane: "in_review", to_lane: "in_progress", at: at(7) });
    // forward sorts after rollback here (ids increase), yet must not override it
    expect(reduceRows([rollback, forward]).work_packages["WP01"]?.lane).toBe("in_progress");
    const forward2 = transition({ wp_id: "WP02", from_lane: "for_review", to_lane: "in_review", at: at(8) });
    const legacyRollback = transition({ wp_id: "WP02", from_lane: "for_review", to_lane: "in_progress", at: at(8), review_ref: "feedback://1" });
    expect(reduceRows([forward2, legacyRollback]).work_packages["WP02"]?.lane).toBe("in_progress");
    // without a review ref the legacy for_review -> in_progress is a plain forward move: later id wins
    const plain = transition({ wp_id: "WP03", from_lane: "for_review", to_lane: "in_progress", at: at(9) });
    const later = transition({ wp_id: "WP03", from_lane: "for_review", to_lane: "in_review", at: at(9) });
    expect(reduceRows([plain, later]).work_packages["WP03"]?.lane).toBe("in_review");
  });

  it("counts forced moves and shows a structured actor by its tool, else its role", () => {
    const a = transition({ wp_id: "WP01", from_lane: "planned", to_lane: "planned", at: at(1), force: true, actor: { role: "implementer", profile: null, tool: "claude", model: null } });
    const b = transition({ wp_id: "WP01", from_lane: "planned", to_lane: "done", at: at(2), force: true, actor: { role: "merger", profile: null, tool: null, model: null } });
    expect(reduceRows([a]).work_packages["WP01"]).toMatchObject({ actor: "claude", force_count: 1 });
    expect(reduceRows([a, b]).work_packages["WP01"]).toMatchObject({ actor: "merger", force_count: 2, lane: "done" });
  });

  it("folds the claim's policy metadata into runtime slots and carries slots across later moves", () => {
    const claim = transition({
      wp_id: "WP01", from_lane: "planned", to_lane: "claimed", at: at(1),
      policy_metadata: { shell_pid: 4242, shell_pid_created_at: "2026-06-01T09:00:00Z", agent: "claude" },
    });
    const start = transition({ wp_id: "WP01", from_lane: "claimed", to_lane: "in_progress", at: at(2), policy_metadata: { shell_pid: 1 } });
    const state = reduceRows([claim, start]).work_packages["WP01"];
    expect(state).toEqual({
      lane: "in_progress", actor: "tester", last_transition_at: at(2), last_event_id: start.event_id, force_count: 0,
      shell_pid: 4242, shell_pid_created_at: "2026-06-01T09:00:00Z", agent: "claude",
    });
    const emptyAgent = transition({ wp_id: "WP02", from_lane: "planned", to_lane: "claimed", at: at(1), policy_metadata: { agent: "" } });
    expect(reduceRows([emptyAgent]).work_packages["WP02"]).not.toHaveProperty("agent");
  });

  it("keeps review_result sticky, replaces it when a move carries one, and nulls it on leaving review without one", () => {
    const result = { reviewer: "r", verdict: "changes_requested", reference: "feedback://1" };
    const back = transition({ wp_id: "WP01", from_lane: "in_review", to_lane: "in_progress", at: at(1), review_result: result });
    const again = transition({ wp_id: "WP01", from_lane: "in_progress", to_lane: "for_review", at: at(2) });
    const claimed = transition({ wp_id: "WP01", from_lane: "for_review", to_lane: "in_review", at: at(3) });
    const forcedOut = transition({ wp_id: "WP01", from_lane: "in_review", to_lane: "done", at: at(4), force: true });
    expect(reduceRows([back, again]).work_packages["WP01"]?.review_result).toEqual(result);
    expect(reduceRows([back, again, claimed, forcedOut]).work_packages["WP01"]?.review_result).toBeNull();
    expect(reduceRows([again]).work_packages["WP01"]).not.toHaveProperty("review_result");
  });

  it("sanitises an unsafe slug from the first row to an empty string", () => {
    const row = transition({ wp_id: "WP01", from_lane: "genesis", to_lane: "planned", at: at(1), mission_slug: "../../etc" });
    expect(reduceRows([row]).mission_slug).toBe("");
  });
});

describe("reduce: annotations", () => {
  it("folds after every transition, whatever the timestamps, without touching lane markers or force_count", () => {
    const early = annotation("WP01", at(0), { agent: "from-annotation" });
    const claim = transition({ wp_id: "WP01", from_lane: "planned", to_lane: "claimed", at: at(5), policy_metadata: { agent: "from-claim" } });
    const snap = reduceRows([claim], [early]);
    expect(snap.work_packages["WP01"]).toMatchObject({ agent: "from-annotation", last_event_id: claim.event_id, force_count: 0 });
    expect(snap.event_count).toBe(1);
    expect(snap.last_event_id).toBe(claim.event_id);
  });

  it("merges subtasks, appends notes, unions tracker refs, and lets replace win", () => {
    const rows = [
      annotation("WP01", at(1), { subtasks: { T001: "planned", T002: "planned" }, note: "one", tracker_refs: ["#1", "#2"] }),
      annotation("WP01", at(2), { subtasks: { T002: "done" }, note: "two", tracker_refs: ["#2", "#3"] }),
    ];
    const base = transition({ wp_id: "WP01", from_lane: "genesis", to_lane: "planned", at: at(0) });
    expect(reduceRows([base], rows).work_packages["WP01"]).toMatchObject({
      subtasks: { T001: "planned", T002: "done" }, notes: ["one", "two"], tracker_refs: ["#1", "#2", "#3"],
    });
    const replaced = [...rows, annotation("WP01", at(3), { tracker_refs: ["#9"], tracker_refs_replace: ["#4", "#4", "#5"] })];
    expect(reduceRows([base], replaced).work_packages["WP01"]?.tracker_refs).toEqual(["#4", "#5"]);
  });

  it("orders annotations by (at, event_id): the later value wins regardless of file order", () => {
    const later = annotation("WP01", at(9), { model: "new" });
    const earlier = annotation("WP01", at(1), { model: "old", role: "implementer" });
    expect(reduceRows([], [later, earlier]).work_packages["WP01"]).toMatchObject({ model: "new", role: "implementer" });
  });

  it("never clobbers a slot with a blank string", () => {
    const rows = [annotation("WP01", at(1), { agent: "claude", assignee: "ann" }), annotation("WP01", at(2), { agent: "", assignee: "  ", note: "" })];
    const state = reduceRows([], rows).work_packages["WP01"];
    expect(state).toMatchObject({ agent: "claude", assignee: "ann" });
    expect(state).not.toHaveProperty("notes");
  });

  it("adds runtime slots in one fixed order, whatever order a delta lists its fields in", () => {
    const listed = (delta: Record<string, unknown>) =>
      Object.keys(reduceRows([], [annotation("WP01", at(1), delta)]).work_packages["WP01"] ?? {});
    const expected = ["lane", "actor", "last_transition_at", "last_event_id", "force_count", "shell_pid", "agent", "provider", "notes"];
    expect(listed({ provider: "p", agent: "x", shell_pid: 3, note: "n" })).toEqual(expected);
    expect(listed({ note: "n", shell_pid: 3, agent: "x", provider: "p" })).toEqual(expected);
  });

  it("releases a runtime claim before applying the rest of the delta", () => {
    const claim = transition({ wp_id: "WP01", from_lane: "planned", to_lane: "claimed", at: at(1), policy_metadata: { shell_pid: 7, agent: "a" } });
    const release = annotation("WP01", at(2), { release_runtime_claim: true, agent: "b" });
    const state = reduceRows([claim], [release]).work_packages["WP01"];
    expect(state).toMatchObject({ agent: "b" });
    expect(state).not.toHaveProperty("shell_pid");
  });

  it("replaces the review slot, and clears it to null on the all-empty sentinel", () => {
    const review = { at: at(1), actor: "rev", wp_id: "WP01", reason: "looks good" };
    const set = annotation("WP01", at(1), { review });
    expect(reduceRows([], [set]).work_packages["WP01"]?.review).toEqual(review);
    const cleared = annotation("WP01", at(2), { review: { at: "", actor: null, wp_id: "", reason: null } });
    expect(reduceRows([], [set, cleared]).work_packages["WP01"]?.review).toBeNull();
  });

  it("gives an annotation-only work package the uninitialized lane, outside the summary", () => {
    const snap = reduceRows([], [annotation("WP07", at(1), { shell_pid: 9 }, "runner")]);
    expect(snap.work_packages["WP07"]).toEqual({
      lane: "uninitialized", actor: "runner", last_transition_at: null, last_event_id: null, force_count: 0, shell_pid: 9,
    });
    expect(snap.summary).toEqual(ZERO);
    expect(snap.event_count).toBe(0);
  });
});
