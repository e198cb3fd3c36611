import { spawn } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { LANES, reduce, type MissionStatusOptions } from "@spec-kitty/status";
import { writeFileAtomic } from "./files.ts";
import { errorLoggedFact, type WorkflowEmitter } from "./emit.ts";
import { WorkflowError } from "./errors.ts";
import { commitPaths, currentBranch, dirtyPaths, git, gitOut, revParse } from "./git.ts";
import { listWorkPackageFiles, META_FILE, missionStatus, openMission, readMetaFile, TASKS_DIR, writeMetaFile, type MissionContext } from "./mission.ts";
import { frontString, parseFront, splitFrontmatter } from "./frontmatter.ts";
import { viaStatus } from "./status-errors.ts";
import { readTasksDocument, subtaskCompletion } from "./subtasks.ts";

/**
 * `spec-kitty accept`: checks that a mission is ready and records its acceptance in meta.json.
 *
 * Readiness (every failure is listed, then the command exits 1):
 * - lanes from the status log: every work package `approved` or `done` (`canceled`, `blocked` and every earlier
 *   lane block);
 * - every subtask done (`subtaskCompletion`: the log's annotations, else the tasks.md checkboxes);
 * - spec.md, plan.md and tasks.md present (quickstart.md, data-model.md, research.md, contracts/ only warn);
 * - no `[NEEDS CLARIFICATION` in the mission's documents;
 * - the mission's own paths clean in git (`kitty-specs/<dir>` only: what else the user changed or staged is theirs);
 * - without --lenient, the work package files consistent (a prompt file per work package, matching
 *   `work_package_id`);
 * - each `--test` command exits 0 within its deadline (the results are recorded as validation commands).
 *
 * On success meta.json gets the acceptance fields (`accepted_at`, `accepted_by`, `acceptance_mode`,
 * `accepted_from_commit`, `accept_commit: null`, `acceptance_history` ≤ 20) and only meta.json is committed
 * (`Accept <slug>`). Accept changes no lane and emits nothing on success; a refusal emits one ErrorLogged (not with
 * --allow-fail, not in checklist mode). A mission already accepted at the current commit (its last commit is the
 * acceptance and nothing changed since) is reported as such: no new commit, no meta.json change.
 */
export type AcceptMode = "auto" | "pr" | "local" | "checklist";
const MODES: readonly AcceptMode[] = ["auto", "pr", "local", "checklist"];

export interface AcceptOptions {
  readonly cwd: string;
  readonly mission?: string;
  readonly mode?: string;
  readonly actor: string;
  readonly tests?: readonly string[];
  readonly lenient?: boolean;
  readonly noCommit?: boolean;
  readonly allowFail?: boolean;
  readonly emitter: WorkflowEmitter;
  readonly statusOptions?: MissionStatusOptions;
  /** Deadline of each --test command (default 600 000 ms). */
  readonly testTimeoutMs?: number;
  readonly now?: () => Date;
}

export interface ValidationRun {
  readonly command: string;
  readonly result: "pass" | "fail";
  readonly exit_code: number | null;
  readonly timed_out: boolean;
  readonly duration_ms: number;
  /** The last lines of its output (stdout and stderr). */
  readonly output_tail: string;
}

export interface AcceptWorkPackage {
  readonly id: string;
  readonly lane: string;
  readonly title: string | null;
  readonly path: string | null;
  readonly subtasks_total: number;
  readonly subtasks_done: number;
  readonly subtask_source: "log" | "tasks.md";
}

export interface AcceptSummary {
  readonly feature: string;
  readonly mission_id: string | null;
  readonly branch: string | null;
  readonly target_branch: string;
  readonly repo_root: string;
  readonly feature_dir: string;
  readonly tasks_dir: string;
  readonly worktree_root: string;
  readonly primary_repo_root: string;
  readonly lanes: Readonly<Record<string, readonly string[]>>;
  readonly work_packages: readonly AcceptWorkPackage[];
  readonly not_done: readonly string[];
  readonly metadata_issues: readonly string[];
  readonly activity_issues: readonly string[];
  readonly unchecked_tasks: readonly string[];
  readonly needs_clarification: readonly string[];
  readonly missing_artifacts: readonly string[];
  readonly optional_missing: readonly string[];
  readonly git_dirty: readonly string[];
  readonly path_violations: readonly string[];
  readonly test_failures: readonly string[];
  readonly warnings: readonly string[];
  readonly all_done: boolean;
  readonly ok: boolean;
}

