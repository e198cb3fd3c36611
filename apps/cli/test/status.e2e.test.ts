import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { git, makeMissionRepo, missionMeta, tempDirs, wpIds } from "@spec-kitty/test-support";
import { afterAll, describe, expect, it } from "vitest";
import { runCliProcess } from "./cli-process.ts";

/** `status`, `agent tasks move-task` and `agent status validate` against a real repository, as separate processes. */

const SLUG = "board-demo-01KZY1JB";
const MISSION_ID = "01KZY1JBHRNZG2PXBPFHQ66DA3";
const WPS = wpIds(20);

const temps = tempDirs("sk-status-e2e-");
afterAll(temps.cleanup);

/** A repository on main with one finalized mission of 20 work packages, all planned. */
const makeRepo = (): string =>
  makeMissionRepo(temps, [{ dir: SLUG, meta: missionMeta(SLUG, MISSION_ID, { friendly_name: "Board demo" }), wps: WPS }], { who: "E2E" });

const logPath = (root: string) => join(root, "kitty-specs", SLUG, "status.events.jsonl");
const statusPath = (root: string) => join(root, "kitty-specs", SLUG, "status.json");
const commitCount = (root: string) => Number(git(root, "rev-list", "--count", "main").trim());
const move = (root: string, wp: string, lane: string, ...extra: string[]) =>
  runCliProcess(["agent", "tasks", "move-task", wp, "--to", lane, "--mission", SLUG, "--actor", "claude", ...extra], { cwd: root });

describe("spec-kitty agent tasks move-task", () => {
  it("drives a work package planned -> claimed -> in_progress -> for_review, one commit each", () => {
    const root = makeRepo();
    const steps: [string, string][] = [
      ["planned", "claimed"],
      ["claimed", "in_progress"],
      ["in_progress", "for_review"],
    ];
    for (const [from, to] of steps) {
      const run = move(root, "WP01", to);
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
      const head = git(root, "rev-parse", "main").trim();
      expect(run.stdout).toBe(`WP01: ${from} -> ${to} (commit ${head.slice(0, 10)} on main)\n`);
    }
    expect(commitCount(root)).toBe(4);
    expect(git(root, "log", "--format=%s", "-3", "main").trim().split("\n")).toEqual(Array(3).fill("chore(spec-kitty): status transition WP01"));
    expect(git(root, "status", "--porcelain")).toBe("");
    const rows = readFileSync(logPath(root), "utf8").trim().split("\n").slice(WPS.length).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => [r["wp_id"], r["from_lane"], r["to_lane"], r["actor"], r["mission_id"]])).toEqual(
      steps.map(([from, to]) => ["WP01", from, to, "claude", MISSION_ID]),
    );
  });

  it("a refused transition exits 1 with the guard's message, writes nothing and commits nothing", () => {
    const root = makeRepo();
    expect(move(root, "WP02", "claimed").status).toBe(0);
    expect(move(root, "WP02", "in_progress").status).toBe(0);
    const before = { log: readFileSync(logPath(root)), status: readFileSync(statusPath(root)), commits: commitCount(root) };
    const guard = move(root, "WP02", "planned");
    expect(guard.status).toBe(1);
    expect(guard.stdout).toBe("");
    expect(guard.stderr).toBe("error: Transition in_progress -> planned requires reason\n");
    const illegal = move(root, "WP02", "done", "--json");
    expect(illegal.status).toBe(1);
    expect(JSON.parse(illegal.stdout)).toEqual({ error: { code: "ILLEGAL_TRANSITION", message: "Illegal transition: in_progress -> done" } });
    expect(readFileSync(logPath(root)).equals(before.log)).toBe(true);
    expect(readFileSync(statusPath(root)).equals(before.status)).toBe(true);
    expect(commitCount(root)).toBe(before.commits);
    expect(git(root, "status", "--porcelain")).toBe("");
    const back = move(root, "WP02", "planned", "--reason", "scope changed", "--json");
    expect(back.status).toBe(0);
    const out = JSON.parse(back.stdout) as { event: Record<string, unknown>; receipt: Record<string, unknown> };
    expect(out.event).toMatchObject({ wp_id: "WP02", from_lane: "in_progress", to_lane: "planned", reason: "scope changed" });
    expect(out.receipt).toMatchObject({ commit_sha: git(root, "rev-parse", "main").trim(), destination_ref: "main", committed: true, is_noop: false, event_ids: [out.event["event_id"]] });
  });

  it("run from a lane worktree on another branch, the commit still lands on main", () => {
    const root = makeRepo();
    const lane = join(root, ".worktrees", "lane-a");
    git(root, "worktree", "add", "-q", "-b", "kitty/mission-board-demo-01KZY1JB-lane-a", lane);
    const laneHead = git(lane, "rev-parse", "HEAD").trim();
    const run = runCliProcess(["agent", "tasks", "move-task", "WP03", "--to", "claimed", "--mission", "01KZY1JB", "--actor", "gemini"], { cwd: lane });
    expect(run.status).toBe(0);
    expect(git(lane, "rev-parse", "HEAD").trim()).toBe(laneHead);
    expect(git(root, "show", "main:kitty-specs/board-demo-01KZY1JB/status.events.jsonl")).toContain('"to_lane": "claimed"');
  });

  it("without an actor it is a usage error (exit 2)", () => {
    const root = makeRepo();
    const run = runCliProcess(["agent", "tasks", "move-task", "WP01", "--to", "claimed", "--mission", SLUG], { cwd: root });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("an actor is required");
  });
});

