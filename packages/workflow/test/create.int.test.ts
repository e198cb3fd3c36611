import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MissionStatus } from "@spec-kitty/status";
import { git, tempDirs } from "@spec-kitty/test-support";
import { afterAll, describe, expect, it } from "vitest";
import { createMission, openMission, recordingEmitter, TASKS_README, WorkflowError, type CreateOptions } from "../src/index.ts";
import { newRepo, repoState } from "./create-finalize-fixture.ts";

const temp = tempDirs("sk-wf-create-");
afterAll(() => temp.cleanup());

const MID = "01KW6N7DHT4K8Z79W5QSX17N3R";
const NOW = new Date("2026-06-28T08:23:37.787Z");

const create = (cwd: string, slug: string, extra: Partial<CreateOptions> = {}) => {
  const emitter = recordingEmitter();
  return { emitter, run: createMission({ cwd, slug, emitter, newMissionId: () => MID, now: () => NOW, ...extra }) };
};

const failure = async (p: Promise<unknown>): Promise<WorkflowError> => {
  try {
    await p;
  } catch (error) {
    expect(error).toBeInstanceOf(WorkflowError);
    return error as WorkflowError;
  }
  throw new Error("expected a WorkflowError");
};

describe("createMission", () => {
  it("writes kitty-specs/<slug>-<mid8> with meta.json, an empty log, the layout and spec.md, in one commit of exactly those paths, and one MissionCreated", async () => {
    const root = newRepo(temp);
    // The user's unrelated staged change stays staged and out of the mission's commit.
    writeFileSync(join(root, "notes.txt"), "draft\n");
    git(root, "add", "notes.txt");
    const { emitter, run } = create(root, "short-help-flag", { purposeTldr: "Make -h work everywhere." });
    const result = await run;
    const dir = join(root, "kitty-specs", "short-help-flag-01KW6N7D");
    expect(result).toMatchObject({
      status: "created",
      missionId: MID,
      missionSlug: "short-help-flag-01KW6N7D",
      humanSlug: "short-help-flag",
      missionNumber: null,
      missionType: "software-dev",
      friendlyName: "Short Help Flag",
      targetBranch: "main",
      branch: "main",
      missionDir: dir,
      specTemplate: "built-in",
      commitCreated: true,
      createdAt: "2026-06-28T08:23:37.787000+00:00",
    });
    expect(readFileSync(join(dir, "meta.json"), "utf8")).toBe(
      [
        "{",
        '  "created_at": "2026-06-28T08:23:37.787000+00:00",',
        '  "flattened": false,',
        '  "friendly_name": "Short Help Flag",',
        `  "mission_id": "${MID}",`,
        '  "mission_number": null,',
        '  "mission_slug": "short-help-flag-01KW6N7D",',
        '  "mission_type": "software-dev",',
        '  "purpose_context": "Make -h work everywhere.",',
        '  "purpose_tldr": "Make -h work everywhere.",',
        '  "slug": "short-help-flag-01KW6N7D",',
        '  "target_branch": "main",',
        '  "topology": "single_branch"',
        "}",
        "",
      ].join("\n"),
    );
    expect(readFileSync(join(dir, "status.events.jsonl"), "utf8")).toBe("");
    expect(readFileSync(join(dir, "tasks", "README.md"), "utf8")).toBe(TASKS_README);
    expect(readFileSync(join(dir, "spec.md"), "utf8")).toContain("# Specification: Short Help Flag");
    const committed = git(root, "show", "--name-only", "--format=%s", "HEAD").trim().split("\n");
    expect(committed).toEqual([
      "Add spec for feature short-help-flag-01KW6N7D",
      "",
      "kitty-specs/short-help-flag-01KW6N7D/checklists/.gitkeep",
      "kitty-specs/short-help-flag-01KW6N7D/meta.json",
      "kitty-specs/short-help-flag-01KW6N7D/research/.gitkeep",
      "kitty-specs/short-help-flag-01KW6N7D/spec.md",
      "kitty-specs/short-help-flag-01KW6N7D/status.events.jsonl",
      "kitty-specs/short-help-flag-01KW6N7D/tasks/.gitkeep",
      "kitty-specs/short-help-flag-01KW6N7D/tasks/README.md",
    ]);
    expect(result.commitHash).toBe(git(root, "rev-parse", "HEAD").trim());
    expect(git(root, "status", "--porcelain", "--untracked-files=all")).toBe("A  notes.txt\n");
    expect(emitter.facts).toEqual([
      {
        eventType: "MissionCreated",
        aggregateId: MID,
        aggregateType: "Mission",
        payload: {
          mission_id: MID,
          mission_slug: "short-help-flag-01KW6N7D",
          mission_number: null,
          mission_type: "software-dev",
          target_branch: "main",
          wp_count: 0,
          friendly_name: "Short Help Flag",
          purpose_tldr: "Make -h work everywhere.",
          purpose_context: "Make -h work everywhere.",
          created_at: "2026-06-28T08:23:37.787000+00:00",
        },
      },
    ]);
    // The status package and the workflow package both read it.
    const status = await MissionStatus.load(root, "01KW6N7D");
    expect(status).toMatchObject({ missionDir: "short-help-flag-01KW6N7D", missionId: MID, targetBranch: "main" });
    expect((await status.snapshot()).work_packages).toEqual({});
    expect((await openMission(root, "short-help-flag-01KW6N7D")).slug).toBe("short-help-flag-01KW6N7D");
  });

  it("drops a leading number, takes the options given, and a fresh ULID per mission", async () => {
    const root = newRepo(temp);
    git(root, "branch", "release-2");
    const emitter = recordingEmitter();
    const result = await createMission({
      cwd: root,
      slug: "042-user-auth",
      missionType: "research",
      friendlyName: "User authentication",
      purposeTldr: "Sign in.",
      purposeContext: "Users sign in with a password.",
      targetBranch: "release-2",
      emitter,
    });
    expect(result.missionId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(result.missionSlug).toBe(`user-auth-${result.missionId.slice(0, 8)}`);
    const meta = JSON.parse(readFileSync(result.metaFile, "utf8")) as Record<string, unknown>;
    expect(meta).toMatchObject({
      mission_type: "research",
      friendly_name: "User authentication",
      purpose_tldr: "Sign in.",
      purpose_context: "Users sign in with a password.",
      target_branch: "release-2",
    });
    expect(git(root, "rev-parse", "--abbrev-ref", "HEAD").trim()).toBe("main");
    const other = await createMission({ cwd: root, slug: "billing", emitter });
    expect(other.missionId).not.toBe(result.missionId);
  });

  it("takes spec.md from .kittify/templates, else templates/, else the built-in template", async () => {
    const root = newRepo(temp);
    mkdirSync(join(root, "templates"));
    writeFileSync(join(root, "templates", "spec-template.md"), "# from templates/\n");
    mkdirSync(join(root, ".kittify", "templates"), { recursive: true });
    writeFileSync(join(root, ".kittify", "templates", "spec-template.md"), "# from .kittify\n");
    git(root, "add", "-A");
    git(root, "commit", "-q", "-m", "templates");
    const a = await createMission({ cwd: root, slug: "alpha", emitter: recordingEmitter() });
    expect(readFileSync(a.specFile, "utf8")).toBe("# from .kittify\n");
    expect(a.specTemplate).toBe(".kittify/templates/spec-template.md");
    rmSync(join(root, ".kittify", "templates", "spec-template.md"));
    const b = await createMission({ cwd: root, slug: "beta", emitter: recordingEmitter() });
    expect(readFileSync(b.specFile, "utf8")).toBe("# from templates/\n");
  });

  it("refuses an invalid slug or empty option (usage, exit 2) before touching anything", async () => {
    const root = newRepo(temp);
    const before = repoState(root);
    for (const slug of ["User-Auth", "user_auth", "-x", "a--b", "x-", "", "042-", "über"]) {
      const e = await failure(create(root, slug).run);
      expect([e.code, e.kind, e.field], slug).toEqual(["INVALID_SLUG", "usage", "slug"]);
      expect(e.message).toContain(`'${slug}'`);
    }
    expect((await failure(create(root, "ok", { friendlyName: "  " }).run)).code).toBe("EMPTY_OPTION");
    expect((await failure(create(root, "ok", { targetBranch: "bad..name" }).run)).code).toBe("INVALID_TARGET_BRANCH");
    expect(repoState(root)).toEqual(before);
  });

  it("refuses outside a repository, inside a worktree and on a detached HEAD with the reference's messages", async () => {
    const plain = temp.make("sk-wf-nogit-");
    const e1 = await failure(create(plain, "x").run);
    expect([e1.code, e1.message]).toEqual(["NOT_A_GIT_REPOSITORY", "Not in a git repository. Feature creation requires git."]);
    expect(existsSync(join(plain, "kitty-specs"))).toBe(false);

    const root = newRepo(temp);
    git(root, "worktree", "add", "-q", join(root, ".worktrees", "wt"), "-b", "wt");
    const before = repoState(root);
    const e2 = await failure(create(join(root, ".worktrees", "wt"), "x").run);
    expect([e2.code, e2.message, e2.hint]).toEqual(["INSIDE_WORKTREE", "Cannot create features from inside a worktree. Run from the planning repository.", `cd ${root}`]);
    git(root, "checkout", "-q", "--detach");
    const e3 = await failure(create(root, "x").run);
    expect([e3.code, e3.message, e3.kind]).toEqual(["DETACHED_HEAD", "Must be on a branch to create features (detached HEAD detected).", "domain"]);
    expect(repoState(root).files).toEqual(before.files);
  });

  it("the same slug again never makes a second mission: identical → 'existing', nothing written or emitted; different → MISSION_EXISTS naming it", async () => {
    const root = newRepo(temp);
    const first = await createMission({ cwd: root, slug: "user-auth", friendlyName: "Auth", emitter: recordingEmitter() });
    const before = repoState(root);
    const again = recordingEmitter();
    const second = await createMission({ cwd: root, slug: "user-auth", emitter: again });
    expect(second).toMatchObject({ status: "existing", missionId: first.missionId, missionSlug: first.missionSlug, commitCreated: false, commitHash: null });
    expect(again.facts).toEqual([]);
    expect(repoState(root)).toEqual(before);
    // A leading number names the same mission.
    expect((await createMission({ cwd: root, slug: "007-user-auth", emitter: again })).status).toBe("existing");

    const e = await failure(createMission({ cwd: root, slug: "user-auth", missionType: "research", emitter: again }));
    expect(e.code).toBe("MISSION_EXISTS");
    expect(e.message).toBe(`a mission named 'user-auth' already exists on this branch: kitty-specs/${first.missionSlug} (mission_type is 'software-dev', not 'research')`);
    expect(e.kind).toBe("domain");
    expect(again.facts).toEqual([]);
    expect(repoState(root)).toEqual(before);
    // A slug that only starts the same is another mission.
    expect((await createMission({ cwd: root, slug: "user", emitter: again })).status).toBe("created");
  });

  it("a commit git refuses (a failing pre-commit hook): a domain error, no mission directory, nothing staged or emitted", async () => {
    const root = newRepo(temp);
    writeFileSync(join(root, ".git", "hooks", "pre-commit"), "#!/bin/sh\nexit 1\n", { mode: 0o755 });
    const before = repoState(root);
    const { emitter, run } = create(root, "blocked");
    const e = await failure(run);
    expect([e.code, e.kind]).toEqual(["GIT_FAILED", "domain"]);
    expect(emitter.facts).toEqual([]);
    expect(existsSync(join(root, "kitty-specs"))).toBe(false);
    expect(repoState(root)).toEqual(before);
  });

  it("two branches creating a mission of the same name (more than a second apart) get different directories, and the branches merge cleanly", async () => {
    const root = newRepo(temp);
    git(root, "branch", "other");
    const a = await createMission({ cwd: root, slug: "search", emitter: recordingEmitter() });
    // mid8 is the ULID's time prefix (1.024 s resolution), as in the reference: see docs/create-finalize.md.
    await new Promise((r) => setTimeout(r, 1_100));
    git(root, "switch", "-q", "other");
    const b = await createMission({ cwd: root, slug: "search", emitter: recordingEmitter() });
    expect(b.status).toBe("created");
    expect(b.missionSlug).not.toBe(a.missionSlug);
    expect(b.missionNumber).toBeNull();
    git(root, "switch", "-q", "main");
    git(root, "merge", "-q", "--no-edit", "other");
    expect(git(root, "ls-files", "kitty-specs").split("\n").filter((l) => l.endsWith("meta.json")).sort()).toEqual(
      [`kitty-specs/${a.missionSlug}/meta.json`, `kitty-specs/${b.missionSlug}/meta.json`].sort(),
    );
  });

  it("an interrupted run (scaffold written, not committed) is finished by the re-run, which commits it and emits MissionCreated once", async () => {
    const root = newRepo(temp);
    await createMission({ cwd: root, slug: "resume", emitter: recordingEmitter(), newMissionId: () => MID });
    // Undo the commit, keeping the files: what a crash between writing and committing leaves.
    git(root, "reset", "-q", "--mixed", "HEAD~1");
    const emitter = recordingEmitter();
    const result = await createMission({ cwd: root, slug: "resume", emitter });
    expect(result).toMatchObject({ status: "created", missionId: MID, commitCreated: true });
    expect(result.filesCommitted).toHaveLength(7);
    expect(emitter.facts.map((f) => f.eventType)).toEqual(["MissionCreated"]);
    expect(git(root, "status", "--porcelain", "--untracked-files=all")).toBe("");
    const third = recordingEmitter();
    expect((await createMission({ cwd: root, slug: "resume", emitter: third })).status).toBe("existing");
    expect(third.facts).toEqual([]);
  });
});
