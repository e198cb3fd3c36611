import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as Either from "effect/Either";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseEventLog, renderStatus } from "../src/index.ts";
import { git, makeRepo, missionMeta, ULIDS, wpIds, type TempRepo } from "./support/git-repo.ts";

/**
 * Eight processes move eight work packages of one mission 25 times each while two more race to claim a
 * ninth; every move is a real commit. Nothing may be lost, duplicated or interleaved.
 */

const SLUG = "concurrency-01KZY1JB";
const WORKERS = wpIds(8);
const RACED = "WP09";
const MOVES = 25;
const CYCLE = ["claimed", "in_progress", "planned"] as const;
const lanesFor = (n: number) => Array.from({ length: n }, (_, i) => CYCLE[i % CYCLE.length] as string);
const workerScript = join(import.meta.dirname, "support", "transition-worker.ts");

interface WorkerLine {
  readonly ok: boolean;
  readonly wp: string;
  readonly from?: string;
  readonly to: string;
  readonly eventId?: string;
  readonly eventIds?: string[];
  readonly commit?: string;
  readonly tag?: string;
  readonly code?: string;
  readonly message?: string;
}

const runWorker = (job: object): { done: Promise<WorkerLine[]> } => {
  const child = spawn(process.execPath, [workerScript, JSON.stringify(job)], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr.on("data", (d: Buffer) => (err += d.toString()));
  return {
    done: new Promise((resolve, reject) =>
      child.on("close", (code) => {
        if (code !== 0) reject(new Error(`worker exited ${code}: ${err}`));
        else resolve(out.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as WorkerLine));
      }),
    ),
  };
};

let repo: TempRepo;
let results: WorkerLine[][];
let missionDir: string;
const logRel = `kitty-specs/${SLUG}/status.events.jsonl`;
const statusRel = `kitty-specs/${SLUG}/status.json`;

beforeAll(async () => {
  repo = makeRepo([{ dir: SLUG, meta: missionMeta(SLUG, ULIDS.a), wps: [...WORKERS, RACED] }]);
  missionDir = join(repo.root, "kitty-specs", SLUG);
  const barrier = mkdtempSync(join(tmpdir(), "sk-barrier-"));
  cleanups.push(() => rmSync(barrier, { recursive: true, force: true }));
  const jobs = [
    ...WORKERS.map((wp) => ({ repo: repo.root, mission: SLUG, wp, lanes: lanesFor(MOVES), actor: `agent-${wp}`, barrier })),
    { repo: repo.root, mission: "01KZY1JB", wp: RACED, lanes: ["claimed"], actor: "racer-a", barrier },
    { repo: repo.root, mission: SLUG, wp: RACED, lanes: ["claimed"], actor: "racer-b", barrier },
  ];
  const running = jobs.map(runWorker);
  // A worker that dies before reaching the barrier fails the suite at once instead of at the hook timeout.
  let died: unknown;
  for (const worker of running) worker.done.catch((cause: unknown) => (died ??= cause));
  while (readdirSync(barrier).length < jobs.length) {
    if (died !== undefined) throw died;
    await new Promise((r) => setTimeout(r, 20));
  }
  writeFileSync(join(barrier, "go"), "");
  results = await Promise.all(running.map((r) => r.done));
}, 180_000);

const cleanups: (() => void)[] = [];
afterAll(() => {
  repo?.cleanup();
  for (const cleanup of cleanups) cleanup();
});

describe("8 processes x 25 transitions plus a race on one work package", () => {
  it("every worker move succeeded, in order, and exactly one racer won", () => {
    for (const lines of results.slice(0, WORKERS.length)) {
      expect(lines.map((l) => [l.ok, l.to])).toEqual(lanesFor(MOVES).map((lane) => [true, lane]));
    }
    const racers = results.slice(WORKERS.length).flat();
    expect(racers.filter((l) => l.ok)).toHaveLength(1);
    const loser = racers.find((l) => !l.ok);
    expect(loser).toMatchObject({
      tag: "TransitionError",
      code: "ILLEGAL_TRANSITION",
      message: "Illegal transition: claimed -> claimed",
    });
  });

  it("the log holds every row once, uninterleaved, each work package's rows in the order they were made", () => {
    const parsed = parseEventLog(readFileSync(join(missionDir, "status.events.jsonl"), "utf8"));
    if (Either.isLeft(parsed)) throw new Error(parsed.left.message);
    const rows = parsed.right.transitions;
    expect(rows).toHaveLength(WORKERS.length + 1 + WORKERS.length * MOVES + 1);
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(rows.length);
    for (const wp of WORKERS) {
      const mine = rows.filter((r) => r.wp_id === wp).map((r) => `${r.from_lane}>${r.to_lane}`);
      const expected = ["genesis>planned", ...lanesFor(MOVES).map((to, i) => `${i === 0 ? "planned" : lanesFor(MOVES)[i - 1]}>${to}`)];
      expect(mine).toEqual(expected);
    }
    const reported = results.flat().filter((l) => l.ok).map((l) => l.eventId);
    expect(new Set(reported)).toEqual(new Set(rows.slice(WORKERS.length + 1).map((r) => r.event_id)));
  });

  it("the committed status.json is what the committed log replays to", () => {
    const committedLog = git(repo.root, "show", `main:${logRel}`);
    const committedStatus = git(repo.root, "show", `main:${statusRel}`);
    expect(committedLog).toBe(readFileSync(join(missionDir, "status.events.jsonl"), "utf8"));
    expect(committedStatus).toBe(readFileSync(join(missionDir, "status.json"), "utf8"));
    const replay = renderStatus(missionDir);
    if (Either.isLeft(replay)) throw new Error(replay.left.message);
    expect(replay.right.bytes).toBe(committedStatus);
    const summary = (JSON.parse(committedStatus) as { summary: Record<string, number> }).summary;
    // 25 moves along the 3-cycle end in claimed; the raced work package was claimed once.
    expect(summary).toMatchObject({ claimed: 9, planned: 0, in_progress: 0 });
    expect(git(repo.root, "status", "--porcelain")).toBe("");
  });

  it("each commit touches exactly the two status files and adds exactly its own events", () => {
    const commits = git(repo.root, "rev-list", "main").trim().split("\n");
    expect(commits).toHaveLength(1 + WORKERS.length * MOVES + 1);
    const names = git(repo.root, "log", "--format=commit-of-test %H", "--name-only", `main~${commits.length - 1}..main`);
    for (const block of names.split(/^commit-of-test /m).filter(Boolean)) {
      const [, ...files] = block.trim().split("\n").filter(Boolean);
      expect(files.sort()).toEqual([logRel, statusRel]);
    }
    const patch = git(repo.root, "log", "--format=commit-of-test %H", "-p", "-U0", "--no-color", "main", "--", logRel);
    const added = new Map<string, string[]>();
    for (const block of patch.split(/^commit-of-test /m).filter(Boolean)) {
      const [sha, ...lines] = block.split("\n");
      expect(lines.filter((l) => l.startsWith("-") && !l.startsWith("---"))).toEqual([]);
      added.set(sha as string, lines.filter((l) => l.startsWith("+{")).map((l) => (JSON.parse(l.slice(1)) as { event_id: string }).event_id));
    }
    for (const line of results.flat().filter((l) => l.ok)) {
      expect(added.get(line.commit as string)).toEqual([line.eventId]);
      expect(line.eventIds).toEqual([line.eventId]);
    }
    expect(existsSync(join(repo.root, ".git", "spec-kitty-locks", `${SLUG}.status.lock`))).toBe(false);
  });
});