describe("spec-kitty status", () => {
  it("shows the board by lane within 80 columns, and --json gives the same state", () => {
    const root = makeRepo();
    for (const [wp, lane] of [["WP01", "claimed"], ["WP01", "in_progress"], ["WP05", "blocked"]] as const) expect(move(root, wp, lane).status).toBe(0);
    const board = runCliProcess(["status"], { cwd: root });
    expect(board.status).toBe(0);
    const lines = board.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(`${SLUG}  (legacy, commits to main)`);
    expect(lines[1]).toBe("20 work packages, 23 transitions");
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(lines).toContain("in_progress     1  WP01");
    expect(lines).toContain("blocked         1  WP05");
    const planned = lines.findIndex((l) => l.startsWith("planned"));
    expect(lines[planned]).toMatch(/^planned        18  WP02 WP03 WP04 WP06 /);
    expect(lines[planned + 1]).toMatch(/^ {19}WP\d\d/);
    const json = runCliProcess(["status", "--mission", SLUG, "--json"], { cwd: root });
    expect(json.status).toBe(0);
    const doc = JSON.parse(json.stdout) as { summary: Record<string, number>; lanes: Record<string, string[]>; topology: string; destination_ref: string };
    expect(doc.summary).toEqual({ planned: 18, claimed: 0, in_progress: 1, for_review: 0, in_review: 0, approved: 0, done: 0, blocked: 1, canceled: 0 });
    expect(doc.lanes["in_progress"]).toEqual(["WP01"]);
    expect(doc).toMatchObject({ topology: "legacy", destination_ref: "main" });
  });

  it("an unknown mission exits 1 naming the known ones", () => {
    const root = makeRepo();
    const run = runCliProcess(["status", "--mission", "nope"], { cwd: root });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`no mission matches 'nope'`);
    expect(run.stderr).toContain(SLUG);
  });
});

describe("spec-kitty agent status validate", () => {
  it("reports a valid log (exit 0), then corrupt lines (exit 1), changing nothing", () => {
    const root = makeRepo();
    expect(move(root, "WP01", "claimed").status).toBe(0);
    const ok = runCliProcess(["agent", "status", "validate", "--mission", SLUG, "--json"], { cwd: root });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ valid: true, transitions: 21, findings: [] });
    appendFileSync(logPath(root), '{"event_id": "broken\n');
    const corrupted = readFileSync(logPath(root));
    const bad = runCliProcess(["agent", "status", "validate", "--mission", SLUG, "--json"], { cwd: root });
    expect(bad.status).toBe(1);
    const report = JSON.parse(bad.stdout) as { valid: boolean; findings: { code: string; line: number; message: string }[] };
    expect(report.valid).toBe(false);
    expect(report.findings).toEqual([expect.objectContaining({ code: "CORRUPT_LINE", line: 22, message: expect.stringContaining("line 22") })]);
    const text = runCliProcess(["agent", "status", "validate", "--mission", SLUG], { cwd: root });
    expect(text.status).toBe(1);
    expect(text.stdout).toContain("CORRUPT_LINE");
    expect(text.stderr).toContain("has errors");
    expect(readFileSync(logPath(root)).equals(corrupted)).toBe(true);
  });
});
