import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  git,
  makeMissionRepo,
  missionMeta,
  REPO_ROOT,
  referenceJsonLine,
  runNode,
  runProcess,
  seedLog,
  tempDirs,
  wpIds,
} from "../src/index.ts";

const temps = tempDirs("sk-support-");
afterAll(temps.cleanup);

describe("@spec-kitty/test-support", () => {
  it("writes lines in the reference's json.dumps(sort_keys=True) form", () => {
    expect(referenceJsonLine({ b: 1, a: "x", c: null, d: false })).toBe('{"a": "x", "b": 1, "c": null, "d": false}');
  });

  it("seeds one genesis -> planned line per work package, in order, newline-terminated", () => {
    const log = seedLog("m-1", "01KZY1JBHRNZG2PXBPFHQ66DA3", wpIds(3));
    const rows = log.split("\n");
    expect(rows.pop()).toBe("");
    expect(rows.map((line) => JSON.parse(line) as Record<string, unknown>).map((r) => [r["wp_id"], r["from_lane"], r["to_lane"], r["mission_id"]])).toEqual([
      ["WP01", "genesis", "planned", "01KZY1JBHRNZG2PXBPFHQ66DA3"],
      ["WP02", "genesis", "planned", "01KZY1JBHRNZG2PXBPFHQ66DA3"],
      ["WP03", "genesis", "planned", "01KZY1JBHRNZG2PXBPFHQ66DA3"],
    ]);
    expect(new Set(rows.map((line) => (JSON.parse(line) as { event_id: string }).event_id)).size).toBe(3);
  });

  it("makes a repository on main with the missions committed and .worktrees ignored", () => {
    const root = makeMissionRepo(temps, [{ dir: "m-1", meta: missionMeta("m-1", null), wps: wpIds(2), wpFiles: true }], { who: "Support Test" });
    expect(git(root, "rev-parse", "--abbrev-ref", "HEAD").trim()).toBe("main");
    expect(git(root, "status", "--porcelain")).toBe("");
    expect(git(root, "log", "--format=%an <%ae>").trim()).toBe("Support Test <support-test@example.invalid>");
    expect(git(root, "ls-files").trim().split("\n")).toEqual([
      ".gitignore",
      "kitty-specs/m-1/meta.json",
      "kitty-specs/m-1/status.events.jsonl",
      "kitty-specs/m-1/tasks/WP01-task.md",
      "kitty-specs/m-1/tasks/WP02-task.md",
    ]);
    expect(readFileSync(join(root, ".gitignore"), "utf8")).toBe(".worktrees/\n");
  });

  it("removes every temporary folder it made on cleanup", () => {
    const own = tempDirs();
    const a = own.make();
    const b = own.make("sk-other-");
    own.cleanup();
    expect([existsSync(a), existsSync(b)]).toEqual([false, false]);
  });

  it("runs processes from the repository root by default and reports their exit code and streams", () => {
    const run = runNode("-e", ["process.stdout.write(process.cwd()); process.stderr.write('e'); process.exit(3)"]);
    expect(run).toEqual({ status: 3, stdout: REPO_ROOT, stderr: "e" });
    const killed = runProcess("sleep", ["5"], { timeout: 200 });
    expect(killed.status).toBe(-1);
    process.env["SK_SUPPORT_PROBE"] = "inherited";
    const show = "process.stdout.write(JSON.stringify([process.env.SK_SUPPORT_PROBE ?? null, process.env.ONLY ?? null]))";
    expect(runNode("-e", [show]).stdout).toBe('["inherited",null]');
    expect(runNode("-e", [show], { inheritEnv: false, env: { ONLY: "this" } }).stdout).toBe('[null,"this"]');
  });
});
