import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  CanonicalStatusNotFound,
  InvalidMissionSlug,
  InvalidTransitionRequest,
  MissionNotFound,
  MissionSelectorAmbiguous,
  MissionStatus,
  TransitionError,
} from "../src/index.ts";
import { missionsDir } from "./support/paths.ts";
import { git, makeRepo, missionMeta, ULIDS, wpIds, type TempRepo } from "./support/git-repo.ts";

const repos: TempRepo[] = [];
afterEach(() => {
  for (const repo of repos.splice(0)) repo.cleanup();
});
const track = (repo: TempRepo) => (repos.push(repo), repo);

describe("mission handles", () => {
  const setup = () =>
    track(
      makeRepo([
        { dir: "042-legacy-thing", meta: missionMeta("042-legacy-thing", ULIDS.c, { mission_number: 42 }), wps: wpIds(1) },
        { dir: "alpha-01KZY1JB", meta: missionMeta("alpha-01KZY1JB", ULIDS.a), wps: wpIds(1) },
        { dir: "beta-01KZY1JB", meta: missionMeta("beta-01KZY1JB", ULIDS.b), wps: wpIds(1) },
      ]),
    );

  it.each([
    ["the directory name (slug)", "042-legacy-thing", "042-legacy-thing"],
    ["<slug>-<mid8> of a slug without its id", "042-legacy-thing-01M0GGT1", "042-legacy-thing"],
    ["a bare mid8", "01M0GGT1", "042-legacy-thing"],
    ["a lower-case mid8", "01m0ggt1", "042-legacy-thing"],
    ["the full ULID", ULIDS.c, "042-legacy-thing"],
    ["the full ULID of a mission sharing its mid8", ULIDS.b, "beta-01KZY1JB"],
    ["the human slug of a <slug>-<mid8> directory", "alpha", "alpha-01KZY1JB"],
    ["a modern slug", "beta-01KZY1JB", "beta-01KZY1JB"],
  ])("resolves %s", async (_, handle, dir) => {
    const repo = setup();
    const status = await MissionStatus.load(repo.root, handle);
    expect(status.missionDir).toBe(dir);
    expect(status.readDir).toBe(join(repo.root, "kitty-specs", dir));
  });

  it("a mid8 shared by two missions is ambiguous and names both", async () => {
    const repo = setup();
    const error = await MissionStatus.load(repo.root, "01KZY1JB").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissionSelectorAmbiguous);
    expect((error as MissionSelectorAmbiguous).candidates).toEqual(["alpha-01KZY1JB", "beta-01KZY1JB"]);
    expect((error as MissionSelectorAmbiguous).code).toBe("MISSION_SELECTOR_AMBIGUOUS");
  });

  it("the mission number is never a selector; an unknown handle lists the missions", async () => {
    const repo = setup();
    for (const handle of ["42", "042", "gamma"]) {
      const error = await MissionStatus.load(repo.root, handle).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MissionNotFound);
      expect((error as Error).message).toContain("042-legacy-thing, alpha-01KZY1JB, beta-01KZY1JB");
    }
  });

  it.each(["../alpha-01KZY1JB", "a/b", ".hidden", "", "has space", "caf\u00e9"])("refuses the unsafe handle %j", async (handle) => {
    const repo = setup();
    await expect(MissionStatus.load(repo.root, handle)).rejects.toBeInstanceOf(InvalidMissionSlug);
  });
});

