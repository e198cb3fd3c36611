import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  BookkeepingError,
  CoordAuthorityUnavailable,
  CoordinationBranchDeleted,
  MissionMetadataUnavailable,
  MissionStatus,
} from "../src/index.ts";
import { git, makeRepo, missionMeta, seedRows, ULIDS, wpIds, type TempRepo } from "./support/git-repo.ts";

/** The topology decision against real repositories and worktrees, every case of the truth table. */

const repos: TempRepo[] = [];
afterEach(() => {
  for (const repo of repos.splice(0)) repo.cleanup();
});

const COORD_SLUG = "coord-mission-01KZY1JB";
const COORD_BRANCH = `kitty/mission-${COORD_SLUG}`;
const coordMeta = () => missionMeta(COORD_SLUG, ULIDS.a, { topology: "coord", coordination_branch: COORD_BRANCH });
const coordWorktree = (root: string) => join(root, ".worktrees", `${COORD_SLUG}-coord`);

/** A coordination mission: the branch exists; its status history lives there, the primary copy is stale. */
const coordRepo = (options: { branch?: boolean } = {}) => {
  const repo = makeRepo([{ dir: COORD_SLUG, meta: coordMeta(), wps: wpIds(2) }]);
  repos.push(repo);
  if (options.branch !== false) git(repo.root, "branch", COORD_BRANCH);
  return repo;
};

const materialize = (root: string) => git(root, "worktree", "add", "-q", coordWorktree(root), COORD_BRANCH);

describe("legacy topology", () => {
  it("reads and commits in the primary checkout on the target branch", async () => {
    const slug = "legacy-01KZY1JB";
    const repo = makeRepo([{ dir: slug, meta: missionMeta(slug, ULIDS.a), wps: wpIds(2) }]);
    repos.push(repo);
    const status = await MissionStatus.load(repo.root, slug);
    expect(status.topology).toBe("legacy");
    expect(status.readDir).toBe(join(repo.root, "kitty-specs", slug));
    expect(status.coordinationBranch).toBeNull();
    const { receipt } = await status.transition({ wpId: "WP01", toLane: "claimed", actor: "alice" });
    expect(receipt).toMatchObject({ destinationRef: "main", worktreeRoot: repo.root, committed: true, isNoop: false });
    expect(git(repo.root, "rev-parse", "main").trim()).toBe(receipt.commitSha);
  });

  it("a mission whose target branch is checked out nowhere can be read but not written", async () => {
    const slug = "legacy-01KZY1JB";
    const repo = makeRepo([{ dir: slug, meta: missionMeta(slug, ULIDS.a, { target_branch: "release" }), wps: wpIds(2) }]);
    repos.push(repo);
    const status = await MissionStatus.load(repo.root, slug);
    expect((await status.workPackage("WP01")).currentLane).toBe("planned");
    const log = readFileSync(join(status.readDir, "status.events.jsonl"));
    await expect(status.transition({ wpId: "WP01", toLane: "claimed", actor: "alice" })).rejects.toMatchObject({
      code: "BOOKKEEPING_POLICY_REFUSED",
      message: expect.stringContaining("target branch 'release' does not exist"),
    });
    expect(readFileSync(join(status.readDir, "status.events.jsonl")).equals(log)).toBe(true);
  });
});

