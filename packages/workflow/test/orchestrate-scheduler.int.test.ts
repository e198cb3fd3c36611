import { tempDirs } from "@spec-kitty/test-support";
import { afterAll, describe, expect, it } from "vitest";
import { memoryStateStore, type OrchestrationState } from "../src/index.ts";
import { lanesNow, startHarness, type Outcome } from "./orchestrate-harness.ts";

/**
 * The scheduler against the real MissionStatus (files, FSM guards, hooks) with agents as functions: the reference's
 * five defects (reference-workflow §2.9 "Defects not to copy"), retries, fallbacks, escalation, review cycles, pause.
 */
const temps = tempDirs("sk-orch-sched-");
afterAll(() => temps.cleanup());

const CHAIN = { WP01: [], WP02: ["WP01"], WP03: ["WP02"] } as const;
const facts = (h: { facts: { eventType: string; payload: Record<string, unknown> }[] }, type: string) => h.facts.filter((f) => f.eventType === type);

describe("the reference's defects, not copied", () => {
  it("#1 approved work packages really move: every completed WP has an approved row with evidence, none is completed without it", async () => {
    const h = await startHarness(temps, { graph: CHAIN });
    const state = await h.control.done;
    expect(state.status).toBe("completed");
    expect(await lanesNow(h)).toEqual({ WP01: "approved", WP02: "approved", WP03: "approved" });
    for (const id of ["WP01", "WP02", "WP03"]) {
      const approved = h.rows.find((r) => r.wp_id === id && r.to_lane === "approved");
      expect(approved?.evidence?.repos?.[0]).toMatchObject({ repo: "repo", branch: `001-harness-${id}`, commit: "c1" });
      expect(approved?.review_result).toMatchObject({ verdict: "approved" });
      expect(state.work_packages[id]?.status).toBe("completed");
    }
  });

  it("#2 a resumed run restarts work packages that were mid-implementation or mid-review, from their lanes, without redoing finished work", async () => {
    // First run: stopped hard while WP02's review hangs (WP01 finished, WP02 implemented and in review).
    const store = memoryStateStore();
    const first = await startHarness(temps, {
      graph: CHAIN,
      store,
      script: (wp, phase) => (wp === "WP02" && phase === "review" ? "hang" : phase === "implementation" ? "ok" : "approve"),
    });
    for (let i = 0; i < 200 && !first.trace.some((t) => t.wpId === "WP02" && t.phase === "review"); i++) await new Promise((r) => setTimeout(r, 10));
    first.control.stop();
    const stopped = await first.control.done;
    expect(stopped.status).toBe("paused");
    expect(stopped.work_packages["WP02"]?.status).toBe("review");
    expect((await lanesNow(first))["WP02"]).toBe("in_review");
    // Resume: same folder, state from the store; WP02 is reviewed again (not failed, not re-implemented), WP03 runs.
    const second = await startHarness(temps, { graph: CHAIN, root: first.root, store, state: store.load() as OrchestrationState });
    const done = await second.control.done;
    expect(done.status).toBe("completed");
    expect(await lanesNow(second)).toEqual({ WP01: "approved", WP02: "approved", WP03: "approved" });
    expect(second.trace.filter((t) => t.kind === "start").map((t) => `${t.wpId}:${t.phase}`)).toEqual(["WP02:review", "WP03:implementation", "WP03:review"]);
    expect(done.work_packages["WP02"]?.implementations_completed).toBe(1);
    // No lane was moved twice: WP02's second run starts from in_review (no second for_review -> in_review).
    expect(second.rows.filter((r) => r.wp_id === "WP02").map((r) => r.to_lane)).toEqual(["approved"]);
  });

  it("#3 single-agent mode reviews with the same agent instead of crashing", async () => {
    const h = await startHarness(temps, { graph: CHAIN, agents: { solo: {} }, extraConfig: "single_agent_mode:\n  enabled: true\n  agent: solo" });
    const state = await h.control.done;
    expect(state.status).toBe("completed");
    expect(h.rows.filter((r) => r.to_lane === "approved").map((r) => r.actor)).toEqual(["solo", "solo", "solo"]);
    expect(facts(h, "WPAssigned").map((f) => `${f.payload["phase"]}:${f.payload["agent_id"]}`)).toEqual(Array(3).fill(["implementation:solo", "review:solo"]).flat());
  });

  it("#4 an escalation leaves the run paused (not completed), counted once, and resumable", async () => {
    const store = memoryStateStore();
    const h = await startHarness(temps, { graph: { WP01: [], WP02: [], WP03: ["WP02"] }, store, script: (wp, phase) => (wp === "WP02" && phase === "implementation" ? "fail" : phase === "implementation" ? "ok" : "approve") });
    const state = await h.control.done;
    expect(state.status).toBe("paused");
    expect(state.wps_failed).toBe(1);
    expect(state.wps_completed).toBe(1);
    expect(state.work_packages["WP02"]?.escalation?.actions.join(" ")).toMatch(/--resume.*--skip WP02.*--abort/);
    expect(state.work_packages["WP03"]?.status).toBe("pending");
    expect(facts(h, "MissionClosed")).toHaveLength(0);
    expect(store.load()?.status).toBe("paused");
  });

  it("#5 a rejection goes back to in_progress with the review result the guard needs, and lanes and state agree", async () => {
    const h = await startHarness(temps, { graph: { WP01: [] }, script: (_wp, phase, n) => (phase === "review" ? (n === 0 ? "reject" : "approve") : "ok") });
    const state = await h.control.done;
    expect(state.status).toBe("completed");
    const back = h.rows.find((r) => r.from_lane === "in_review" && r.to_lane === "in_progress");
    expect(back?.review_result).toMatchObject({ verdict: "rejected", reference: "feedback://001-harness/WP01/review-1" });
    expect(back?.review_ref).toBe("feedback://001-harness/WP01/review-1");
    expect(h.rows.map((r) => r.to_lane)).toEqual(["claimed", "in_progress", "for_review", "in_review", "in_progress", "for_review", "in_review", "approved"]);
    expect(state.work_packages["WP01"]).toMatchObject({ status: "completed", review_cycles: 1, implementations_completed: 2 });
  });
});