describe("writes land on the destination branch, whatever the caller has checked out", () => {
  const SLUG = "routing-01KZY1JB";
  const setup = () => track(makeRepo([{ dir: SLUG, meta: missionMeta(SLUG, ULIDS.a), wps: wpIds(2) }]));

  it("called from a lane worktree on another branch: commits on main in the primary checkout", async () => {
    const repo = setup();
    const lane = join(repo.root, ".worktrees", "lane-a");
    git(repo.root, "worktree", "add", "-q", "-b", "kitty/mission-routing-01KZY1JB-lane-a", lane);
    const laneLog = readFileSync(join(lane, "kitty-specs", SLUG, "status.events.jsonl"));
    const laneHead = git(lane, "rev-parse", "HEAD").trim();
    const status = await MissionStatus.load(lane, SLUG);
    expect(status.repoRoot).toBe(repo.root);
    const { receipt } = await status.transition({ wpId: "WP01", toLane: "claimed", actor: "alice" });
    expect(receipt).toMatchObject({ destinationRef: "main", worktreeRoot: repo.root, committed: true });
    expect(git(repo.root, "rev-parse", "main").trim()).toBe(receipt.commitSha);
    expect(git(lane, "rev-parse", "HEAD").trim()).toBe(laneHead);
    expect(readFileSync(join(lane, "kitty-specs", SLUG, "status.events.jsonl")).equals(laneLog)).toBe(true);
    expect(git(repo.root, "status", "--porcelain")).toBe("");
    expect(git(lane, "status", "--porcelain")).toBe("");
    expect(git(repo.root, "show", "--name-only", "--format=", "main").trim().split("\n").sort()).toEqual([
      `kitty-specs/${SLUG}/status.events.jsonl`,
      `kitty-specs/${SLUG}/status.json`,
    ]);
  });

  it("primary on a feature branch, target branch in a linked worktree: reads and commits there", async () => {
    const repo = setup();
    const mainTree = join(repo.root, ".worktrees", "main");
    git(repo.root, "switch", "-q", "-c", "feature");
    git(repo.root, "worktree", "add", "-q", mainTree, "main");
    const featureHead = git(repo.root, "rev-parse", "feature").trim();
    const status = await MissionStatus.load(repo.root, SLUG);
    expect(status.readDir).toBe(join(mainTree, "kitty-specs", SLUG));
    const { receipt } = await status.transition({ wpId: "WP02", toLane: "claimed", actor: "bob" });
    expect(receipt).toMatchObject({ destinationRef: "main", worktreeRoot: mainTree });
    expect(git(repo.root, "rev-parse", "main").trim()).toBe(receipt.commitSha);
    expect(git(repo.root, "rev-parse", "feature").trim()).toBe(featureHead);
    expect(git(mainTree, "status", "--porcelain")).toBe("");
    expect(git(repo.root, "status", "--porcelain")).toBe("");
  });
});