export type AcceptStatus = "accepted" | "already_accepted" | "refused" | "checklist";

export interface AcceptResult {
  readonly status: AcceptStatus;
  readonly accepted_at: string | null;
  readonly accepted_by: string;
  readonly mode: Exclude<AcceptMode, "auto">;
  readonly parent_commit: string | null;
  readonly accept_commit: string | null;
  readonly commit_created: boolean;
  readonly meta_updated: boolean;
  readonly instructions: readonly string[];
  readonly cleanup_instructions: readonly string[];
  readonly notes: readonly string[];
  readonly validation: readonly ValidationRun[];
  readonly summary: AcceptSummary;
}

/** The acceptance fields of meta.json (the only ones accept writes). */
export const ACCEPTANCE_FIELDS = ["accepted_at", "accepted_by", "acceptance_mode", "accepted_from_commit", "accept_commit", "acceptance_history"] as const;
const HISTORY_LIMIT = 20;
const REQUIRED_ARTIFACTS = ["spec.md", "plan.md", "tasks.md"] as const;
const OPTIONAL_ARTIFACTS = ["quickstart.md", "data-model.md", "research.md", "contracts"] as const;
const CLARIFICATION_FILES = ["spec.md", "plan.md", "quickstart.md", "tasks.md", "research.md", "data-model.md"] as const;
const ACCEPTED_LANES = new Set(["approved", "done"]);

const byId = (a: string, b: string): number => a.localeCompare(b, "en", { numeric: true });

export const accept = async (o: AcceptOptions): Promise<AcceptResult> => {
  const requested = (o.mode ?? "auto") as AcceptMode;
  if (!MODES.includes(requested)) {
    throw new WorkflowError({ code: "INVALID_ACCEPT_MODE", kind: "usage", message: `invalid --mode '${o.mode}': expected one of ${MODES.join(", ")}`, field: "mode" });
  }
  const ctx = await openMission(o.cwd, o.mission);
  const root = ctx.repo.mainRoot;
  const [branch, remotes, head] = await Promise.all([currentBranch(root), gitOut(root, ["remote"]), revParse(root, "HEAD")]);
  const mode: Exclude<AcceptMode, "auto"> = requested === "auto" ? (remotes === "" ? "local" : "pr") : requested;

  const metaState = await inspectMeta(ctx);
  const summary = await readiness(ctx, o, branch, metaState.acceptanceOnly);
  const validation = await runTests(o.tests ?? [], root, o.testTimeoutMs ?? 600_000);
  const testFailures = validation.filter((v) => v.result === "fail").map((v) => `${v.command}: ${v.timed_out ? "timed out" : `exit ${v.exit_code}`}`);
  const full: AcceptSummary = { ...summary, test_failures: testFailures, ok: summary.ok && testFailures.length === 0 };
  const base = {
    accepted_by: o.actor,
    mode,
    parent_commit: head,
    validation,
    summary: full,
    cleanup_instructions: cleanup(ctx),
  };
  if (mode === "checklist" || !full.ok) {
    const refused = !full.ok && mode !== "checklist";
    if (refused && o.allowFail !== true) {
      o.emitter.emit(
        errorLoggedFact({
          errorType: "validation",
          message: `Outstanding acceptance issues detected for ${ctx.slug}: ${issueCounts(full).join(", ")}`,
          missionSlug: ctx.slug,
          agentId: o.actor,
        }),
      );
    }
    return {
      ...base,
      status: mode === "checklist" ? "checklist" : "refused",
      accepted_at: null,
      accept_commit: null,
      commit_created: false,
      meta_updated: false,
      instructions: [],
      notes: full.ok ? [] : ["acceptance refused: resolve the issues listed and run accept again"],
    };
  }

  const instructions = guide(mode, branch, ctx.targetBranch);
  if (await alreadyAccepted(ctx, o, metaState)) {
    const meta = ctx.meta;
    return {
      ...base,
      status: "already_accepted",
      accepted_at: typeof meta["accepted_at"] === "string" ? meta["accepted_at"] : null,
      parent_commit: typeof meta["accepted_from_commit"] === "string" ? meta["accepted_from_commit"] : head,
      accept_commit: o.noCommit === true ? null : head,
      commit_created: false,
      meta_updated: false,
      instructions,
      notes: [`${ctx.slug} is already accepted at ${o.noCommit === true ? "the working tree" : (head ?? "").slice(0, 10)}; nothing to do`],
    };
  }

  const acceptedAt = (o.now ?? (() => new Date()))().toISOString().replace(/\.\d{3}Z$/, "Z").replace("Z", "+00:00");
  const fresh = readMetaFile(ctx.metaPath);
  const history = Array.isArray(fresh["acceptance_history"]) ? [...(fresh["acceptance_history"] as unknown[])] : [];
  history.push({
    accepted_at: acceptedAt,
    accepted_by: o.actor,
    mode,
    branch,
    accepted_from_commit: head,
    ...(validation.length > 0 ? { validation_commands: validation.map((v) => v.command) } : {}),
  });
  const meta = {
    ...fresh,
    accepted_at: acceptedAt,
    accepted_by: o.actor,
    acceptance_mode: mode,
    accepted_from_commit: head,
    accept_commit: null,
    acceptance_history: history.slice(-HISTORY_LIMIT),
  };
  const before = readFileSync(ctx.metaPath, "utf8");
  writeMetaFile(ctx.metaPath, meta);
  const notes: string[] = [];
  let commit = { created: false, sha: null as string | null };
  if (o.noCommit === true) notes.push(`meta.json updated, not committed (--no-commit): commit ${ctx.relPath}/${META_FILE} yourself`);
  else {
    try {
      const c = await commitPaths(root, [join(ctx.relPath, META_FILE)], `Accept ${ctx.slug}`);
      commit = { created: c.created, sha: c.sha };
    } catch (error) {
      writeFileAtomicSafe(ctx.metaPath, before);
      throw error;
    }
  }
  return {
    ...base,
    status: "accepted",
    accepted_at: acceptedAt,
    accept_commit: commit.sha,
    commit_created: commit.created,
    meta_updated: true,
    instructions,
    notes,
  };
};

