import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MissionStatus } from "@spec-kitty/status";
import { git, makeMissionRepo, missionMeta, tempDirs } from "@spec-kitty/test-support";
import { afterAll, describe, expect, it } from "vitest";
import { runCliProcess } from "./cli-process.ts";

/** `spec-kitty implement` and `spec-kitty merge` as processes: stdout, stderr and exit codes of the CLI contract. */

const DIR = "001-shop";
const temps = tempDirs("sk-im-cli-");
afterAll(temps.cleanup);

/** Two planned WPs with front matter, and a tracked file both will change (so their merges conflict). */
const makeRepo = (): string => {
  const root = makeMissionRepo(temps, [{ dir: DIR, meta: missionMeta(DIR, "01KZY1JBHRNZG2PXBPFHQ66DA3"), wps: ["WP01", "WP02"] }], { who: "E2E" });
  for (const wp of ["WP01", "WP02"]) writeFileSync(join(root, "kitty-specs", DIR, "tasks", `${wp}-x.md`), `---\nwork_package_id: ${wp}\ntitle: ${wp}\ndependencies: []\n---\n`);
  writeFileSync(join(root, "shared.txt"), "base\n");
  git(root, "add", "-A");
  git(root, "commit", "-q", "-m", "tasks");
  return root;
};

const cli = (root: string, ...args: string[]) => runCliProcess([...args, "--actor", "e2e"], { cwd: root });

const approve = async (root: string, wp: string): Promise<void> => {
  const status = await MissionStatus.load(root, DIR);
  const review = { reviewer: "rita", verdict: "approved", reference: `review://${wp}` };
  await status.transitionBatch([
    { wpId: wp, toLane: "for_review", actor: "e2e", subtasksComplete: true, implementationEvidencePresent: true },
    { wpId: wp, toLane: "in_review", actor: "rita" },
    { wpId: wp, toLane: "approved", actor: "rita", reviewRef: review.reference, reviewResult: review, evidence: { review } },
  ]);
};

describe("spec-kitty implement / merge (processes)", () => {
  it("usage errors exit 2 and write nothing", () => {
    const root = makeRepo();
    const bad = cli(root, "implement", "WP1", "--json");
    expect(bad.status).toBe(2);
    expect(JSON.parse(bad.stdout).error.code).toBe("INVALID_WP_ID");
    const flags = cli(root, "merge", "--keep-branch", "--delete-branch");
    expect(flags.status).toBe(2);
    expect(flags.stdout).toBe("");
    expect(flags.stderr).toContain("--delete-branch and --keep-branch");
    expect(existsSync(join(root, ".worktrees"))).toBe(false);
  });

  it("a conflict exits 1 with one JSON error naming the files and commands; --abort restores; text output otherwise", async () => {
    const root = makeRepo();
    for (const [wp, text] of [["WP01", "one\n"], ["WP02", "two\n"]] as const) {
      const run = cli(root, "implement", wp, "--json");
      expect(run.status, run.stderr).toBe(0);
      const ws = JSON.parse(run.stdout).workspace_path as string;
      writeFileSync(join(ws, "shared.txt"), text);
      git(ws, "commit", "-q", "-am", `${wp} work`);
      await approve(root, wp);
    }
    const start = git(root, "rev-parse", "main").trim();
    const conflict = cli(root, "merge", "--json");
    expect(conflict.status).toBe(1);
    const lines = conflict.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    const error = JSON.parse(lines[0] as string).error;
    expect(error).toMatchObject({ code: "MERGE_CONFLICT", wp_id: "WP02", conflicts: ["shared.txt"], workspace: root });
    expect(error.commands).toContain("spec-kitty merge --resume");
    expect(readFileSync(join(root, ".kittify", "merge-state.json"), "utf8")).toContain('"current_wp": "WP02"');
    const resumeTooEarly = cli(root, "merge", "--resume");
    expect(resumeTooEarly.status).toBe(1);
    expect(resumeTooEarly.stderr).toContain("still in progress");
    const abort = cli(root, "merge", "--abort");
    expect(abort.status, abort.stderr).toBe(0);
    expect(abort.stdout).toContain("Merge aborted");
    expect(git(root, "rev-parse", "main").trim()).toBe(start);
    expect(git(root, "status", "--porcelain")).toBe("");
    const dry = cli(root, "merge", "--dry-run");
    expect(dry.status, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`1. WP01 (approved): git merge ${DIR}-WP01`);
    expect(dry.stdout).toContain(`2. WP02 (approved): git merge ${DIR}-WP02`);
  });
});
