import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { tempDirs } from "@spec-kitty/test-support";
import { afterAll, describe, expect, it } from "vitest";
import { runAgentProcess } from "../src/index.ts";
import { FAKE_AGENT, invocations } from "./orchestrate-helpers.ts";

const temps = tempDirs("sk-orch-proc-");
afterAll(() => temps.cleanup());

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const run = (mode: string, o: { timeoutMs?: number; graceMs?: number; signal?: AbortSignal } = {}) => {
  const dir = temps.make();
  const logPath = join(dir, "logs", "WP01-implementation-x.log");
  return {
    dir,
    logPath,
    done: runAgentProcess({
      argv: [process.execPath, FAKE_AGENT, mode],
      cwd: dir,
      stdin: "the prompt",
      env: { ...process.env, FAKE_STATE_DIR: dir, SPEC_KITTY_WP: "WP01", SPEC_KITTY_PHASE: "review" },
      timeoutMs: o.timeoutMs ?? 20_000,
      graceMs: o.graceMs ?? 200,
      logPath,
      header: "# header",
      ...(o.signal === undefined ? {} : { signal: o.signal }),
    }),
  };
};

describe("agent processes", () => {
  it("captures output and writes the log: header, stdout, stderr, the end", async () => {
    const r = run("approve");
    const out = await r.done;
    expect(out).toMatchObject({ exitCode: 0, timedOut: false, aborted: false, spawnError: null });
    expect(out.stdout).toMatch(/VERDICT: approved/);
    const log = readFileSync(r.logPath, "utf8");
    expect(log.startsWith("# header\n")).toBe(true);
    expect(log).toMatch(/--- stdout ---\n[\s\S]*VERDICT: approved[\s\S]*--- end: exit 0/);
  });

  it("a hanging agent is stopped at its timeout with SIGTERM", async () => {
    const r = run("hang", { timeoutMs: 700 });
    const out = await r.done;
    expect(out.timedOut).toBe(true);
    expect(out.exitCode).toBeNull();
    expect(out.signal).toBe("SIGTERM");
    expect(out.stderr).toMatch(/Execution timed out after 0.7 seconds/);
    const [call] = invocations(r.dir);
    expect(alive(call?.["pid" as keyof typeof call] as unknown as number)).toBe(false);
  });

  it("an agent that ignores SIGTERM gets SIGKILL after the grace period, the whole process group with it", async () => {
    const r = run("hang-stubborn", { timeoutMs: 600, graceMs: 300 });
    const out = await r.done;
    expect(out).toMatchObject({ timedOut: true, signal: "SIGKILL" });
    expect(existsSync(join(r.dir, "sigterm.log"))).toBe(true);
    expect(out.durationMs).toBeGreaterThanOrEqual(850);
  });

  it("aborting stops the agent; a missing executable is reported, not thrown", async () => {
    const controller = new AbortController();
    const r = run("hang", { signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    expect(await r.done).toMatchObject({ aborted: true, timedOut: false });
    const missing = await runAgentProcess({ argv: ["/nonexistent/agent"], cwd: temps.make(), stdin: null, timeoutMs: 1000, graceMs: 10, logPath: join(temps.make(), "x.log"), header: "" });
    expect(missing.spawnError).toMatch(/ENOENT/);
  });
});