/** meta.json back to its exact previous bytes after a failed commit (the commit's error is the one reported). */
const writeFileAtomicSafe = (path: string, text: string): void => {
  try {
    writeFileAtomic(path, text);
  } catch {
    // keep the original error
  }
};

const issueCounts = (s: AcceptSummary): string[] => {
  const parts: Array<[string, readonly string[]]> = [
    ["work packages not approved or done", s.not_done],
    ["unfinished subtasks", s.unchecked_tasks],
    ["missing artifacts", s.missing_artifacts],
    ["[NEEDS CLARIFICATION] markers", s.needs_clarification],
    ["uncommitted mission files", s.git_dirty],
    ["metadata issues", s.metadata_issues],
    ["failed tests", s.test_failures],
  ];
  return parts.filter(([, list]) => list.length > 0).map(([name, list]) => `${list.length} ${name}`);
};

const readiness = async (ctx: MissionContext, o: AcceptOptions, branch: string | null, metaAcceptanceOnly: boolean): Promise<AcceptSummary> => {
  const root = ctx.repo.mainRoot;
  const status = await viaStatus(() => missionStatus(ctx, o.statusOptions ?? {}));
  const log = await viaStatus(() => status.readLog());
  const snapshot = reduce(log);
  const tasks = readTasksDocument(ctx);
  const completion = subtaskCompletion(ctx, log, tasks);
  const files = new Map(listWorkPackageFiles(ctx).map((f) => [f.wpId, f] as const));

  const lanes: Record<string, string[]> = {};
  const workPackages: AcceptWorkPackage[] = [];
  const notDone: string[] = [];
  const unchecked: string[] = [];
  const metadata: string[] = [];
  for (const [wpId, wp] of completion.workPackages) {
    const lane = snapshot.work_packages[wpId]?.lane ?? "uninitialized";
    (lanes[lane] ??= []).push(wpId);
    if (!ACCEPTED_LANES.has(lane)) notDone.push(`${wpId} (${lane})`);
    for (const id of wp.pending) {
      const line = wp.subtasks.find((s) => s.id === id)?.line;
      unchecked.push(`${wpId} ${id}${line === null || line === undefined ? "" : ` (tasks.md:${line})`}`);
    }
    const file = files.get(wpId);
    let title: string | null = tasks?.sections.find((s) => s.wpId === wpId)?.title ?? null;
    if (file === undefined) metadata.push(`${wpId}: no prompt file in ${join(ctx.relPath, TASKS_DIR)}`);
    else {
      try {
        const doc = parseFront(splitFrontmatter(readFileSync(file.path, "utf8"), file.relPath));
        const declared = frontString(doc, "work_package_id");
        if (declared !== undefined && declared !== wpId) metadata.push(`${file.relPath}: work_package_id is ${declared}, the file name says ${wpId}`);
        title = frontString(doc, "title") ?? title;
      } catch (error) {
        metadata.push(error instanceof Error ? error.message : String(error));
      }
    }
    workPackages.push({
      id: wpId,
      lane,
      title: title === "" ? null : title,
      path: file?.relPath ?? null,
      subtasks_total: wp.subtasks.length,
      subtasks_done: wp.subtasks.filter((s) => s.done).length,
      subtask_source: wp.source,
    });
  }
  for (const t of completion.orphans) if (!t.done) unchecked.push(`${t.id} (tasks.md:${t.line}, outside every work package section)`);
  if (completion.workPackages.size === 0) notDone.push("the mission has no work packages (write tasks.md and run finalize-tasks)");
  for (const list of Object.values(lanes)) list.sort(byId);
  // Lanes in the FSM's order, then anything else (uninitialized).
  const order = [...LANES, ...Object.keys(lanes).filter((l) => !(LANES as readonly string[]).includes(l)).sort()];
  const orderedLanes = Object.fromEntries(order.filter((l) => lanes[l] !== undefined).map((l) => [l, lanes[l] as string[]]));

  const missing = REQUIRED_ARTIFACTS.filter((f) => !existsSync(join(ctx.path, f)));
  const optionalMissing = OPTIONAL_ARTIFACTS.filter((f) => !existsSync(join(ctx.path, f)));
  const clarifications: string[] = [];
  for (const name of CLARIFICATION_FILES) {
    const path = join(ctx.path, name);
    if (!isFile(path)) continue;
    readFileSync(path, "utf8")
      .split("\n")
      .forEach((line, i) => {
        if (line.includes("[NEEDS CLARIFICATION")) clarifications.push(`${name}:${i + 1}`);
      });
  }
  const dirty = (await dirtyPaths(root, [ctx.relPath])).filter((line) => !(metaAcceptanceOnly && isMetaLine(ctx, line)));
  const effectiveMetadata = o.lenient === true ? [] : metadata;
  const ok =
    notDone.length === 0 && unchecked.length === 0 && missing.length === 0 && clarifications.length === 0 && dirty.length === 0 && effectiveMetadata.length === 0;
  return {
    feature: ctx.slug,
    mission_id: ctx.missionId,
    branch,
    target_branch: ctx.targetBranch,
    repo_root: ctx.repo.worktreeRoot,
    feature_dir: ctx.path,
    tasks_dir: join(ctx.path, TASKS_DIR),
    worktree_root: join(root, ".worktrees"),
    primary_repo_root: root,
    lanes: orderedLanes,
    work_packages: workPackages,
    not_done: notDone,
    metadata_issues: effectiveMetadata,
    activity_issues: [],
    unchecked_tasks: unchecked,
    needs_clarification: clarifications,
    missing_artifacts: [...missing],
    optional_missing: [...optionalMissing],
    git_dirty: dirty,
    path_violations: [],
    test_failures: [],
    warnings: [
      ...optionalMissing.map((f) => `optional artifact missing: ${f}`),
      ...(o.lenient === true ? metadata.map((m) => `metadata (ignored with --lenient): ${m}`) : []),
    ],
    all_done: notDone.length === 0,
    ok,
  };
};

