import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { LaneTransitionRow, PostCommitEvent } from "@spec-kitty/status";
import { git, initGitRepo, missionMeta, seedLog, type TempDirs } from "@spec-kitty/test-support";
import {
  prepareOrchestration,
  recordingEmitter,
  type OrchestrateOptions,
  type OrchestrationChange,
  type OrchestrationState,
  type WorkflowFact,
} from "../src/index.ts";

export const FAKE_AGENT = join(import.meta.dirname, "fixtures", "agents", "fake-agent.mjs");
export const MISSION_DIR = "001-orchestrated";

/** A diamond of six: WP01 → {WP02, WP03, WP04} → WP05 (needs 02, 03) ; WP06 needs 04 and 05. */
export const DIAMOND: Readonly<Record<string, readonly string[]>> = {
  WP01: [],
  WP02: ["WP01"],
  WP03: ["WP01"],
  WP04: ["WP01"],
  WP05: ["WP02", "WP03"],
  WP06: ["WP04", "WP05"],
};

/** A repository on main with one finalized mission whose WP files declare `graph`. */
export const missionRepo = (temps: TempDirs, graph: Readonly<Record<string, readonly string[]>>, extraMeta: Record<string, unknown> = {}): string => {
  const root = temps.make("sk-orch-");
  const dir = join(root, "kitty-specs", MISSION_DIR);
  mkdirSync(join(dir, "tasks"), { recursive: true });
  const ids = Object.keys(graph).sort();
  writeFileSync(join(dir, "meta.json"), `${JSON.stringify(missionMeta(MISSION_DIR, null, extraMeta), null, 2)}\n`);
  writeFileSync(join(dir, "status.events.jsonl"), seedLog(MISSION_DIR, null, ids));
  for (const id of ids) {
    const deps = graph[id] ?? [];
    writeFileSync(
      join(dir, "tasks", `${id}-work.md`),
      `---\nwork_package_id: ${id}\ntitle: Work ${id}\ndependencies: [${deps.join(", ")}]\n---\n# ${id}\n\nImplement ${id}.\n`,
    );
  }
  initGitRepo(root);
  return root;
};

export interface FakeAgentSpec {
  readonly impl?: string;
  readonly review?: string;
  readonly maxConcurrent?: number;
  readonly timeoutSeconds?: number;
  readonly roles?: readonly string[];
  readonly enabled?: boolean;
}

/** Writes `.kittify/agents.yaml` with fake agents (node + fake-agent.mjs, modes per role). */
export const writeAgents = (
  root: string,
  agents: Readonly<Record<string, FakeAgentSpec>>,
  top: { implementation?: readonly string[]; review?: readonly string[]; extra?: string } = {},
): void => {
  mkdirSync(join(root, ".kittify"), { recursive: true });
  const q = (s: string): string => JSON.stringify(s);
  const lines = ["version: \"1.0\"", "defaults:"];
  lines.push(`  implementation: [${(top.implementation ?? Object.keys(agents)).join(", ")}]`);
  lines.push(`  review: [${(top.review ?? Object.keys(agents)).join(", ")}]`);
  lines.push("agents:");
  for (const [id, a] of Object.entries(agents)) {
    lines.push(`  ${id}:`);
    lines.push(`    enabled: ${a.enabled ?? true}`);
    lines.push(`    roles: [${(a.roles ?? ["implementation", "review"]).join(", ")}]`);
    lines.push(`    max_concurrent: ${a.maxConcurrent ?? 4}`);
    lines.push(`    timeout_seconds: ${a.timeoutSeconds ?? 30}`);
    lines.push(`    command: [${q(process.execPath)}, ${q(FAKE_AGENT)}, ${q(a.impl ?? "succeed")}]`);
    lines.push(`    review_command: [${q(process.execPath)}, ${q(FAKE_AGENT)}, ${q(a.review ?? "approve")}]`);
  }
  lines.push("max_retries: 1", "retry_backoff_seconds: 0.01", "kill_grace_seconds: 0.3", "global_concurrency: 8");
  if (top.extra !== undefined) lines.push(top.extra);
  writeFileSync(join(root, ".kittify", "agents.yaml"), `${lines.join("\n")}\n`);
};

export interface RunResult {
  readonly state: OrchestrationState;
  readonly facts: WorkflowFact[];
  readonly statusRows: LaneTransitionRow[];
  readonly changes: OrchestrationChange[];
}

/** Runs an orchestration in-process to its end with recording ports. */
export const runOrchestration = async (
  root: string,
  o: Partial<OrchestrateOptions> & { mode?: "start" | "resume"; env?: NodeJS.ProcessEnv } = {},
): Promise<RunResult> => {
  const emitter = recordingEmitter();
  const statusRows: LaneTransitionRow[] = [];
  const changes: OrchestrationChange[] = [];
  const prepared = await prepareOrchestration({ cwd: root, mission: MISSION_DIR, mode: o.mode ?? "start", ...o });
  const control = await prepared.run({
    emitter,
    statusOptions: {
      postCommitHooks: [
        (e: PostCommitEvent) => {
          for (const row of e.rows) if (!("kind" in row)) statusRows.push(row as LaneTransitionRow);
        },
      ],
    },
    onChange: (c) => changes.push(c),
  });
  const state = await control.done;
  return { state, facts: emitter.facts, statusRows, changes };
};

export const fakeEnv = (stateDir: string, plan?: Record<string, readonly string[]>): NodeJS.ProcessEnv => ({
  ...process.env,
  FAKE_STATE_DIR: stateDir,
  ...(plan === undefined ? {} : { FAKE_PLAN: JSON.stringify(plan) }),
});

export interface Invocation {
  readonly wp: string;
  readonly phase: string;
  readonly mode: string;
  readonly agent: string;
  readonly started: number;
  readonly ended: number;
  readonly rework: boolean;
  readonly feedback: boolean;
}

export const invocations = (stateDir: string): Invocation[] => {
  const file = join(stateDir, "invocations.jsonl");
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Invocation);
};

/** The lane of each WP from the status log, replayed. */
export const lanesOf = (root: string): Record<string, string> => {
  const lanes: Record<string, string> = {};
  const text = readFileSync(join(root, "kitty-specs", MISSION_DIR, "status.events.jsonl"), "utf8");
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const row = JSON.parse(line) as { wp_id: string; to_lane?: string; kind?: string };
    if (row.kind === undefined && row.to_lane !== undefined) lanes[row.wp_id] = row.to_lane;
  }
  return lanes;
};

export const logRows = (root: string): Array<{ wp_id: string; from_lane: string; to_lane: string; actor: string; review_result?: { verdict: string }; evidence?: unknown }> =>
  readFileSync(join(root, "kitty-specs", MISSION_DIR, "status.events.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l) => JSON.parse(l));

export const gitLog = (root: string, ref: string): string[] => git(root, "log", "--format=%s", ref).trim().split("\n");
