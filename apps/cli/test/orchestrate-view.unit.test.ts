import { describe, expect, it } from "vitest";
import { newWpRecord, type OrchestrationState } from "@spec-kitty/workflow";
import { progressLine, progressView, tableLines } from "../src/commands/orchestrate-run.ts";

const state = (): OrchestrationState => {
  const wp1 = { ...newWpRecord("WP01"), status: "completed" as const };
  wp1.review.agent = "beta";
  const wp2 = { ...newWpRecord("WP02"), status: "implementation" as const };
  wp2.implementation = { agent: "alpha", started: "2026-12-04T10:00:00.000Z", completed: null, exit_code: null, retries: 0 };
  const wp3 = { ...newWpRecord("WP03"), status: "failed" as const, escalation: { reason: "implementation of WP03 failed (auth)", actions: [] } };
  return {
    version: 1,
    run_id: "R",
    correlation_id: "C",
    mission_slug: "001-x",
    mission_dir: "001-x",
    started_at: "2026-12-04T09:59:00.000Z",
    completed_at: null,
    status: "running",
    pid: 1,
    concurrency_limit: 2,
    impl_agent: null,
    review_agent: null,
    merge: false,
    wps_total: 3,
    wps_completed: 1,
    wps_failed: 1,
    parallel_peak: 2,
    total_agent_invocations: 3,
    total_duration_seconds: null,
    mission_closed_emitted: false,
    dependencies_resolved: [],
    events: [],
    work_packages: { WP01: wp1, WP02: wp2, WP03: wp3 },
  };
};

describe("orchestrate progress", () => {
  it("the table shows WP, status, agent, elapsed and the escalation", () => {
    const lines = tableLines(state(), Date.parse("2026-12-04T10:01:05.000Z"));
    expect(lines[0]).toBe("orchestrate 001-x: 1/3 completed, 1 failed, running (elapsed 2m05s)");
    expect(lines[1]).toMatch(/^WP\s+STATUS\s+AGENT\s+ELAPSED\s+NOTE$/);
    expect(lines[2]).toMatch(/^WP01\s+completed\s+beta$/);
    expect(lines[3]).toMatch(/^WP02\s+implementation\s+alpha\s+1m05s$/);
    expect(lines[4]).toMatch(/^WP03\s+failed\s+implementation of WP03 failed \(auth\)$/);
  });

  it("on a terminal the table is redrawn in place; piped, one line per change; --json, one object per change", () => {
    const change = { event: "wp_assigned", at: "2026-12-04T10:00:00.000Z", wp_id: "WP02", phase: "implementation", agent: "alpha", retry_count: 1 };
    const out = (isTTY: boolean, json: boolean) => {
      const written: string[] = [];
      const view = progressView({ stdout: (t) => void written.push(t), isTTY }, json);
      view.change(change, state());
      view.change({ ...change, event: "wp_completed" }, state());
      view.tick();
      return written;
    };
    const tty = out(true, false);
    expect(tty).toHaveLength(3);
    expect(tty[0]?.startsWith("orchestrate 001-x")).toBe(true);
    // Each later frame first moves up over the previous one (5 lines) and clears it.
    expect(tty[1]?.startsWith("\x1b[5F\x1b[J")).toBe(true);
    expect(tty[2]?.startsWith("\x1b[5F\x1b[J")).toBe(true);
    expect(out(false, false)).toEqual(["10:00:00 WP02 implementation assigned to alpha (retry count 1)\n", "10:00:00 WP02 completed\n"]);
    expect(out(false, true).map((l) => JSON.parse(l))).toEqual([change, { ...change, event: "wp_completed" }]);
    expect(progressLine({ event: "agent_failed", at: "2026-12-04T10:00:00.000Z", wp_id: "WP03", agent: "alpha", failure_class: "auth", message: "401" })).toBe(
      "10:00:00 WP03 alpha failed (auth): 401",
    );
  });
});
