import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MissionStatus, type PostCommitEvent } from "@spec-kitty/status";
import { git, tempDirs } from "@spec-kitty/test-support";
import { afterAll, describe, expect, it } from "vitest";
import { createMission, finalizeTasks, recordingEmitter, WorkflowError, type FinalizeOptions } from "../src/index.ts";
import { SEVEN, newRepo, repoState, wpFile, writeTasks, type WpSpec } from "./create-finalize-fixture.ts";

const temp = tempDirs("sk-wf-finalize-");
afterAll(() => temp.cleanup());

/** A repository with one created mission; returns its root and mission directory. */
const missionRepo = async (slug = "user-auth"): Promise<{ root: string; dir: string; slug: string }> => {
  const root = newRepo(temp);
  const created = await createMission({ cwd: root, slug, emitter: recordingEmitter() });
  return { root, dir: created.missionDir, slug: created.missionSlug };
};

const finalize = (cwd: string, mission: string, extra: Partial<FinalizeOptions> = {}) => {
  const emitter = recordingEmitter();
  const hookEvents: PostCommitEvent[] = [];
  const run = finalizeTasks({
    cwd,
    mission,
    emitter,
    actor: "ana",
    statusOptions: { postCommitHooks: [(e) => void hookEvents.push(e)] },
    ...extra,
  });
  return { emitter, hookEvents, run };
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

const logRows = (dir: string): Array<Record<string, unknown>> =>
  readFileSync(join(dir, "status.events.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe("finalizeTasks: a 7-WP mission", () => {
  it("records dependencies, commits the task files, seeds all seven in one batch, announces each once in dependency order", async () => {
    const { root, dir, slug } = await missionRepo();
    writeTasks(dir, SEVEN);
    const headBefore = git(root, "rev-parse", "HEAD").trim();
    const { emitter, hookEvents, run } = finalize(root, slug);
    const result = await run;

    const expectedDeps = { WP01: [], WP02: ["WP01"], WP03: ["WP01"], WP04: ["WP02", "WP03"], WP05: ["WP03"], WP06: [], WP07: ["WP04", "WP05", "WP06"] };
    expect(result).toMatchObject({
      missionSlug: slug,
      validateOnly: false,
      wpCount: 7,
      modifiedWps: ["WP01", "WP02", "WP03", "WP04", "WP05", "WP06", "WP07"],
      unchangedWps: [],
      commitCreated: true,
      dependenciesParsed: expectedDeps,
      bootstrap: { totalWps: 7, newlySeeded: ["WP01", "WP02", "WP03", "WP04", "WP05", "WP06", "WP07"], alreadyInitialized: [] },
      branch: "main",
    });
    // Two commits: the task files, then the status files (the status package's own bookkeeping commit).
    expect(git(root, "log", "--format=%s", `${headBefore}..HEAD`).trim().split("\n")).toEqual([
      "chore(spec-kitty): status transition WP01, WP02, WP03, WP04, WP05, WP06, WP07",
      `Add tasks for feature ${slug}`,
    ]);
    const rel = `kitty-specs/${slug}`;
    const taskFiles = [`${rel}/tasks.md`, ...SEVEN.map((w) => `${rel}/tasks/${w.id}-wp.md`)];
    expect(git(root, "show", "--name-only", "--format=", result.commitHash as string).trim().split("\n")).toEqual(taskFiles);
    expect([...result.filesCommitted].sort()).toEqual(taskFiles);
    expect(git(root, "show", "--name-only", "--format=", "HEAD").trim().split("\n")).toEqual([`${rel}/status.events.jsonl`, `${rel}/status.json`]);
    expect(result.statusCommitHash).toBe(git(root, "rev-parse", "HEAD").trim());
    expect(git(root, "status", "--porcelain", "--untracked-files=all")).toBe("");

    // Front matter: only the dependencies line is new.
    for (const w of SEVEN) {
      const text = readFileSync(join(dir, "tasks", `${w.id}-wp.md`), "utf8");
      const deps = expectedDeps[w.id as keyof typeof expectedDeps];
      expect(text).toBe(wpFile(w.id, w.title, [`dependencies: [${deps.join(", ")}]`]).replace(`dependencies: [${deps.join(", ")}]\nlane: planned\nsubtasks: []\n`, `lane: planned\nsubtasks: []\ndependencies: [${deps.join(", ")}]\n`));
    }

    // The log: seven genesis → planned rows by finalize-tasks, one batch.
    const rows = logRows(dir);
    expect(rows.map((r) => [r["wp_id"], r["from_lane"], r["to_lane"], r["actor"], r["reason"], r["force"]])).toEqual(
      ["WP01", "WP02", "WP03", "WP04", "WP05", "WP06", "WP07"].map((id) => [id, "genesis", "planned", "finalize-tasks", "canonical bootstrap", false]),
    );
    expect(hookEvents).toHaveLength(1);
    expect(hookEvents[0]?.rows).toHaveLength(7);

    // WPCreated: seven, dependency order, one causation id, the canonical payload.
    expect(emitter.facts.map((f) => f.eventType)).toEqual(Array(7).fill("WPCreated"));
    expect(emitter.facts.map((f) => f.aggregateId)).toEqual(["WP01", "WP02", "WP03", "WP04", "WP05", "WP06", "WP07"]);
    const causations = new Set(emitter.facts.map((f) => f.causationId));
    expect(causations.size).toBe(1);
    expect([...causations][0]).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(emitter.facts[3]).toMatchObject({
      aggregateType: "WorkPackage",
      payload: { wp_id: "WP04", wp_title: "Sessions", depends_on: ["WP02", "WP03"], mission_slug: slug, actor: "ana" },
    });
    expect(Object.keys(emitter.facts[3]?.payload ?? {}).sort()).toEqual(["actor", "depends_on", "mission_slug", "wp_id", "wp_title"]);

    // The status reader sees seven planned work packages.
    const snapshot = await (await MissionStatus.load(root, slug)).snapshot();
    expect(Object.entries(snapshot.work_packages).map(([id, wp]) => [id, wp.lane])).toEqual(SEVEN.map((w) => [w.id, "planned"]));
  });

  it("a re-run changes nothing, commits nothing and emits nothing", async () => {
    const { root, dir, slug } = await missionRepo();
    writeTasks(dir, SEVEN);
    await finalize(root, slug).run;
    const before = repoState(root);
    const { emitter, hookEvents, run } = finalize(root, slug);
    const again = await run;
    expect(again).toMatchObject({ modifiedWps: [], commitCreated: false, commitHash: null, filesCommitted: [], statusCommitHash: null, announced: [] });
    expect(again.unchangedWps).toHaveLength(7);
    expect(again.bootstrap).toEqual({ totalWps: 7, newlySeeded: [], alreadyInitialized: ["WP01", "WP02", "WP03", "WP04", "WP05", "WP06", "WP07"] });
    expect(emitter.facts).toEqual([]);
    expect(hookEvents).toEqual([]);
    expect(repoState(root)).toEqual(before);
  });

  it("run from inside a linked worktree, it works on the main checkout's mission and commits there", async () => {
    const { root, dir, slug } = await missionRepo();
    writeTasks(dir, SEVEN.slice(0, 3));
    git(root, "worktree", "add", "-q", join(root, ".worktrees", "lane-a"), "-b", "lane-a");
    const result = await finalize(join(root, ".worktrees", "lane-a"), slug).run;
    expect(result).toMatchObject({ commitCreated: true, branch: "main", bootstrap: { newlySeeded: ["WP01", "WP02", "WP03"] } });
    expect(git(root, "log", "-1", "--format=%s", "main~1").trim()).toBe(`Add tasks for feature ${slug}`);
    expect(git(join(root, ".worktrees", "lane-a"), "log", "-1", "--format=%s").trim()).toBe(`Add spec for feature ${slug}`);
    expect(git(root, "status", "--porcelain", "--untracked-files=all")).toBe("");
  });

  it("a mission made without a status log (by hand, or by an older tool) gets one, committed with the seeding", async () => {
    const { root, dir, slug } = await missionRepo();
    git(root, "rm", "-q", `kitty-specs/${slug}/status.events.jsonl`);
    git(root, "commit", "-q", "-m", "no log");
    writeTasks(dir, SEVEN.slice(0, 2));
    const result = await finalize(root, slug).run;
    expect(result.bootstrap.newlySeeded).toEqual(["WP01", "WP02"]);
    expect(logRows(dir).map((r) => r["wp_id"])).toEqual(["WP01", "WP02"]);
    expect(git(root, "status", "--porcelain", "--untracked-files=all")).toBe("");
  });

  it("a re-run with nothing to do succeeds on any branch (nothing is written, so the target branch need not be checked out)", async () => {
    const { root, dir, slug } = await missionRepo();
    writeTasks(dir, SEVEN.slice(0, 2));
    await finalize(root, slug).run;
    git(root, "switch", "-q", "-c", "feature-x");
    const before = repoState(root);
    const { emitter, run } = finalize(root, slug);
    expect(await run).toMatchObject({ commitCreated: false, modifiedWps: [], announced: [], branch: "feature-x" });
    expect(emitter.facts).toEqual([]);
    expect(repoState(root)).toEqual(before);
  });

  it("task files the author already committed with their dependencies: only the status is written", async () => {
    const { root, dir, slug } = await missionRepo();
    writeTasks(dir, [
      { id: "WP01", title: "A", front: ["dependencies: []"] },
      { id: "WP02", title: "B", tasksDeps: ["Depends on WP01"], front: ["dependencies: \"['WP01']\""] },
    ]);
    git(root, "add", "-A");
    git(root, "commit", "-q", "-m", "author's tasks");
    const head = git(root, "rev-parse", "HEAD").trim();
    const result = await finalize(root, slug).run;
    // The reference's older writer left a Python repr string: read as WP01, rewritten as a list.
    expect(result.modifiedWps).toEqual(["WP02"]);
    expect(readFileSync(join(dir, "tasks", "WP02-wp.md"), "utf8")).toContain("dependencies: [WP01]\n");
    expect(git(root, "log", "--format=%s", `${head}..HEAD`).trim().split("\n")).toEqual([
      "chore(spec-kitty): status transition WP01, WP02",
      `Add tasks for feature ${slug}`,
    ]);
    expect(result.filesCommitted).toEqual([`kitty-specs/${slug}/tasks/WP02-wp.md`]);
  });

  it("a work package added later is the only one seeded and announced", async () => {
    const { root, dir, slug } = await missionRepo();
    writeTasks(dir, SEVEN.slice(0, 2));
    await finalize(root, slug).run;
    writeTasks(dir, SEVEN.slice(0, 3));
    const { emitter, run } = finalize(root, slug);
    const result = await run;
    expect(result.bootstrap).toEqual({ totalWps: 3, newlySeeded: ["WP03"], alreadyInitialized: ["WP01", "WP02"] });
    expect(result.modifiedWps).toEqual(["WP01", "WP02", "WP03"]); // writeTasks rewrote the first two without dependencies
    expect(emitter.facts.map((f) => f.aggregateId)).toEqual(["WP03"]);
    expect(logRows(dir)).toHaveLength(3);
  });

  it("explicit front matter dependencies win over tasks.md, an explicit [] too; other keys and quoting are kept", async () => {
    const { root, dir, slug } = await missionRepo();
    const wps: WpSpec[] = [
      { id: "WP01", title: "A" },
      { id: "WP02", title: "B", tasksDeps: ["Depends on WP01"], front: ["dependencies: []"] },
      { id: "WP03", title: "C", tasksDeps: ["Depends on WP02"], front: ["dependencies:", "- WP01", "custom_key: 'kept'  # a comment"] },
    ];
    writeTasks(dir, wps);
    const original = readFileSync(join(dir, "tasks", "WP03-wp.md"), "utf8");
    const { emitter, run } = finalize(root, slug);
    const result = await run;
    expect(result.dependenciesParsed).toEqual({ WP01: [], WP02: [], WP03: ["WP01"] });
    expect(result.workPackages.map((w) => [w.wpId, w.source])).toEqual([["WP01", "tasks.md"], ["WP02", "frontmatter"], ["WP03", "frontmatter"]]);
    expect(result.unchangedWps).toEqual(["WP02", "WP03"]);
    expect(result.warnings).toEqual([
      `WP02: front matter dependencies [] (kitty-specs/${slug}/tasks/WP02-wp.md:4) differ from tasks.md [WP01] (kitty-specs/${slug}/tasks.md:10); the front matter is kept`,
      `WP03: front matter dependencies [WP01] (kitty-specs/${slug}/tasks/WP03-wp.md:4) differ from tasks.md [WP02] (kitty-specs/${slug}/tasks.md:18); the front matter is kept`,
    ]);
    expect(readFileSync(join(dir, "tasks", "WP03-wp.md"), "utf8")).toBe(original);
    expect(emitter.facts.map((f) => [f.aggregateId, f.payload["depends_on"]])).toEqual([["WP01", []], ["WP02", []], ["WP03", ["WP01"]]]);
  });

  it("--validate-only checks everything and reports what would change, writing nothing", async () => {
    const { root, dir, slug } = await missionRepo();
    writeTasks(dir, SEVEN);
    const before = repoState(root);
    const { emitter, run } = finalize(root, slug, { validateOnly: true });
    const result = await run;
    expect(result).toMatchObject({ validateOnly: true, wpCount: 7, commitCreated: false, announced: [] });
    expect(result.modifiedWps).toHaveLength(7);
    expect(result.bootstrap.newlySeeded).toHaveLength(7);
    expect(emitter.facts).toEqual([]);
    expect(repoState(root)).toEqual(before);
  });
});

describe("finalizeTasks: bad input is an error naming file and line, and nothing is written", () => {
  interface Case {
    readonly name: string;
    readonly setup: (dir: string) => void;
    readonly code: string;
    readonly file?: (slug: string) => string;
    readonly line?: number;
    readonly message: RegExp;
    readonly kind?: "input" | "domain";
  }
  const three: WpSpec[] = [
    { id: "WP01", title: "A" },
    { id: "WP02", title: "B", tasksDeps: ["Depends on WP01"] },
    { id: "WP03", title: "C", tasksDeps: ["### Dependencies", "- WP02"] },
  ];
  const cases: Case[] = [
    { name: "no tasks.md", setup: (d) => rmSync(join(d, "tasks.md")), code: "TASKS_MD_NOT_FOUND", file: (s) => `kitty-specs/${s}/tasks.md`, message: /tasks\.md not found/ },
    {
      name: "a WP file without a tasks.md section",
      setup: (d) => writeFileSync(join(d, "tasks", "WP04-extra.md"), wpFile("WP04", "D")),
      code: "TASKS_COVERAGE_INCOMPLETE",
      file: (s) => `kitty-specs/${s}/tasks/WP04-extra.md`,
      message: /coverage is incomplete: WP04 has a prompt file \(kitty-specs\/.*\/tasks\/WP04-extra\.md\) but no section in tasks\.md/,
    },
    {
      name: "a tasks.md section without a WP file",
      setup: (d) => rmSync(join(d, "tasks", "WP02-wp.md")),
      code: "TASKS_COVERAGE_INCOMPLETE",
      file: (s) => `kitty-specs/${s}/tasks.md`,
      line: 10,
      message: /tasks\.md:10: WP02 has a section but no prompt file/,
    },
    {
      name: "malformed tasks.md (two sections for one WP)",
      setup: (d) => writeFileSync(join(d, "tasks.md"), `${readFileSync(join(d, "tasks.md"), "utf8")}\n## WP01 again\n`),
      code: "TASKS_DUPLICATE_SECTION",
      file: (s) => `kitty-specs/${s}/tasks.md`,
      line: 27,
      message: /a second section for WP01 \(the first is on line 3\)/,
    },
    {
      name: "invalid YAML in front matter",
      setup: (d) => writeFileSync(join(d, "tasks", "WP02-wp.md"), "---\nwork_package_id: WP02\ntitle: [unclosed\nlane: planned\n---\nbody\n"),
      code: "FRONTMATTER_INVALID",
      file: (s) => `kitty-specs/${s}/tasks/WP02-wp.md`,
      message: /WP02-wp\.md:\d+: invalid YAML front matter/,
    },
    {
      name: "no front matter",
      setup: (d) => writeFileSync(join(d, "tasks", "WP02-wp.md"), "# WP02 without front matter\n"),
      code: "FRONTMATTER_MISSING",
      file: (s) => `kitty-specs/${s}/tasks/WP02-wp.md`,
      line: 1,
      message: /WP02-wp\.md:1: no front matter/,
    },
    {
      name: "work_package_id not matching the file name",
      setup: (d) => writeFileSync(join(d, "tasks", "WP02-wp.md"), wpFile("WP05", "B")),
      code: "WP_ID_MISMATCH",
      file: (s) => `kitty-specs/${s}/tasks/WP02-wp.md`,
      line: 2,
      message: /WP02-wp\.md:2: work_package_id is 'WP05' but the file name says WP02/,
    },
    {
      name: "dependencies that are not a list",
      setup: (d) => writeFileSync(join(d, "tasks", "WP02-wp.md"), wpFile("WP02", "B", ["dependencies: {a: 1}"])),
      code: "FRONTMATTER_INVALID",
      file: (s) => `kitty-specs/${s}/tasks/WP02-wp.md`,
      line: 4,
      message: /WP02-wp\.md:4: front matter key 'dependencies' must be a list/,
    },
    {
      name: "front matter the dependencies entry cannot be spliced into",
      setup: (d) => writeFileSync(join(d, "tasks", "WP02-wp.md"), "---\n{work_package_id: WP02, title: B}\n---\nbody\n"),
      code: "FRONTMATTER_UNEDITABLE",
      file: (s) => `kitty-specs/${s}/tasks/WP02-wp.md`,
      message: /WP02-wp\.md: cannot set 'dependencies' in this front matter without changing other keys; nothing was written/,
    },
    {
      name: "an unknown dependency in tasks.md",
      setup: (d) => writeFileSync(join(d, "tasks.md"), readFileSync(join(d, "tasks.md"), "utf8").replace("- WP02", "- WP09")),
      code: "INVALID_DEPENDENCIES",
      file: (s) => `kitty-specs/${s}/tasks.md`,
      line: 25,
      message: /Invalid dependencies for WP03: kitty-specs\/.*\/tasks\.md:25: WP03: Dependency WP09 not found in graph/,
    },
    {
      name: "a self dependency",
      setup: (d) => writeFileSync(join(d, "tasks.md"), readFileSync(join(d, "tasks.md"), "utf8").replace("Depends on WP01", "Depends on WP02")),
      code: "INVALID_DEPENDENCIES",
      line: 16,
      message: /Cannot depend on self: WP02 → WP02/,
    },
    {
      name: "a malformed id in front matter dependencies",
      setup: (d) => writeFileSync(join(d, "tasks", "WP03-wp.md"), wpFile("WP03", "C", ["dependencies: [wp2]"])),
      code: "INVALID_DEPENDENCIES",
      file: (s) => `kitty-specs/${s}/tasks/WP03-wp.md`,
      line: 4,
      message: /Invalid WP ID format: wp2 \(must be WP## like WP01\)/,
    },
    {
      name: "cyclic dependencies",
      setup: (d) => writeFileSync(join(d, "tasks.md"), readFileSync(join(d, "tasks.md"), "utf8").replace("## Work Package WP01: A (Priority: P0)", "## Work Package WP01: A (Priority: P0)\nDepends on WP03")),
      code: "CYCLIC_DEPENDENCIES",
      file: (s) => `kitty-specs/${s}/tasks.md`,
      line: 4,
      message: /Circular dependencies detected: WP01 → WP03 → WP02 → WP01 \[WP01 → WP03 \(kitty-specs\/.*\/tasks\.md:4\), WP03 → WP02 \(.*tasks\.md:26\), WP02 → WP01 \(.*tasks\.md:17\)\]/,
    },
    {
      name: "meta.json that is not JSON",
      setup: (d) => writeFileSync(join(d, "meta.json"), '{\n  "mission_slug": "x",\n  oops\n}\n'),
      code: "META_INVALID",
      message: /meta\.json:3: meta\.json is not valid JSON/,
      line: 3,
    },
    {
      name: "meta.json without target_branch",
      setup: (d) => {
        const meta = JSON.parse(readFileSync(join(d, "meta.json"), "utf8")) as Record<string, unknown>;
        delete meta["target_branch"];
        writeFileSync(join(d, "meta.json"), JSON.stringify(meta));
      },
      code: "META_INVALID",
      message: /meta\.json: field 'target_branch' is required/,
    },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const { root, dir, slug } = await missionRepo();
      writeTasks(dir, three);
      c.setup(dir);
      const before = repoState(root);
      const { emitter, run } = finalize(root, slug);
      const e = await failure(run);
      expect(e.code).toBe(c.code);
      expect(e.kind).toBe(c.kind ?? "input");
      expect(e.message).toMatch(c.message);
      if (c.file !== undefined) expect(e.file).toBe(c.file(slug));
      if (c.line !== undefined) expect(e.line).toBe(c.line);
      expect(emitter.facts).toEqual([]);
      expect(repoState(root)).toEqual(before);
    });
  }

  it("the cycle error lists every cycle in details", async () => {
    const { root, dir, slug } = await missionRepo();
    writeTasks(dir, [
      { id: "WP01", title: "A", tasksDeps: ["Depends on WP02"] },
      { id: "WP02", title: "B", tasksDeps: ["Depends on WP01"] },
      { id: "WP03", title: "C", tasksDeps: ["Depends on WP04"] },
      { id: "WP04", title: "D", tasksDeps: ["Depends on WP03"] },
    ]);
    const e = await failure(finalize(root, slug).run);
    expect(e.details?.["cycles"]).toEqual([["WP01", "WP02", "WP01"], ["WP03", "WP04", "WP03"]]);
  });

  it("a commit git refuses (a failing pre-commit hook): a domain error, the files and the index as they were, nothing seeded or emitted", async () => {
    const { root, dir, slug } = await missionRepo();
    writeTasks(dir, three);
    writeFileSync(join(root, ".git", "hooks", "pre-commit"), "#!/bin/sh\necho 'policy: no commits today' >&2\nexit 1\n", { mode: 0o755 });
    const before = repoState(root);
    const { emitter, hookEvents, run } = finalize(root, slug);
    const e = await failure(run);
    expect([e.code, e.kind]).toEqual(["GIT_FAILED", "domain"]);
    expect(e.message).toContain("policy: no commits today");
    expect(emitter.facts).toEqual([]);
    expect(hookEvents).toEqual([]);
    expect(repoState(root)).toEqual(before);
  });

  it("the main checkout on another branch than the mission's target: a domain error, nothing written", async () => {
    const { root, dir, slug } = await missionRepo();
    writeTasks(dir, three);
    git(root, "switch", "-q", "-c", "elsewhere");
    const before = repoState(root);
    const e = await failure(finalize(root, slug).run);
    expect([e.code, e.kind, e.field]).toEqual(["TARGET_BRANCH_NOT_CHECKED_OUT", "domain", "target_branch"]);
    expect(e.message).toContain("'elsewhere' checked out");
    expect(e.hint).toBe("git switch main, then run finalize-tasks again");
    expect(repoState(root)).toEqual(before);
  });
});