const isFile = (path: string): boolean => {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
};

/**
 * The porcelain line of a modified meta.json. When meta.json differs from HEAD in the acceptance fields only (an
 * earlier `accept --no-commit`), that change is accept's own pending record, not unfinished mission work.
 */
const isMetaLine = (ctx: MissionContext, porcelain: string): boolean =>
  /^( M|M |MM)/.test(porcelain) && porcelain.slice(3).trim() === join(ctx.relPath, META_FILE);

const withoutAcceptance = (meta: Readonly<Record<string, unknown>>): string =>
  JSON.stringify(Object.fromEntries(Object.entries(meta).filter(([k]) => !(ACCEPTANCE_FIELDS as readonly string[]).includes(k)).sort(([a], [b]) => (a < b ? -1 : 1))));

/** meta.json at HEAD, and whether the working file differs from it in the acceptance fields only. */
const inspectMeta = async (ctx: MissionContext): Promise<{ readonly headText: string | null; readonly acceptanceOnly: boolean }> => {
  const rel = join(ctx.relPath, META_FILE);
  const head = await git(ctx.repo.mainRoot, ["show", `HEAD:${rel}`], { allowFail: true });
  if (head.code !== 0) return { headText: null, acceptanceOnly: false };
  let acceptanceOnly = false;
  try {
    const working = ctx.meta;
    const committed = JSON.parse(head.stdout) as Record<string, unknown>;
    acceptanceOnly = withoutAcceptance(working) === withoutAcceptance(committed) && typeof working["accepted_at"] === "string";
  } catch {
    acceptanceOnly = false;
  }
  return { headText: head.stdout, acceptanceOnly };
};