describe("transitions", () => {
  const SLUG = "moves-01KZY1JB";
  const setup = async () => {
    const repo = track(makeRepo([{ dir: SLUG, meta: missionMeta(SLUG, ULIDS.a), wps: wpIds(3) }]));
    return { repo, status: await MissionStatus.load(repo.root, SLUG), dir: join(repo.root, "kitty-specs", SLUG) };
  };
  const logOf = (dir: string) => readFileSync(join(dir, "status.events.jsonl"));
  const commits = (root: string) => Number(git(root, "rev-list", "--count", "main").trim());

  it("a batch planned -> claimed -> in_progress is one append and one commit, timestamps strictly increasing", async () => {
    const { repo, status } = await setup();
    const { events, receipt } = await status.transitionBatch([
      { wpId: "WP01", toLane: "claimed", actor: "alice" },
      { wpId: "WP01", toLane: "in_progress", actor: "alice" },
    ]);
    expect(events.map((e) => `${e.from_lane}>${e.to_lane}`)).toEqual(["planned>claimed", "claimed>in_progress"]);
    expect(receipt.eventIds).toEqual(events.map((e) => e.event_id));
    expect((events[0]?.at ?? "") < (events[1]?.at ?? "")).toBe(true);
    expect(commits(repo.root)).toBe(2);
    expect(events[1]?.mission_id).toBe(ULIDS.a);
    expect(events[1]?.mission_slug).toBe(SLUG);
    expect((await status.workPackage("WP01")).currentLane).toBe("in_progress");
  });

  it("a batch with one refused step writes nothing", async () => {
    const { repo, status, dir } = await setup();
    const before = logOf(dir);
    const error = await status
      .transitionBatch([
        { wpId: "WP01", toLane: "claimed", actor: "alice" },
        { wpId: "WP02", toLane: "done", actor: "alice" },
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransitionError);
    expect(error).toMatchObject({ wpId: "WP02", code: "ILLEGAL_TRANSITION", message: "Illegal transition: planned -> done" });
    expect(logOf(dir).equals(before)).toBe(true);
    expect(commits(repo.root)).toBe(1);
  });

  it("an alias naming the current lane is a no-op: nothing written, no commit", async () => {
    const { repo, status, dir } = await setup();
    await status.transitionBatch([
      { wpId: "WP01", toLane: "claimed", actor: "alice" },
      { wpId: "WP01", toLane: "in_progress", actor: "alice" },
    ]);
    const before = logOf(dir);
    const { event, receipt } = await status.transition({ wpId: "WP01", toLane: "doing", actor: "alice" });
    expect(receipt.isNoop).toBe(true);
    expect(receipt.eventIds).toEqual([]);
    expect(receipt.commitSha).toBe(git(repo.root, "rev-parse", "main").trim());
    expect([event.from_lane, event.to_lane]).toEqual(["in_progress", "in_progress"]);
    expect(logOf(dir).equals(before)).toBe(true);
    expect(commits(repo.root)).toBe(2);
  });

  it("guards answer with the reference's messages and codes", async () => {
    const { status } = await setup();
    await expect(status.transition({ wpId: "WP01", toLane: "bogus", actor: "alice" })).rejects.toMatchObject({
      code: "UNKNOWN_LANE",
      message: "Unknown lane: bogus",
    });
    await expect(status.transition({ wpId: "WP01", toLane: "claimed", actor: "  " })).rejects.toBeInstanceOf(InvalidTransitionRequest);
    await expect(status.transition({ wpId: "wp1", toLane: "claimed", actor: "alice" })).rejects.toBeInstanceOf(InvalidTransitionRequest);
    await expect(status.transition({ wpId: "WP01", toLane: "canceled", actor: "alice", force: true })).rejects.toMatchObject({
      code: "FORCE_REQUIRES_ACTOR_AND_REASON",
      message: "Force transitions require actor and reason",
    });
    const forced = await status.transition({ wpId: "WP01", toLane: "done", actor: "alice", force: true, reason: "merged" });
    expect(forced.event).toMatchObject({ force: true, reason: "merged", from_lane: "planned", to_lane: "done" });
  });

  it("in_progress -> for_review needs the authored subtasks done in the log", async () => {
    const { status, dir } = await setup();
    writeFileSync(join(dir, "tasks", "WP01-thing.md"), "---\nwork_package_id: WP01\nsubtasks: [T001, T002]\n---\n# WP01\n");
    await status.transitionBatch([
      { wpId: "WP01", toLane: "claimed", actor: "alice" },
      { wpId: "WP01", toLane: "in_progress", actor: "alice" },
    ]);
    await expect(status.transition({ wpId: "WP01", toLane: "for_review", actor: "alice" })).rejects.toMatchObject({
      code: "GUARD_FAILED",
      message: "Transition in_progress -> for_review requires completed subtasks or force with reason",
    });
    const { receipt } = await status.annotate("WP01", { subtasks: { T001: "done", T002: "done" } }, "alice");
    expect(receipt.committed).toBe(true);
    const { event } = await status.transition({ wpId: "WP01", toLane: "for_review", actor: "alice" });
    expect(event.to_lane).toBe("for_review");
    const snapshot = await status.snapshot();
    expect(snapshot.work_packages["WP01"]).toMatchObject({ lane: "for_review", subtasks: { T001: "done", T002: "done" } });
  });

  it("in_progress -> for_review: without subtask annotations the tasks.md checkboxes of the section decide", async () => {
    const { status, dir } = await setup();
    writeFileSync(join(dir, "tasks", "WP01-thing.md"), "---\nwork_package_id: WP01\nsubtasks: [T001]\n---\n# WP01\n");
    writeFileSync(join(dir, "tasks.md"), "## WP01 Thing\n- [X] T001 a\n- [ ] T002 b\n## WP02 Other\n- [ ] T003 c\n");
    await status.transitionBatch([
      { wpId: "WP01", toLane: "claimed", actor: "alice" },
      { wpId: "WP01", toLane: "in_progress", actor: "alice" },
    ]);
    await expect(status.transition({ wpId: "WP01", toLane: "for_review", actor: "alice" })).rejects.toMatchObject({ code: "GUARD_FAILED" });
    writeFileSync(join(dir, "tasks.md"), "## WP01 Thing\n- [X] T001 a\n- [x] T002 b\n## WP02 Other\n- [ ] T003 c\n");
    const { event } = await status.transition({ wpId: "WP01", toLane: "for_review", actor: "alice" });
    expect(event.to_lane).toBe("for_review");
  });

  it("workPackage reads the lane and the last transition; an absent work package is uninitialized", async () => {
    const { status } = await setup();
    const { event } = await status.transition({ wpId: "WP03", toLane: "blocked", actor: "carol" });
    expect(await status.workPackage("WP03")).toEqual({ wpId: "WP03", currentLane: "blocked", lastEvent: event });
    expect(await status.workPackage("WP99")).toEqual({ wpId: "WP99", currentLane: "uninitialized", lastEvent: null });
    const { event: seeded } = await status.transition({ wpId: "WP99", toLane: "planned", actor: "finalize-tasks" });
    expect(seeded.from_lane).toBe("genesis");
  });

  it("a mission without a status log is CanonicalStatusNotFound for reads and writes", async () => {
    const repo = track(makeRepo([{ dir: "unfinalized-01KZY1JB", meta: missionMeta("unfinalized-01KZY1JB", ULIDS.a), wps: null }]));
    const status = await MissionStatus.load(repo.root, "unfinalized-01KZY1JB");
    await expect(status.snapshot()).rejects.toBeInstanceOf(CanonicalStatusNotFound);
    await expect(status.transition({ wpId: "WP01", toLane: "planned", actor: "a" })).rejects.toBeInstanceOf(CanonicalStatusNotFound);
  });

  it("outside a git work tree the files are written and the receipt says nothing was committed", async () => {
    const repo = track(makeRepo([{ dir: SLUG, meta: missionMeta(SLUG, ULIDS.a), wps: wpIds(1) }], { git: false }));
    const status = await MissionStatus.load(repo.root, SLUG);
    const { receipt } = await status.transition({ wpId: "WP01", toLane: "claimed", actor: "alice" });
    expect(receipt).toMatchObject({ committed: false, commitSha: null, destinationRef: null, isNoop: false });
    expect(receipt.note).toContain("not a git work tree");
    expect(JSON.parse(readFileSync(join(repo.root, "kitty-specs", SLUG, "status.json"), "utf8"))).toMatchObject({
      summary: { claimed: 1 },
    });
  });
});

describe("validate", () => {
  it("reports every corrupt line and illegal edges of a log, and changes nothing", async () => {
    const slug = "046-doctrine-artifact-domain-models";
    const repo = track(makeRepo([], { git: false }));
    const dir = join(repo.root, "kitty-specs", slug);
    mkdirSync(join(repo.root, "kitty-specs"), { recursive: true });
    cpSync(join(missionsDir(), slug), dir, { recursive: true });
    const lines = readFileSync(join(dir, "status.events.jsonl"), "utf8").split("\n");
    lines.splice(2, 0, "{ broken");
    lines.splice(5, 0, '{"kind": "mystery", "wp_id": "WP01"}');
    const corrupted = lines.join("\n");
    writeFileSync(join(dir, "status.events.jsonl"), corrupted);
    const report = await (await MissionStatus.load(repo.root, slug)).validate();
    expect(report.valid).toBe(false);
    const errors = report.findings.filter((f) => f.severity === "error");
    expect(errors.map((f) => [f.code, f.line])).toEqual([
      ["CORRUPT_LINE", 3],
      ["CORRUPT_LINE", 6],
      ["ILLEGAL_TRANSITION", 36],
    ]);
    expect(errors[2]?.message).toContain("Illegal transition: claimed -> done");
    expect(readFileSync(join(dir, "status.events.jsonl"), "utf8")).toBe(corrupted);

    // Other line breaks the reference honours (CRLF, form feed, U+2028) count one line each, as there.
    const breaks = ["\r\n", "\x0c", "\u2028", "\n"];
    writeFileSync(join(dir, "status.events.jsonl"), lines.map((l, i) => l + (breaks[i % breaks.length] as string)).join(""));
    const mixed = await (await MissionStatus.load(repo.root, slug)).validate();
    expect(mixed.findings.filter((f) => f.severity === "error").map((f) => [f.code, f.line])).toEqual([
      ["CORRUPT_LINE", 3],
      ["CORRUPT_LINE", 6],
      ["ILLEGAL_TRANSITION", 36],
    ]);
  });

  it("a clean log is valid", async () => {
    const slug = "042-local-mission-dossier-authority-parity-export";
    const repo = track(makeRepo([], { git: false }));
    cpSync(join(missionsDir(), slug), join(repo.root, "kitty-specs", slug), { recursive: true });
    const report = await (await MissionStatus.load(repo.root, slug)).validate();
    expect(report).toMatchObject({ valid: true, transitions: 10, findings: [] });
  });
});