describe("coordination topology", () => {
  it("materialized worktree: reads and commits on the coordination branch, the primary copy untouched", async () => {
    const repo = coordRepo();
    materialize(repo.root);
    const primaryLog = readFileSync(join(repo.root, "kitty-specs", COORD_SLUG, "status.events.jsonl"));
    const mainHead = git(repo.root, "rev-parse", "main").trim();
    const status = await MissionStatus.load(repo.root, "01KZY1JB");
    expect(status.topology).toBe("coordination");
    expect(status.resolvedTopology.coordinationWorktree).toBe("materialized");
    expect(status.readDir).toBe(join(coordWorktree(repo.root), "kitty-specs", COORD_SLUG));
    const { receipt } = await status.transition({ wpId: "WP02", toLane: "claimed", actor: "alice" });
    expect(receipt).toMatchObject({ destinationRef: COORD_BRANCH, worktreeRoot: coordWorktree(repo.root), committed: true });
    expect(git(repo.root, "rev-parse", COORD_BRANCH).trim()).toBe(receipt.commitSha);
    expect(git(repo.root, "rev-parse", "main").trim()).toBe(mainHead);
    expect(readFileSync(join(repo.root, "kitty-specs", COORD_SLUG, "status.events.jsonl")).equals(primaryLog)).toBe(true);
    expect(git(coordWorktree(repo.root), "status", "--porcelain")).toBe("");
  });

  it("declared but not yet created: the primary is read, the first write creates the worktree and commits there", async () => {
    const repo = coordRepo();
    const status = await MissionStatus.load(repo.root, COORD_SLUG);
    expect(status.topology).toBe("coordination");
    expect(status.resolvedTopology.coordinationWorktree).toBe("pending");
    expect(status.readDir).toBe(join(repo.root, "kitty-specs", COORD_SLUG));
    expect((await status.workPackage("WP01")).currentLane).toBe("planned");
    const { receipt } = await status.transition({ wpId: "WP01", toLane: "claimed", actor: "alice" });
    expect(existsSync(coordWorktree(repo.root))).toBe(true);
    expect(receipt).toMatchObject({ destinationRef: COORD_BRANCH, worktreeRoot: coordWorktree(repo.root) });
    expect(status.readDir).toBe(join(coordWorktree(repo.root), "kitty-specs", COORD_SLUG));
    expect(status.resolvedTopology.coordinationWorktree).toBe("materialized");
    expect(git(repo.root, "log", "-1", "--format=%s", COORD_BRANCH).trim()).toBe("chore(spec-kitty): status transition WP01");
    expect(git(repo.root, "log", "-1", "--format=%s", "main").trim()).toBe("initial");
    const reloaded = await MissionStatus.load(repo.root, COORD_SLUG);
    expect(reloaded.resolvedTopology.coordinationWorktree).toBe("materialized");
    expect((await reloaded.workPackage("WP01")).currentLane).toBe("claimed");
  });

  it("a materialized but empty coordination worktree fails closed, never falling back to the primary", async () => {
    const repo = coordRepo();
    mkdirSync(coordWorktree(repo.root), { recursive: true });
    const error = await MissionStatus.load(repo.root, COORD_SLUG).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoordAuthorityUnavailable);
    expect(error).toMatchObject({ code: "COORD_AUTHORITY_UNAVAILABLE", missionSlug: COORD_SLUG });
    expect((error as Error).message).toContain("exists but is empty");
    expect((error as Error).message).toContain("Primary checkout (stale, not used)");
  });

  it("a coordination worktree without the mission directory fails closed", async () => {
    const repo = coordRepo();
    materialize(repo.root);
    rmSync(join(coordWorktree(repo.root), "kitty-specs"), { recursive: true });
    await expect(MissionStatus.load(repo.root, COORD_SLUG)).rejects.toMatchObject({
      _tag: "CoordAuthorityUnavailable",
      message: expect.stringContaining(`has no kitty-specs/${COORD_SLUG}`),
    });
  });

  it("a directory at the coordination path that is not a registered worktree fails closed", async () => {
    const repo = coordRepo();
    const dir = join(coordWorktree(repo.root), "kitty-specs", COORD_SLUG);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "status.events.jsonl"), seedRows(COORD_SLUG, ULIDS.a, wpIds(2)));
    await expect(MissionStatus.load(repo.root, COORD_SLUG)).rejects.toMatchObject({
      _tag: "CoordAuthorityUnavailable",
      message: expect.stringContaining("not a registered git worktree"),
    });
  });

  it("a declared coordination branch that no longer exists is CoordinationBranchDeleted", async () => {
    const repo = coordRepo({ branch: false });
    const error = await MissionStatus.load(repo.root, COORD_SLUG).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CoordinationBranchDeleted);
    expect(error).toMatchObject({ code: "COORDINATION_BRANCH_DELETED", branch: COORD_BRANCH });
  });

  it("a coordination branch without the mission directory: the first write fails and keeps no worktree", async () => {
    const repo = coordRepo({ branch: false });
    git(repo.root, "checkout", "-q", "--orphan", COORD_BRANCH);
    git(repo.root, "rm", "-rq", "--cached", ".");
    git(repo.root, "commit", "-q", "--allow-empty", "-m", "empty coordination branch");
    git(repo.root, "checkout", "-q", "-f", "main");
    const status = await MissionStatus.load(repo.root, COORD_SLUG);
    const error = await status.transition({ wpId: "WP01", toLane: "claimed", actor: "alice" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BookkeepingError);
    expect((error as BookkeepingError).code).toBe("BOOKKEEPING_WORKTREE_MISSING");
    expect(existsSync(coordWorktree(repo.root))).toBe(false);
  });
});

describe("unreadable meta.json fails closed", () => {
  const cases: [string, (dir: string) => void, RegExp][] = [
    ["invalid JSON", (dir) => writeFileSync(join(dir, "meta.json"), "{ not json"), /invalid JSON/],
    ["not an object", (dir) => writeFileSync(join(dir, "meta.json"), "[1, 2]\n"), /expected a JSON object/],
    [
      "a mistyped coordination_branch",
      (dir) => writeFileSync(join(dir, "meta.json"), JSON.stringify({ ...coordMeta(), coordination_branch: 42 })),
      /'coordination_branch' must be a string/,
    ],
    [
      "a stored topology that contradicts the coordination branch",
      (dir) => writeFileSync(join(dir, "meta.json"), JSON.stringify({ ...coordMeta(), topology: "single_branch" })),
      /does not route through coordination/,
    ],
    ["a directory in place of the file", (dir) => (rmSync(join(dir, "meta.json")), mkdirSync(join(dir, "meta.json"))), /cannot read meta.json/],
    ["a missing file", (dir) => rmSync(join(dir, "meta.json")), /meta.json not found/],
  ];
  for (const [name, damage, reason] of cases) {
    it(name, async () => {
      const repo = coordRepo();
      damage(join(repo.root, "kitty-specs", COORD_SLUG));
      const error = await MissionStatus.load(repo.root, COORD_SLUG).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MissionMetadataUnavailable);
      expect((error as MissionMetadataUnavailable).reason).toMatch(reason);
      expect((error as MissionMetadataUnavailable).metaPath).toBe(join(repo.root, "kitty-specs", COORD_SLUG, "meta.json"));
    });
  }
});