/**
 * Already accepted: meta.json records an acceptance and either the mission's last commit is `Accept <slug>` with
 * meta.json committed as it is, or (with --no-commit) meta.json's only uncommitted change is that acceptance.
 */
const alreadyAccepted = async (
  ctx: MissionContext,
  o: AcceptOptions,
  { headText, acceptanceOnly }: { readonly headText: string | null; readonly acceptanceOnly: boolean },
): Promise<boolean> => {
  if (typeof ctx.meta["accepted_at"] !== "string") return false;
  const working = readFileSync(ctx.metaPath, "utf8");
  if (headText !== null && headText !== working) return acceptanceOnly && o.noCommit === true;
  const last = await gitOut(ctx.repo.mainRoot, ["log", "-1", "--format=%s", "--", ctx.relPath]);
  return last === `Accept ${ctx.slug}`;
};

const guide = (mode: Exclude<AcceptMode, "auto">, branch: string | null, target: string): string[] => {
  const b = branch ?? "HEAD";
  if (mode === "pr") return [`git push origin ${b}`, `open a pull request from ${b} into ${target}`];
  if (mode === "local") return b === target ? [`${target} already holds the accepted mission; run 'spec-kitty merge' to integrate the work packages`] : [`git checkout ${target}`, "git pull --ff-only", `git merge ${b}`];
  return [];
};

const cleanup = (ctx: MissionContext): string[] => {
  const out: string[] = [];
  const base = join(ctx.repo.mainRoot, ".worktrees");
  for (const f of listWorkPackageFiles(ctx)) {
    const name = `${ctx.dir}-${f.wpId}`;
    if (existsSync(join(base, name))) out.push(`git worktree remove .worktrees/${name}`, `git branch -d ${name}`);
  }
  return out;
};

/** Runs each command with `sh -c` in `cwd`, one after the other, each killed at its deadline. */
const runTests = async (commands: readonly string[], cwd: string, timeoutMs: number): Promise<ValidationRun[]> => {
  const runs: ValidationRun[] = [];
  for (const command of commands) runs.push(await runOne(command, cwd, timeoutMs));
  return runs;
};

const runOne = (command: string, cwd: string, timeoutMs: number): Promise<ValidationRun> =>
  new Promise((resolve) => {
    const started = Date.now();
    let output = "";
    let timedOut = false;
    const child = spawn("sh", ["-c", command], { cwd, stdio: ["ignore", "pipe", "pipe"], detached: true });
    const collect = (chunk: Buffer): void => {
      output = (output + chunk.toString("utf8")).slice(-8000);
    };
    child.stdout.on("data", collect);
    child.stderr.on("data", collect);
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        // The whole process group: a test runner's children go too.
        process.kill(-(child.pid as number), "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    }, timeoutMs);
    const finish = (code: number | null): void => {
      clearTimeout(timer);
      const pass = !timedOut && code === 0;
      resolve({
        command,
        result: pass ? "pass" : "fail",
        exit_code: code,
        timed_out: timedOut,
        duration_ms: Date.now() - started,
        output_tail: output.split("\n").slice(-20).join("\n"),
      });
    };
    child.once("error", (error) => {
      output += String(error);
      finish(null);
    });
    child.once("close", (code) => finish(code));
  });
