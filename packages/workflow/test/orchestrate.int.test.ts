import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { git, tempDirs } from "@spec-kitty/test-support";
import { afterAll, describe, expect, it } from "vitest";
import { abortOrchestration, orchestrationStatus, prepareOrchestration, recordingEmitter, skipWorkPackage } from "../src/index.ts";
import { DIAMOND, fakeEnv, gitLog, invocations, lanesOf, logRows, MISSION_DIR, missionRepo, runOrchestration, writeAgents } from "./orchestrate-helpers.ts";

const temps = tempDirs("sk-orch-int-");
afterAll(() => temps.cleanup());

describe("orchestrate in a real repository with fake agent processes", () => {
  it("runs a diamond of six at parallelism 3: lanes, commits, state, logs and events", async () => {
    const root = missionRepo(temps, DIAMOND);
    const fake = temps.make("sk-fake-");
    writeAgents(root, { alpha: { impl: "succeed", review: "approve" }, beta: { impl: "succeed", review: "approve" } }, { implementation: ["alpha"], review: ["beta", "alpha"] });
    const rejectOnce = ["reject", "approve"];
    const { state, facts, statusRows } = await runOrchestration(root, { maxParallel: 3, env: fakeEnv(fake, { "WP03:review": rejectOnce, "WP06:review": rejectOnce }) });

    expect(state.status).toBe("completed");
    expect(Object.values(state.work_packages).map((w) => w.status)).toEqual(Array(6).fill("completed"));
    expect(lanesOf(root)).toEqual(Object.fromEntries(Object.keys(DIAMOND).map((id) => [id, "approved"])));
    expect(state.parallel_peak).toBeGreaterThanOrEqual(2);
    expect(state.parallel_peak).toBeLessThanOrEqual(3);

    // Dependencies: nobody started before its dependencies were approved.
    const calls = invocations(fake);
    const approvedAt = new Map<string, number>();
    for (const c of calls) if (c.phase === "review") approvedAt.set(c.wp, Math.max(approvedAt.get(c.wp) ?? 0, c.ended));
    for (const c of calls.filter((x) => x.phase === "implementation")) {
      for (const dep of DIAMOND[c.wp] ?? []) expect(c.started).toBeGreaterThanOrEqual(approvedAt.get(dep) ?? Infinity);
    }
    // WP03 and WP06 were rejected once: two implementations, the second with the feedback in its prompt.
    const rejected = ["WP03", "WP06"];
    for (const id of Object.keys(DIAMOND)) {
      const impls = calls.filter((c) => c.wp === id && c.phase === "implementation");
      expect(impls).toHaveLength(rejected.includes(id) ? 2 : 1);
      expect(impls[0]).toMatchObject({ rework: false });
      if (rejected.includes(id)) expect(impls[1]).toMatchObject({ rework: true, feedback: true });
      expect(state.work_packages[id]?.review_cycles).toBe(rejected.includes(id) ? 1 : 0);
      expect(state.work_packages[id]?.review.agent).toBe("beta");
    }
    // The lane history of a rejected WP, with the review_result on the way back and evidence on approval.
    const wp03 = logRows(root).filter((r) => r.wp_id === "WP03");
    expect(wp03.map((r) => r.to_lane)).toEqual(["planned", "claimed", "in_progress", "for_review", "in_review", "in_progress", "for_review", "in_review", "approved"]);
    expect(wp03[5]?.review_result).toMatchObject({ reviewer: "beta", verdict: "rejected" });
    expect(wp03[8]?.evidence).toMatchObject({ review: { reviewer: "beta", verdict: "approved" }, repos: [{ branch: `${MISSION_DIR}-WP03` }] });
    // Commits: each WP branch holds its implementations; the diamond's sinks contain their dependencies' work.
    expect(gitLog(root, `${MISSION_DIR}-WP03`).filter((s) => s.startsWith("WP03:"))).toEqual(["WP03: implementation 2", "WP03: implementation 1"]);
    const wp06Files = readdirSync(join(root, ".worktrees", `${MISSION_DIR}-WP06`));
    for (const id of Object.keys(DIAMOND)) expect(wp06Files).toContain(`impl-${id}.txt`);
    // The lane changes were committed on main, one commit per persisted transition batch.
    expect(gitLog(root, "main").filter((s) => s.startsWith("chore(spec-kitty): status transition WP")).length).toBe(6 * 4 + 2 * 3);

    // State file on disk, with its previous copy.
    const saved = JSON.parse(readFileSync(join(root, ".kittify", "orchestration-state.json"), "utf8"));
    expect(saved).toMatchObject({ status: "completed", wps_completed: 6, wps_failed: 0, mission_closed_emitted: true });
    expect(existsSync(join(root, ".kittify", "orchestration-state.json.bak"))).toBe(true);
    // One log per invocation, named WPnn-<phase>-<stamp>.log, holding the agent's output.
    const logs = readdirSync(join(root, ".kittify", "logs")).filter((f) => f.endsWith(".log"));
    expect(logs).toHaveLength(calls.length);
    for (const f of logs) expect(f).toMatch(/^WP0\d-(implementation|review)-\d{8}-\d{6}-\d{3}\.log$/);
    const reviewLog = logs.find((f) => f.startsWith("WP03-review"));
    expect(readFileSync(join(root, ".kittify", "logs", reviewLog ?? ""), "utf8")).toMatch(/VERDICT: (rejected|approved)/);

    // Events: WPAssigned per assignment, DependencyResolved per direct dependent, MissionClosed once; lanes via the hook.
    const byType = (t: string) => facts.filter((f) => f.eventType === t);
    expect(byType("WPAssigned").filter((f) => f.payload["phase"] === "implementation")).toHaveLength(8);
    expect(byType("WPAssigned").filter((f) => f.payload["phase"] === "review")).toHaveLength(8);
    expect(byType("WPAssigned").every((f) => f.payload["retry_count"] === 0)).toBe(true);
    expect(byType("DependencyResolved").map((f) => `${f.payload["wp_id"]}<-${f.payload["dependency_wp_id"]}`).sort()).toEqual(
      ["WP02<-WP01", "WP03<-WP01", "WP04<-WP01", "WP05<-WP02", "WP05<-WP03", "WP06<-WP04", "WP06<-WP05"].sort(),
    );
    expect(byType("MissionClosed")).toEqual([expect.objectContaining({ payload: { mission_slug: MISSION_DIR, mission_number: 1, mission_type: "software-dev" } })]);
    // Every persisted transition reached the post-commit hook exactly once.
    const persisted = logRows(root).filter((r) => r.from_lane !== "genesis");
    expect(statusRows.map((r) => `${r.wp_id}:${r.from_lane}>${r.to_lane}`).sort()).toEqual(persisted.map((r) => `${r.wp_id}:${r.from_lane}>${r.to_lane}`).sort());
  });
});

