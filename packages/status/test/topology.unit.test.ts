import { describe, expect, it } from "vitest";
import { parseMissionMeta } from "../src/aggregate/meta.ts";
import { coordinationDirName, resolveTopology, type TopologyFacts } from "../src/aggregate/topology.ts";
import { parseWorktreeList } from "../src/internal/git.ts";

/** The topology truth table as a pure function of meta.json and repository facts. */

const ID = "01KZY1JBHRNZG2PXBPFHQ66DA3";
const legacyMeta = parseMissionMeta(JSON.stringify({ mission_slug: "m-01KZY1JB", mission_id: ID, target_branch: "main" }), "/p/meta.json", "m-01KZY1JB");
const coordMeta = parseMissionMeta(
  JSON.stringify({ mission_slug: "m-01KZY1JB", mission_id: ID, target_branch: "main", topology: "coord", coordination_branch: "kitty/mission-m-01KZY1JB" }),
  "/p/meta.json",
  "m-01KZY1JB",
);
const primary = { path: "/r", branch: "refs/heads/main", head: "a".repeat(40), bare: false };
const coordPath = "/r/.worktrees/m-01KZY1JB-coord";
const facts = (over: Partial<TopologyFacts> = {}): TopologyFacts => ({
  primaryRoot: "/r",
  missionDir: "m-01KZY1JB",
  worktrees: [primary],
  coordination: null,
  targetBranchExists: null,
  ...over,
});
const coordFacts = (worktreeDir: "absent" | "empty" | "without-mission-dir" | "present", registered: string | null, branchExists = true) =>
  facts({
    worktrees: registered === null ? [primary] : [primary, { path: coordPath, branch: registered, head: "b".repeat(40), bare: false }],
    coordination: { branchExists, worktreePath: coordPath, missionDirName: "m-01KZY1JB", worktreeDir },
  });

describe("resolveTopology", () => {
  it("legacy, target branch checked out in the primary: read and commit there", () => {
    expect(resolveTopology(legacyMeta, facts())).toEqual({
      topology: "legacy",
      readDir: "/r/kitty-specs/m-01KZY1JB",
      coordinationBranch: null,
      coordinationWorktree: null,
      write: { kind: "commit", missionDir: "/r/kitty-specs/m-01KZY1JB", worktree: "/r", branch: "main" },
    });
  });

  it("legacy, target branch only in a linked worktree: that worktree", () => {
    const t = resolveTopology(legacyMeta, facts({
      worktrees: [{ ...primary, branch: "refs/heads/feature" }, { path: "/w/main", branch: "refs/heads/main", head: null, bare: false }],
    }));
    expect(t.readDir).toBe("/w/main/kitty-specs/m-01KZY1JB");
    expect(t.write).toMatchObject({ kind: "commit", worktree: "/w/main", branch: "main" });
  });

  it("legacy, target branch checked out nowhere: reads the primary, refuses writes", () => {
    const t = resolveTopology(legacyMeta, facts({ worktrees: [{ ...primary, branch: "refs/heads/feature" }], targetBranchExists: true }));
    expect(t.readDir).toBe("/r/kitty-specs/m-01KZY1JB");
    expect(t.write).toMatchObject({ kind: "refused", branch: "main" });
    expect(t.write.kind === "refused" && t.write.reason).toContain("primary checkout has feature");
  });

  it("legacy, not a git work tree: written without a commit", () => {
    expect(resolveTopology(legacyMeta, facts({ worktrees: null })).write).toEqual({ kind: "uncommitted", missionDir: "/r/kitty-specs/m-01KZY1JB" });
  });

  it("coordination, registered worktree with the mission dir: read and commit there", () => {
    const t = resolveTopology(coordMeta, coordFacts("present", "refs/heads/kitty/mission-m-01KZY1JB"));
    expect(t).toMatchObject({ topology: "coordination", coordinationWorktree: "materialized", readDir: `${coordPath}/kitty-specs/m-01KZY1JB` });
    expect(t.write).toEqual({ kind: "commit", missionDir: `${coordPath}/kitty-specs/m-01KZY1JB`, worktree: coordPath, branch: "kitty/mission-m-01KZY1JB" });
  });

  it("coordination declared, worktree not created: the primary until the first write creates it", () => {
    const t = resolveTopology(coordMeta, coordFacts("absent", null));
    expect(t).toMatchObject({ topology: "coordination", coordinationWorktree: "pending", readDir: "/r/kitty-specs/m-01KZY1JB" });
    expect(t.write.kind).toBe("create-coordination-worktree");
  });

  it.each([
    ["an empty worktree dir", coordFacts("empty", null), "CoordAuthorityUnavailable"],
    ["a worktree without the mission dir", coordFacts("without-mission-dir", "refs/heads/kitty/mission-m-01KZY1JB"), "CoordAuthorityUnavailable"],
    ["an unregistered directory", coordFacts("present", null), "CoordAuthorityUnavailable"],
    ["a worktree on another branch", coordFacts("present", "refs/heads/main"), "CoordAuthorityUnavailable"],
    ["a deleted branch", coordFacts("absent", null, false), "CoordinationBranchDeleted"],
    ["no git work tree", facts({ worktrees: null }), "CoordAuthorityUnavailable"],
  ])("coordination with %s fails closed", (_, f, tag) => {
    expect(() => resolveTopology(coordMeta, f)).toThrow(expect.objectContaining({ _tag: tag }));
  });

  it("names the coordination directory after the slug verbatim when it already ends in -<mid8>", () => {
    expect(coordinationDirName("m-01KZY1JB", ID)).toBe("m-01KZY1JB");
    expect(coordinationDirName("042-old-name", ID)).toBe("042-old-name-01KZY1JB");
  });
});

describe("meta.json and git facts", () => {
  it("rejects a mission_id that is not a ULID and a missing target branch", () => {
    expect(() => parseMissionMeta('{"mission_id": "nope", "target_branch": "main"}', "/m.json", "d")).toThrow(/not a ULID/);
    expect(() => parseMissionMeta(`{"mission_id": "${ID}"}`, "/m.json", "d")).toThrow(/'target_branch' is required/);
    expect(() => parseMissionMeta(`{"target_branch": "main", "coordination_branch": "x"}`, "/m.json", "d")).toThrow(/'mission_id' is missing/);
    expect(parseMissionMeta(`{"target_branch": "main", "coordination_branch": "  "}`, "/m.json", "d").coordinationBranch).toBeNull();
  });

  it("parses git worktree list --porcelain, main worktree first", () => {
    const text = "worktree /r\nHEAD abc\nbranch refs/heads/main\n\nworktree /r/.worktrees/x\nHEAD def\ndetached\n\nworktree /bare\nbare\n\n";
    expect(parseWorktreeList(text)).toEqual([
      { path: "/r", branch: "refs/heads/main", head: "abc", bare: false },
      { path: "/r/.worktrees/x", branch: null, head: "def", bare: false },
      { path: "/bare", branch: null, head: null, bare: true },
    ]);
  });
});
