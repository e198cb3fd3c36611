import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  BookkeepingError,
  MissionStatus,
  type PostCommitEvent,
  type TransactionStage,
  TransitionError,
} from "../src/index.ts";
import { git, makeRepo, missionMeta, ULIDS, wpIds, type TempRepo } from "./support/git-repo.ts";

const SLUG = "faults-01KZY1JB";
const repos: TempRepo[] = [];
afterEach(() => {
  for (const repo of repos.splice(0)) repo.cleanup();
});

const setup = () => {
  const repo = makeRepo([{ dir: SLUG, meta: missionMeta(SLUG, ULIDS.a), wps: wpIds(3) }]);
  repos.push(repo);
  const dir = join(repo.root, "kitty-specs", SLUG);
  const files = () => ({
    log: readFileSync(join(dir, "status.events.jsonl")),
    status: readFileSync(join(dir, "status.json"), "utf8"),
  });
  return { repo, dir, files };
};

/** One committed move first, so status.json exists and the rollback has bytes to restore. */
const primed = async () => {
  const s = setup();
  const status = await MissionStatus.load(s.repo.root, SLUG);
  await status.transition({ wpId: "WP01", toLane: "claimed", actor: "alice" });
  return { ...s, before: s.files(), head: git(s.repo.root, "rev-parse", "main").trim() };
};

const failAt = (stage: TransactionStage) => (reached: TransactionStage) => {
  if (reached === stage) throw new Error(`injected fault at ${stage}`);
};