describe("orchestrate --merge", () => {
  it("merges the approved work packages at the end: lanes done, the work on main, one MissionClosed (merge's)", async () => {
    const root = missionRepo(temps, { WP01: [], WP02: ["WP01"], WP03: [] });
    const fake = temps.make("sk-fake-");
    writeAgents(root, { alpha: { impl: "succeed", review: "approve" }, beta: { impl: "succeed", review: "approve" } });
    const { state, facts, changes } = await runOrchestration(root, { merge: true, actor: "ana", env: fakeEnv(fake) });
    expect(state.status).toBe("completed");
    expect(state.merge_result).toMatchObject({ status: "merged", error: null });
    expect([...(state.merge_result?.merged ?? [])].sort()).toEqual(["WP01", "WP02", "WP03"]);
    expect(lanesOf(root)).toEqual({ WP01: "done", WP02: "done", WP03: "done" });
    for (const id of ["WP01", "WP02", "WP03"]) expect(git(root, "show", `main:impl-${id}.txt`)).toMatch(/^implemented by alpha/);
    expect(facts.filter((f) => f.eventType === "MissionClosed")).toHaveLength(1);
    expect(state.mission_closed_emitted).toBe(false);
    expect(changes.map((c) => c.event)).toContain("merge_finished");
  });
});

