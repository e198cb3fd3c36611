import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tempDirs } from "@spec-kitty/test-support";
import { afterAll, describe, expect, it } from "vitest";
import type { OrchestrationState } from "../src/index.ts";
import { fakeEnv, invocations, lanesOf, logRows, missionRepo, writeAgents } from "./orchestrate-helpers.ts";

const temps = tempDirs("sk-orch-crash-");
afterAll(() => temps.cleanup());

const CHILD = join(import.meta.dirname, "fixtures", "orchestrate-child.ts");
const GRAPH = { WP01: [], WP02: ["WP01"], WP03: ["WP02"], WP04: [] };

const runChild = (root: string, mode: "start" | "resume", report: string, env: NodeJS.ProcessEnv) => {
  const child = spawn(process.execPath, [CHILD, root, mode, report], { env, stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
};

const readState = (root: string): OrchestrationState | null => {
  try {
    return JSON.parse(readFileSync(join(root, ".kittify", "orchestration-state.json"), "utf8")) as OrchestrationState;
  } catch {
    return null;
  }
};

const until = async (what: string, f: () => boolean, ms = 60_000): Promise<void> => {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe("kill -9 mid-run, then --resume", () => {
  it("finishes every work package, implements none twice after it completed, loses no event", async () => {
    const root = missionRepo(temps, GRAPH);
    const fake = temps.make("sk-fake-");
    writeAgents(root, { alpha: { impl: "succeed", review: "approve" }, beta: { impl: "succeed", review: "approve" } });
    const report = join(temps.make(), "report.jsonl");
    // Agents take a moment, so the kill lands while WP02 is being implemented.
    const env = { ...fakeEnv(fake), FAKE_DELAY_MS: "300" };
    const first = runChild(root, "start", report, env);
    await until("WP01 completed and WP02 implementing", () => {
      const s = readState(root);
      return s?.work_packages["WP01"]?.status === "completed" && s.work_packages["WP02"]?.status === "implementation" && invocations(fake).some((c) => c.wp === "WP02");
    });
    first.child.kill("SIGKILL");
    expect(await first.exited).toBeNull();
    const atKill = readState(root) as OrchestrationState;
    expect(atKill.status).toBe("running");
    const completedAtKill = Object.values(atKill.work_packages).filter((w) => w.status === "completed").map((w) => w.wp_id);
    // Let the orphaned agent of the killed run finish, so its commit does not race the resumed run.
    await new Promise((r) => setTimeout(r, 800));
    const callsAtKill = invocations(fake).length;

    const second = runChild(root, "resume", report, env);
    expect(await second.exited, second.stderr()).toBe(0);

    expect(lanesOf(root)).toEqual({ WP01: "approved", WP02: "approved", WP03: "approved", WP04: "approved" });
    const final = readState(root) as OrchestrationState;
    expect(final.status).toBe("completed");
    // Nothing that had completed ran again.
    const after = invocations(fake).slice(callsAtKill);
    for (const wp of completedAtKill) expect(after.filter((c) => c.wp === wp)).toEqual([]);
    // No lane transition was made twice: each WP went planned → … → approved once.
    for (const wp of Object.keys(GRAPH)) {
      expect(logRows(root).filter((r) => r.wp_id === wp).map((r) => r.to_lane)).toEqual(["planned", "claimed", "in_progress", "for_review", "in_review", "approved"]);
    }
    // Every event of the run was reported (before the kill or replayed by the resume); duplicates share event ids.
    const reported = new Set(
      readFileSync(report, "utf8")
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => (JSON.parse(l) as { event_id: string }).event_id),
    );
    for (const row of logRows(root).filter((r) => r.from_lane !== "genesis")) expect(reported.has((row as unknown as { event_id: string }).event_id)).toBe(true);
    for (const e of final.events) expect(reported.has(e.event_id)).toBe(true);
    const types = final.events.map((e) => e.event_type);
    expect(types.filter((t) => t === "MissionClosed")).toHaveLength(1);
    expect(types.filter((t) => t === "DependencyResolved")).toHaveLength(2);
    expect(existsSync(join(root, ".kittify", "orchestration-state.json.bak"))).toBe(true);
  });
});