describe("faults between the append and the commit", () => {
  for (const stage of ["appended", "materialized"] as const) {
    it(`a failure after '${stage}' leaves the log and status.json byte for byte as before, and no commit`, async () => {
      const { repo, files, before, head } = await primed();
      const status = await MissionStatus.load(repo.root, SLUG, { stageProbe: failAt(stage) });
      const error = await status.transition({ wpId: "WP01", toLane: "in_progress", actor: "alice" }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BookkeepingError);
      expect((error as BookkeepingError).code).toBe("BOOKKEEPING_WRITE_FAILED");
      expect((error as BookkeepingError).message).toContain(`injected fault at ${stage}`);
      const after = files();
      expect(after.log.equals(before.log)).toBe(true);
      expect(after.status).toBe(before.status);
      expect(git(repo.root, "rev-parse", "main").trim()).toBe(head);
      expect(git(repo.root, "status", "--porcelain")).toBe("");
      // The mission still works: the lock was released and the state is the committed one.
      const again = await MissionStatus.load(repo.root, SLUG);
      expect((await again.workPackage("WP01")).currentLane).toBe("claimed");
      await again.transition({ wpId: "WP01", toLane: "in_progress", actor: "alice" });
      expect((await again.workPackage("WP01")).currentLane).toBe("in_progress");
    });
  }

  it("a first write that fails leaves no status.json behind", async () => {
    const { repo, dir } = setup();
    const logBefore = readFileSync(join(dir, "status.events.jsonl"));
    const status = await MissionStatus.load(repo.root, SLUG, { stageProbe: failAt("materialized") });
    await expect(status.transition({ wpId: "WP02", toLane: "claimed", actor: "bob" })).rejects.toBeInstanceOf(BookkeepingError);
    expect(readFileSync(join(dir, "status.events.jsonl")).equals(logBefore)).toBe(true);
    expect(() => readFileSync(join(dir, "status.json"))).toThrow(/ENOENT/);
  });

  it("a branch moved by someone else during the write fails the commit and rolls the files back", async () => {
    const { repo, files, before } = await primed();
    let foreign = "";
    const status = await MissionStatus.load(repo.root, SLUG, {
      stageProbe: (stage) => {
        if (stage !== "materialized") return;
        // A concurrent commit on main, made with plain git, not through the bookkeeping.
        writeFileSync(join(repo.root, "other.txt"), "x\n");
        git(repo.root, "add", "other.txt");
        git(repo.root, "commit", "-q", "-m", "unrelated", "--", "other.txt");
        foreign = git(repo.root, "rev-parse", "main").trim();
      },
    });
    const error = await status.transition({ wpId: "WP02", toLane: "claimed", actor: "bob" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BookkeepingError);
    expect((error as BookkeepingError).code).toBe("BOOKKEEPING_COMMIT_FAILED");
    expect(git(repo.root, "rev-parse", "main").trim()).toBe(foreign);
    const after = files();
    expect(after.log.equals(before.log)).toBe(true);
    expect(after.status).toBe(before.status);
  });

  it("post-commit hooks run after a successful commit only, and their failures do not fail the write", async () => {
    const { repo } = setup();
    const seen: PostCommitEvent[] = [];
    const hookErrors: unknown[] = [];
    const status = await MissionStatus.load(repo.root, SLUG, {
      postCommitHooks: [
        (event) => {
          seen.push(event);
          expect(git(repo.root, "rev-parse", "main").trim()).toBe(event.receipt.commitSha);
        },
        () => {
          throw new Error("sync is down");
        },
      ],
      onPostCommitHookFailure: (e) => hookErrors.push(e),
    });
    const { receipt } = await status.transition({ wpId: "WP01", toLane: "claimed", actor: "alice" });
    expect(seen.map((e) => e.receipt)).toEqual([receipt]);
    expect(seen[0]?.rows.map((r) => r.event_id)).toEqual(receipt.eventIds);
    expect(hookErrors).toHaveLength(1);
    await expect(status.transition({ wpId: "WP01", toLane: "done", actor: "alice" })).rejects.toBeInstanceOf(TransitionError);
    const failing = await MissionStatus.load(repo.root, SLUG, {
      stageProbe: failAt("materialized"),
      postCommitHooks: [(event) => void seen.push(event)],
    });
    await expect(failing.transition({ wpId: "WP02", toLane: "claimed", actor: "bob" })).rejects.toBeInstanceOf(BookkeepingError);
    expect(seen).toHaveLength(1);
  });
});

describe("the mission lock", () => {
  const lockPath = (root: string) => join(root, ".git", "spec-kitty-locks", `${SLUG}.status.lock`);

  it("times out with BOOKKEEPING_LOCK_TIMEOUT while a live process holds it, writing nothing", async () => {
    const { repo, dir } = setup();
    mkdirSync(join(repo.root, ".git", "spec-kitty-locks"), { recursive: true });
    const holder = { pid: process.pid, host: (await import("node:os")).hostname(), started: null, token: "held", acquired_at: "now" };
    writeFileSync(lockPath(repo.root), JSON.stringify(holder));
    const logBefore = readFileSync(join(dir, "status.events.jsonl"));
    const status = await MissionStatus.load(repo.root, SLUG, { lockTimeoutMs: 300 });
    const started = Date.now();
    const error = await status.transition({ wpId: "WP01", toLane: "claimed", actor: "alice" }).catch((e: unknown) => e);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(error).toBeInstanceOf(BookkeepingError);
    expect((error as BookkeepingError).code).toBe("BOOKKEEPING_LOCK_TIMEOUT");
    expect((error as BookkeepingError).message).toContain(`pid ${process.pid}`);
    expect(readFileSync(join(dir, "status.events.jsonl")).equals(logBefore)).toBe(true);
    expect(readFileSync(lockPath(repo.root), "utf8")).toBe(JSON.stringify(holder));
  });

  it("takes over a lock whose holder process is dead", async () => {
    const { repo } = setup();
    const dead = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
    const deadPid = Number(dead.stdout);
    mkdirSync(join(repo.root, ".git", "spec-kitty-locks"), { recursive: true });
    const host = (await import("node:os")).hostname();
    writeFileSync(lockPath(repo.root), JSON.stringify({ pid: deadPid, host, started: null, token: "stale", acquired_at: "then" }));
    const status = await MissionStatus.load(repo.root, SLUG, { lockTimeoutMs: 2_000 });
    const { receipt } = await status.transition({ wpId: "WP01", toLane: "claimed", actor: "alice" });
    expect(receipt.committed).toBe(true);
    expect(() => readFileSync(lockPath(repo.root))).toThrow(/ENOENT/);
  });

  it("takes over a lock file left empty by a process that died right after creating it", async () => {
    const { repo } = setup();
    mkdirSync(join(repo.root, ".git", "spec-kitty-locks"), { recursive: true });
    writeFileSync(lockPath(repo.root), "");
    const old = new Date(Date.now() - 60_000);
    utimesSync(lockPath(repo.root), old, old);
    const status = await MissionStatus.load(repo.root, SLUG, { lockTimeoutMs: 2_000 });
    await status.transition({ wpId: "WP01", toLane: "claimed", actor: "alice" });
    expect((await status.workPackage("WP01")).currentLane).toBe("claimed");
  });

  it("is shared by every worktree: a write from a linked worktree waits for the same lock", async () => {
    const { repo } = setup();
    git(repo.root, "worktree", "add", "-q", "-b", "lane-a", join(repo.root, ".worktrees", "lane-a"));
    mkdirSync(join(repo.root, ".git", "spec-kitty-locks"), { recursive: true });
    writeFileSync(lockPath(repo.root), JSON.stringify({ pid: process.pid, host: (await import("node:os")).hostname(), started: null, token: "t", acquired_at: "now" }));
    const fromLane = await MissionStatus.load(join(repo.root, ".worktrees", "lane-a"), SLUG, { lockTimeoutMs: 200 });
    await expect(fromLane.transition({ wpId: "WP01", toLane: "claimed", actor: "alice" })).rejects.toMatchObject({
      code: "BOOKKEEPING_LOCK_TIMEOUT",
    });
  });
});