describe("escalation, --skip, --resume, --abort", () => {
  it("an escalated WP pauses the run; skipping it lets its dependent run; abort --cleanup removes the worktrees", async () => {
    const root = missionRepo(temps, { WP01: [], WP02: ["WP01"] });
    const fake = temps.make("sk-fake-");
    writeAgents(root, { alpha: { impl: "fail", review: "approve" } }, { extra: "fallback_strategy: fail" });
    const first = await runOrchestration(root, { env: fakeEnv(fake) });
    expect(first.state.status).toBe("paused");
    expect(first.state.work_packages["WP01"]).toMatchObject({ status: "failed", failure_class: "general", implementation: { retries: 1 } });
    expect(first.state.work_packages["WP02"]?.status).toBe("pending");
    expect(orchestrationStatus(root).state?.status).toBe("paused");
    // A new start is refused while this run is paused.
    await expect(prepareOrchestration({ cwd: root, mission: MISSION_DIR, mode: "start" })).rejects.toMatchObject({ code: "ORCHESTRATION_EXISTS" });

    const emitter = recordingEmitter();
    const skipped = await skipWorkPackage(root, "WP01", emitter);
    expect(skipped.work_packages["WP01"]?.status).toBe("skipped");
    expect(emitter.facts.map((f) => [f.eventType, f.payload["wp_id"], f.payload["resolution_type"]])).toEqual([["DependencyResolved", "WP02", "skipped"]]);
    await expect(skipWorkPackage(root, "WP01", emitter)).rejects.toMatchObject({ code: "WP_ALREADY_FINISHED" });

    writeAgents(root, { alpha: { impl: "succeed", review: "approve" } });
    const resumed = await runOrchestration(root, { mode: "resume", env: fakeEnv(fake) });
    expect(resumed.state.status).toBe("completed");
    expect(lanesOf(root)).toEqual({ WP01: "in_progress", WP02: "approved" });
    // WP01 was never completed, so the mission is not closed; the replayed journal holds the skip's fact.
    expect(resumed.facts.filter((f) => f.eventType === "MissionClosed")).toHaveLength(0);
    expect(resumed.facts.filter((f) => f.eventType === "DependencyResolved").map((f) => f.eventId)).toEqual([emitter.facts[0]?.eventId]);

    const aborted = await abortOrchestration(root, { cleanup: true });
    expect(aborted.removedWorktrees.sort()).toEqual([join(root, ".worktrees", `${MISSION_DIR}-WP01`), join(root, ".worktrees", `${MISSION_DIR}-WP02`)]);
    expect(existsSync(join(root, ".kittify", "orchestration-state.json"))).toBe(false);
    expect(orchestrationStatus(root).state).toBeNull();
  });

  it("configuration and graph problems are refused before anything is written", async () => {
    const root = missionRepo(temps, { WP01: ["WP02"], WP02: ["WP01"] });
    writeAgents(root, { alpha: {} });
    await expect(prepareOrchestration({ cwd: root, mission: MISSION_DIR, mode: "start" })).rejects.toMatchObject({ code: "DEPENDENCY_CYCLE", kind: "input" });
    const ok = missionRepo(temps, { WP01: [] });
    writeAgents(ok, { alpha: { enabled: false } });
    await expect(prepareOrchestration({ cwd: ok, mission: MISSION_DIR, mode: "start" })).rejects.toMatchObject({ code: "NO_AGENTS_AVAILABLE", kind: "input" });
    await expect(prepareOrchestration({ cwd: ok, mission: MISSION_DIR, mode: "start", implAgent: "nobody" })).rejects.toMatchObject({ code: "ORCHESTRATE_USAGE", kind: "usage" });
    await expect(prepareOrchestration({ cwd: ok, mode: "resume" })).rejects.toMatchObject({ code: "NO_ORCHESTRATION" });
    expect(existsSync(join(ok, ".kittify", "orchestration-state.json"))).toBe(false);
  });
});
