import { MissionStatus } from "@spec-kitty/status";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CUSTOM_MISSION_TEMPLATE, initGitRepo, missionMeta, tempDirs, writeMission } from "@spec-kitty/test-support";
import { CLI_BIN, runCliProcess } from "./cli-process.ts";

const MID = "01KT6HVH3QND4Q3KCGH2419N4J";
const SLUG = "demo-01KT6HVH";
const JSON_KEYS = ["kind", "run_id", "mission_key", "mission_slug", "mission_id", "step_id", "step_title", "prompt", "wp_id", "decision_id", "input_key", "question", "options", "reason"];

let repo = "";
const gitEnv = { GIT_AUTHOR_NAME: "Test", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "Test", GIT_COMMITTER_EMAIL: "t@example.com" };

const cli = (...args: string[]) => {
  const r = spawnSync(process.execPath, [CLI_BIN, ...args], { cwd: join(repo, "kitty-specs"), encoding: "utf8", env: { ...process.env, ...gitEnv, HOME: join(repo, ".home") } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
};
const next = (...args: string[]) => {
  const r = cli("next", "--mission", SLUG, "--agent", "agent-7", "--json", ...args);
  expect(r.code, r.stderr).toBe(0);
  const doc = JSON.parse(r.stdout) as Record<string, unknown>;
  expect(Object.keys(doc)).toEqual(JSON_KEYS);
  return doc;
};
const answer = (decision: string, value: string, actorId: string, actorType = "human") =>
  cli("next", "answer", decision, value, "--mission", SLUG, "--actor-id", actorId, "--actor-type", actorType);
const move = async (wpId: string, toLane: string) => {
  const status = await MissionStatus.load(repo, SLUG);
  await status.transition({ wpId, toLane, actor: "tester", force: true, reason: `e2e move to ${toLane}` });
};

const temps = tempDirs("sk-next-e2e-");
beforeAll(() => {
  repo = temps.make();
  // What finalize-tasks leaves behind: WP files and a genesis -> planned row per WP.
  const meta = missionMeta(SLUG, MID, { created_at: "2026-01-01T00:00:00+00:00", friendly_name: "Demo", mission_type: "custom" });
  writeMission(repo, { dir: SLUG, meta, wps: ["WP01", "WP02"], wpFiles: true });
  mkdirSync(join(repo, ".kittify", "missions", "custom"), { recursive: true });
  writeFileSync(join(repo, ".kittify", "missions", "custom", "mission-runtime.yaml"), CUSTOM_MISSION_TEMPLATE);
  initGitRepo(repo, { who: "Test", message: "mission" });
  Object.assign(process.env, gitEnv);
});
afterAll(temps.cleanup);

describe("spec-kitty next (end to end, real git repository, real processes)", () => {
  it("walks a custom mission: required input, WP gating, audit checkpoint, completion", { timeout: 300_000 }, async () => {
    const first = next();
    expect(first).toMatchObject({ kind: "decision_required", mission_key: "custom", mission_slug: SLUG, mission_id: MID, decision_id: "input:mission_owner_id", input_key: "mission_owner_id", wp_id: null });
    expect(first["reason"]).toBe("missing_required_input");
    // Asked again, the same decision comes back, now as the pending one.
    expect(next()).toEqual({ ...first, reason: "pending_decision" });

    const llm = answer("input:mission_owner_id", "olga", "bot", "llm");
    expect([llm.code, llm.stderr]).toEqual([1, expect.stringContaining("LLM actor 'bot' is not delegated for decision 'input:mission_owner_id'")]);
    const ok = answer("input:mission_owner_id", "olga", "olga");
    expect(ok.code, ok.stderr).toBe(0);

    const setup = next();
    expect(setup).toMatchObject({ kind: "step", step_id: "setup", prompt: "Set things up.", decision_id: null, options: null });
    expect(next()).toEqual(setup);

    expect(next("--result", "success")).toMatchObject({ kind: "step", step_id: "implement", wp_id: "WP01" });
    expect(next("--result", "success")).toMatchObject({ kind: "step", step_id: "implement", wp_id: "WP01" });
    await move("WP01", "for_review");
    expect(next()).toMatchObject({ kind: "step", step_id: "implement", wp_id: "WP02" });
    await move("WP02", "blocked");
    expect(next("--result", "success")).toMatchObject({ kind: "blocked", step_id: "implement", wp_id: "WP02" });
    await move("WP02", "for_review");
    expect(next("--result", "success")).toMatchObject({ kind: "step", step_id: "review", wp_id: "WP01" });
    await move("WP01", "approved");
    expect(next("--result", "success")).toMatchObject({ kind: "step", step_id: "review", wp_id: "WP02" });
    await move("WP02", "done");
    const audit = next("--result", "success");
    expect(audit).toMatchObject({ kind: "decision_required", decision_id: "audit:signoff", options: ["approve", "reject"], reason: null });

    const intruder = answer("audit:signoff", "approve", "mallory");
    expect(intruder.code).toBe(1);
    expect(intruder.stderr).toContain("Audit decisions require mission owner 'olga'");
    const badOption = answer("audit:signoff", "maybe", "olga");
    expect([badOption.code, badOption.stderr]).toEqual([1, expect.stringContaining("Invalid audit answer 'maybe'")]);
    const unknown = cli("next", "answer", "input:nope", "x", "--mission", SLUG, "--actor-id", "olga", "--actor-type", "human", "--json");
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stdout)).toMatchObject({ error: { code: "DECISION_NOT_FOUND" } });
    expect(answer("audit:signoff", "approve", "olga").code).toBe(0);

    const done = next();
    expect(done).toMatchObject({ kind: "terminal", reason: "All mission steps completed", mission_id: MID });
    const runDir = join(repo, ".kittify", "runtime", "runs", String(done["run_id"]));
    const log = readFileSync(join(runDir, "run.events.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as { event_type: string });
    expect(log.filter((r) => r.event_type === "MissionRunCompleted")).toHaveLength(1);
    expect(log.filter((r) => r.event_type === "DecisionInputRequested")).toHaveLength(2);
    expect(log.filter((r) => r.event_type === "DecisionAuthorityDenied")).toHaveLength(1);
    const state = JSON.parse(readFileSync(join(runDir, "state.json"), "utf8")) as Record<string, unknown>;
    expect([state["mission_id"], state["mission_slug"], state["completed_steps"]]).toEqual([MID, SLUG, ["setup", "implement", "review", "signoff"]]);
    const index = JSON.parse(readFileSync(join(repo, ".kittify", "runtime", "feature-runs.json"), "utf8")) as Record<string, Record<string, unknown>>;
    expect(index[SLUG]).toMatchObject({ run_id: done["run_id"], mission_id: MID, mission_slug: SLUG, mission_key: "custom", mission_type: "custom" });
    expect(readdirSync(join(repo, ".kittify", "runtime", "runs"))).toHaveLength(1);

    const runs = cli("runs", "list", "--json");
    expect(runs.code, runs.stderr).toBe(0);
    expect(JSON.parse(runs.stdout)).toMatchObject({ runs: [{ mission_slug: SLUG, mission_id: MID, run_id: done["run_id"], state: "terminal", completed_steps: 4 }] });
  });

  it("resolves the mission by mid8 and ULID, and uses exit 1 and 2 for the failure cases", { timeout: 300_000 }, () => {
    for (const handle of ["01KT6HVH", MID]) {
      const r = cli("next", "--mission", handle, "--json");
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ mission_slug: SLUG });
    }
    const missing = cli("next", "--mission", "no-such-mission");
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining("no mission 'no-such-mission'")]);
    expect(cli("next", "--mission", SLUG, "--result", "maybe").code).toBe(2);
    expect(cli("next").code).toBe(2);
    expect(cli("next", "answer", "x", "--mission", SLUG).code).toBe(2);
    const outside = runCliProcess(["next", "--mission", SLUG], { cwd: temps.make() });
    expect(outside.status).toBe(1);
    const viaRepo = runCliProcess(["next", "--mission", SLUG, "--repo", repo, "--json"], { cwd: temps.make() });
    expect(viaRepo.status, viaRepo.stderr).toBe(0);
  });
});