describe("retries, fallbacks, escalation, review cycles", () => {
  const run = async (script: (wp: string, phase: string, n: number, agent: string) => Outcome, extra: Parameters<typeof startHarness>[1] = { graph: { WP01: [] } }) => {
    const h = await startHarness(temps, { ...extra, script });
    return { h, state: await h.control.done };
  };

  it("a rate limit is retried with the same agent; the retry is counted separately from review cycles", async () => {
    const { h, state } = await run((_wp, phase, n) => (phase === "implementation" ? (n === 0 ? "ratelimit" : "ok") : "approve"));
    expect(state.status).toBe("completed");
    expect(h.trace.filter((t) => t.kind === "start" && t.phase === "implementation").map((t) => t.agent)).toEqual(["alpha", "alpha"]);
    expect(state.work_packages["WP01"]).toMatchObject({ review_cycles: 0, implementation: { retries: 1 } });
  });

  it("auth is not retried: the next agent takes over and WPAssigned counts the fallback", async () => {
    const { h, state } = await run((_wp, phase, _n, agent) => (phase === "implementation" ? (agent === "alpha" ? "auth" : "ok") : "approve"));
    expect(state.status).toBe("completed");
    expect(h.trace.filter((t) => t.kind === "start" && t.phase === "implementation").map((t) => t.agent)).toEqual(["alpha", "beta"]);
    expect(facts(h, "WPAssigned").filter((f) => f.payload["phase"] === "implementation").map((f) => [f.payload["agent_id"], f.payload["retry_count"]])).toEqual([
      ["alpha", 0],
      ["beta", 1],
    ]);
    expect(h.changes.find((c) => c.event === "agent_failed")).toMatchObject({ failure_class: "auth" });
  });

  it("timeouts are classified and retried, then the fallback, then escalation with what to do", async () => {
    const { h, state } = await run((_wp, phase) => (phase === "implementation" ? "timeout" : "approve"));
    expect(state.status).toBe("paused");
    // alpha: 1 + max_retries(1); beta: 1 + 1.
    expect(h.trace.filter((t) => t.kind === "start").map((t) => t.agent)).toEqual(["alpha", "alpha", "beta", "beta"]);
    expect(state.work_packages["WP01"]).toMatchObject({ status: "failed", failure_class: "timeout", fallback_agents_tried: ["alpha"] });
    expect(facts(h, "WPAssigned").map((f) => f.payload["retry_count"])).toEqual([0, 2]);
  });

  it("an agent that exits 0 without committing has not implemented anything", async () => {
    const { state } = await run((_wp, phase) => (phase === "implementation" ? "noop" : "approve"), { graph: { WP01: [] }, extraConfig: "fallback_strategy: fail" });
    expect(state.work_packages["WP01"]?.last_error).toMatch(/committed nothing/);
    expect(state.status).toBe("paused");
  });

  it("approval-sounding words without a VERDICT line are not an approval", async () => {
    const { h, state } = await run((_wp, phase) => (phase === "implementation" ? "ok" : "chatty"));
    expect(state.status).toBe("paused");
    expect(await lanesNow(h)).toEqual({ WP01: "in_review" });
    expect(state.work_packages["WP01"]?.last_error).toMatch(/no 'VERDICT: approved'/);
  });

  it("the reviewer is a different agent than the implementer when one is configured", async () => {
    const { h } = await run((_w, p) => (p === "review" ? "approve" : "ok"), { graph: { WP01: [], WP02: [] }, implementation: ["alpha"], review: ["alpha", "beta"] });
    expect(h.rows.filter((r) => r.to_lane === "approved").map((r) => r.actor)).toEqual(["beta", "beta"]);
  });

  it("max_review_cycles rejections escalate; the lane is back in_progress with the last feedback kept", async () => {
    const { h, state } = await run((_wp, phase) => (phase === "review" ? "reject" : "ok"), { graph: { WP01: [] }, extraConfig: "max_review_cycles: 2" });
    expect(state.status).toBe("paused");
    expect(state.work_packages["WP01"]).toMatchObject({ status: "failed", review_cycles: 2, implementations_completed: 2, implementation: { retries: 0 } });
    expect(state.work_packages["WP01"]?.review.feedback).toMatch(/needs work on WP01/);
    expect(await lanesNow(h)).toEqual({ WP01: "in_progress" });
  });

  it("pause starts nothing new and ends paused; a resume finishes without repeating finished work", async () => {
    const store = memoryStateStore();
    const graph = { WP01: [], WP02: ["WP01"], WP03: ["WP01"] };
    const h = await startHarness(temps, { graph, store, delayMs: () => 20 });
    for (let i = 0; i < 200 && !h.trace.some((t) => t.wpId === "WP01" && t.phase === "review"); i++) await new Promise((r) => setTimeout(r, 5));
    h.control.pause();
    const paused = await h.control.done;
    expect(paused.status).toBe("paused");
    expect(h.trace.some((t) => t.wpId !== "WP01")).toBe(false);
    const again = await startHarness(temps, { graph, root: h.root, store, state: store.load() as OrchestrationState });
    const done = await again.control.done;
    expect(done.status).toBe("completed");
    expect(again.trace.filter((t) => t.kind === "start" && t.wpId === "WP01")).toHaveLength(0);
    expect(facts(again, "MissionClosed")).toHaveLength(1);
  });

  it("DependencyResolved once per direct dependent of each completed WP; MissionClosed only when all completed", async () => {
    const h = await startHarness(temps, { graph: { WP01: [], WP02: ["WP01"], WP03: ["WP01", "WP02"] } });
    await h.control.done;
    expect(facts(h, "DependencyResolved").map((f) => `${f.payload["wp_id"]}<-${f.payload["dependency_wp_id"]}:${f.payload["resolution_type"]}`)).toEqual([
      "WP02<-WP01:completed",
      "WP03<-WP01:completed",
      "WP03<-WP02:completed",
    ]);
    expect(facts(h, "MissionClosed")).toEqual([expect.objectContaining({ payload: { mission_slug: "001-harness", mission_number: 1, mission_type: "software-dev" } })]);
  });
});
