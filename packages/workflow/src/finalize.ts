import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, sep } from "node:path";
import type { MissionStatusOptions, PostCommitHook } from "@spec-kitty/status";
import { ulid } from "ulid";
import { wpCreatedFact, type WorkflowEmitter } from "./emit.ts";
import { WorkflowError } from "./errors.ts";
import { writeFileAtomic } from "./files.ts";
import { parseFront, setFrontListInText, splitFrontmatter, frontString } from "./frontmatter.ts";
import { commitPaths, currentBranch, dirtyPaths, git } from "./git.ts";
import { findCycles, graphProblems, topologicalOrder, type DependencyGraph } from "./graph.ts";
import { TASKS_DIR, TASKS_FILE, listWorkPackageFiles, missionStatus, openMission, type MissionContext } from "./mission.ts";
import { parseTasksMd, type TasksDocument } from "./tasks-md.ts";
import { isMap, isScalar, isSeq, type Document } from "yaml";

/**
 * `agent mission finalize-tasks`: turns the tasks.md and WP prompt files an author wrote into the mission's work
 * packages. Everything is read and checked first (tasks.md grammar, every prompt file's front matter, coverage both
 * ways, the dependency graph); nothing is written unless all of it is sound. Then:
 * 1. `dependencies` is written into each prompt file whose front matter lacks it or says otherwise (an in-place
 *    edit of that one entry: every other byte of the file stays);
 * 2. tasks.md and the prompt files are committed (`Add tasks for feature <slug>`, these paths only);
 * 3. every work package without status history is seeded `genesis → planned` in ONE MissionStatus batch (actor
 *    `finalize-tasks`, reason `canonical bootstrap`), which writes and commits the status files itself;
 * 4. one WPCreated per work package seeded by this run, in dependency order, sharing one causation id, emitted once
 *    the seeding is persisted.
 * A re-run finds nothing to change and emits nothing.
 *
 * Where dependencies come from: an explicit `dependencies` key in the WP front matter wins (an explicit `[]` too);
 * otherwise the WP's tasks.md section.
 */
export interface FinalizeOptions {
  readonly cwd: string;
  readonly mission?: string;
  /** Check and report what would change; write nothing. */
  readonly validateOnly?: boolean;
  /** The WPCreated `actor` (default `finalize-tasks`). */
  readonly actor?: string;
  readonly emitter: WorkflowEmitter;
  readonly statusOptions?: MissionStatusOptions;
}

export interface FinalizedWorkPackage {
  readonly wpId: string;
  readonly title: string;
  readonly dependencies: readonly string[];
  /** Where the dependencies were read: the front matter or the tasks.md section. */
  readonly source: "frontmatter" | "tasks.md";
  /** Relative to the repository root. */
  readonly file: string;
}

export interface FinalizeResult {
  readonly missionSlug: string;
  readonly missionDir: string;
  readonly validateOnly: boolean;
  readonly wpCount: number;
  /** In dependency order. */
  readonly workPackages: readonly FinalizedWorkPackage[];
  /** Work packages whose front matter was (or, with validateOnly, would be) rewritten. */
  readonly modifiedWps: readonly string[];
  readonly unchangedWps: readonly string[];
  readonly commitCreated: boolean;
  readonly commitHash: string | null;
  readonly filesCommitted: readonly string[];
  /** The status commit of the seeding, when there was one. */
  readonly statusCommitHash: string | null;
  readonly dependenciesParsed: Readonly<Record<string, readonly string[]>>;
  readonly bootstrap: { readonly totalWps: number; readonly newlySeeded: readonly string[]; readonly alreadyInitialized: readonly string[] };
  /** The work packages a WPCreated was emitted for (the newly seeded ones). */
  readonly announced: readonly string[];
  /**
   * Work packages whose explicit front matter dependencies differ from their tasks.md section (the front matter
   * is kept; the reference once overwrote it silently, #406).
   */
  readonly warnings: readonly string[];
  readonly branch: string;
}

const FINALIZE_ACTOR = "finalize-tasks";
const BOOTSTRAP_REASON = "canonical bootstrap";

interface WpRead {
  readonly wpId: string;
  readonly path: string;
  readonly relPath: string;
  readonly text: string;
  readonly title: string;
  /** Explicit front matter dependencies (undefined: the key is absent). */
  readonly explicit: readonly string[] | undefined;
  readonly explicitLine: number;
  /** The front matter's value exactly as a list, when it is one (to decide whether the file needs rewriting). */
  readonly written: readonly string[] | undefined;
}

const posix = (p: string): string => p.split(sep).join("/");

const lineAt = (text: string, offset: number): number => {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
};

const inputError = (code: string, message: string, extra: Partial<ConstructorParameters<typeof WorkflowError>[0]> = {}): WorkflowError =>
  new WorkflowError({ code, kind: "input", message, ...extra });

/** The `dependencies` value of a front matter, with where it is; undefined when the key is absent. */
const readDependencies = (doc: Document, text: string, relPath: string): { deps: readonly string[] | undefined; written: readonly string[] | undefined; line: number } => {
  const map = doc.contents;
  const pair = isMap(map) ? map.items.find((p) => isScalar(p.key) && p.key.value === "dependencies") : undefined;
  if (pair === undefined) return { deps: undefined, written: undefined, line: 1 };
  const keyOffset = isScalar(pair.key) ? (pair.key.range?.[0] ?? 0) : 0;
  const line = lineAt(text.replace(/\r\n/g, "\n"), 4 + keyOffset);
  const node = pair.value;
  if (node === null || node === undefined || (isScalar(node) && (node.value === null || node.value === ""))) return { deps: [], written: undefined, line };
  if (isSeq(node)) {
    const items = node.items.map((item) => (isScalar(item) ? String(item.value ?? "") : JSON.stringify(item)));
    return { deps: items.map((s) => s.trim()), written: items, line };
  }
  // The reference's older writer stored lists as Python repr strings: "['WP01', 'WP02']".
  if (isScalar(node) && typeof node.value === "string" && /^\s*\[.*\]\s*$/.test(node.value)) {
    return { deps: [...node.value.matchAll(/[A-Za-z0-9_-]+/g)].map((m) => m[0]), written: undefined, line };
  }
  throw inputError("FRONTMATTER_INVALID", `${relPath}:${line}: front matter key 'dependencies' must be a list of work package ids, like [WP01, WP02]`, {
    file: relPath,
    line,
    field: "dependencies",
  });
};

const sameList = (a: readonly string[] | undefined, b: readonly string[]): boolean =>
  a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);

/** Maps the status package's typed failures (they carry `code` and `message`) to WorkflowError. */
const statusFailure = (error: unknown): never => {
  if (error instanceof WorkflowError) throw error;
  const e = error as { code?: unknown; message?: unknown };
  if (typeof e?.code === "string" && typeof e.message === "string") {
    throw new WorkflowError({ code: e.code, kind: e.code === "MISSION_METADATA_UNAVAILABLE" ? "input" : "domain", message: e.message });
  }
  throw error;
};

export const finalizeTasks = async (o: FinalizeOptions): Promise<FinalizeResult> => {
  const ctx = await openMission(o.cwd, o.mission);
  const root = ctx.repo.mainRoot;
  const tasksDir = join(ctx.path, TASKS_DIR);
  const tasksMdPath = join(ctx.path, TASKS_FILE);
  const tasksMdRel = posix(relative(root, tasksMdPath));
  if (!existsSync(tasksDir)) {
    throw inputError("TASKS_DIR_NOT_FOUND", `Tasks directory not found: ${posix(relative(root, tasksDir))}`, {
      file: posix(relative(root, tasksDir)),
      hint: "write tasks.md and one tasks/WPnn-name.md prompt file per work package, then run finalize-tasks again",
    });
  }
  if (!existsSync(tasksMdPath)) {
    throw inputError("TASKS_MD_NOT_FOUND", `${tasksMdRel}: tasks.md not found`, {
      file: tasksMdRel,
      hint: "write tasks.md with one '## Work Package WPnn: Title' section per work package",
    });
  }

  // 1. Read and check everything.
  const doc: TasksDocument = parseTasksMd(readFileSync(tasksMdPath, "utf8"), tasksMdRel);
  const files = listWorkPackageFiles(ctx);
  const wps: WpRead[] = files.map((f) => readWorkPackage(f.wpId, f.path, posix(f.relPath), doc));
  checkCoverage(ctx, doc, wps, tasksMdRel);
  const graph: Record<string, readonly string[]> = {};
  const source: Record<string, "frontmatter" | "tasks.md"> = {};
  const warnings: string[] = [];
  for (const wp of wps) {
    const section = doc.sections.find((s) => s.wpId === wp.wpId);
    graph[wp.wpId] = wp.explicit ?? section?.dependencies ?? [];
    source[wp.wpId] = wp.explicit === undefined ? "tasks.md" : "frontmatter";
    if (wp.explicit !== undefined && section !== undefined && section.dependencies.length > 0 && !sameList([...wp.explicit].sort(), [...section.dependencies].sort())) {
      warnings.push(
        `${wp.wpId}: front matter dependencies [${wp.explicit.join(", ")}] (${wp.relPath}:${wp.explicitLine}) differ from tasks.md [${section.dependencies.join(", ")}] (${doc.path}:${section.line}); the front matter is kept`,
      );
    }
  }
  checkGraph(graph, source, wps, doc);
  const order = topologicalOrder(graph);
  const byId = new Map(wps.map((w) => [w.wpId, w]));

  // 2. What would change.
  const modified = order.filter((id) => !sameList(byId.get(id)?.written, graph[id] ?? []));
  const unchanged = order.filter((id) => !modified.includes(id));
  // The new texts are computed (and checked to read back) before anything is written.
  const edits = new Map(modified.map((id) => {
    const wp = byId.get(id) as WpRead;
    return [id, setFrontListInText(wp.text, wp.relPath, "dependencies", graph[id] ?? [])] as const;
  }));
  const paths = [tasksMdRel, ...order.map((id) => (byId.get(id) as WpRead).relPath)];
  // Independent git work runs concurrently: the status topology, the branch, what is uncommitted.
  const [status, branch, dirtyLines] = await Promise.all([
    missionStatus(ctx, withAnnouncement(o, ctx, byId, graph)).catch(statusFailure),
    currentBranch(root),
    o.validateOnly === true ? Promise.resolve([] as readonly string[]) : dirtyPaths(root, paths),
  ]);
  const logExists = existsSync(join(status.readDir, "status.events.jsonl"));
  const initialized = new Set(logExists ? Object.keys((await status.snapshot().catch(statusFailure)).work_packages) : []);
  const newly = order.filter((id) => !initialized.has(id));
  const already = order.filter((id) => initialized.has(id));
  const workPackages = order.map((id) => {
    const wp = byId.get(id) as WpRead;
    return { wpId: id, title: wp.title, dependencies: graph[id] ?? [], source: source[id] ?? "tasks.md", file: wp.relPath };
  });
  const base = {
    warnings,
    missionSlug: ctx.slug,
    missionDir: ctx.path,
    wpCount: order.length,
    workPackages,
    modifiedWps: modified,
    unchangedWps: unchanged,
    dependenciesParsed: Object.fromEntries(order.map((id) => [id, graph[id] ?? []])),
    branch: branch ?? "",
  };
  if (o.validateOnly === true) {
    return {
      ...base,
      validateOnly: true,
      commitCreated: false,
      commitHash: null,
      filesCommitted: [],
      statusCommitHash: null,
      bootstrap: { totalWps: order.length, newlySeeded: newly, alreadyInitialized: already },
      announced: [],
    };
  }

  // Task files the author left uncommitted are committed with the dependency edits.
  const dirtyBefore = new Set(dirtyLines.map((l) => l.slice(3).replace(/^"|"$/g, "")));
  const modifiedPaths = new Set(modified.map((id) => (byId.get(id) as WpRead).relPath));
  const toCommit = paths.filter((p) => dirtyBefore.has(p) || modifiedPaths.has(p));
  if (toCommit.length === 0 && newly.length === 0) {
    // Nothing to write: a re-run, on whatever branch.
    return {
      ...base,
      validateOnly: false,
      commitCreated: false,
      commitHash: null,
      filesCommitted: [],
      statusCommitHash: null,
      bootstrap: { totalWps: order.length, newlySeeded: [], alreadyInitialized: already },
      announced: [],
    };
  }

  // The commits go to the mission's target branch, checked out in the main checkout: never switched here.
  if (branch === null) {
    throw new WorkflowError({
      code: "DETACHED_HEAD",
      message: `the main checkout ${root} has a detached HEAD; finalize-tasks commits to the mission's target branch '${ctx.targetBranch}'`,
      hint: `git switch ${ctx.targetBranch}`,
    });
  }
  if (branch !== ctx.targetBranch) {
    throw new WorkflowError({
      code: "TARGET_BRANCH_NOT_CHECKED_OUT",
      message: `the main checkout has '${branch}' checked out; mission ${ctx.dir} is planned on its target branch '${ctx.targetBranch}' (meta.json)`,
      file: posix(relative(root, ctx.metaPath)),
      field: "target_branch",
      hint: `git switch ${ctx.targetBranch}, then run finalize-tasks again`,
    });
  }
  const write = status.resolvedTopology.write;
  if (write.kind === "refused" && newly.length > 0) {
    throw new WorkflowError({ code: "STATUS_WRITE_REFUSED", message: `cannot record the work packages' status: ${write.reason}` });
  }

  // 3. Write the front matter (all or nothing: on a failure the files written so far are restored).
  const written: Array<{ path: string; before: string }> = [];
  try {
    for (const id of modified) {
      const wp = byId.get(id) as WpRead;
      const next = edits.get(id) ?? wp.text;
      if (next === wp.text) continue;
      writeFileAtomic(wp.path, next);
      written.push({ path: wp.path, before: wp.text });
    }
  } catch (error) {
    for (const w of written.reverse()) writeFileSync(w.path, w.before);
    throw new WorkflowError({
      code: "IO_WRITE_FAILED",
      message: `cannot write the work package files: ${error instanceof Error ? error.message : String(error)} (the files written were restored)`,
    });
  }

  // 4. Commit tasks.md and the prompt files (those that differ from HEAD).
  let commit: { created: boolean; sha: string | null } = { created: false, sha: null };
  if (toCommit.length > 0) {
    try {
      commit = await commitPaths(root, toCommit, `Add tasks for feature ${ctx.slug}`);
    } catch (error) {
      // Back to where the run started: the files as they were, and out of the index again what this run staged
      // (paths the user had staged before keep their staged state).
      for (const w of written.reverse()) writeFileSync(w.path, w.before);
      const stagedBefore = new Set(dirtyLines.filter((l) => l[0] !== " " && l[0] !== "?").map((l) => l.slice(3).replace(/^"|"$/g, "")));
      const unstage = toCommit.filter((p) => !stagedBefore.has(p));
      if (unstage.length > 0) await git(root, ["reset", "--quiet", "--", ...unstage], { allowFail: true });
      throw error;
    }
  }

  // 5. Seed the new work packages in one batch; the status package commits the status files and, through the
  //    post-commit hooks, reports each transition once (and this run's WPCreated, see withAnnouncement).
  let statusCommitHash: string | null = null;
  if (newly.length > 0) {
    if (!logExists) writeFileAtomic(join(status.readDir, "status.events.jsonl"), "");
    const outcome = await status
      .transitionBatch(newly.map((wpId) => ({ wpId, toLane: "planned", actor: FINALIZE_ACTOR, reason: BOOTSTRAP_REASON })))
      .catch((error: unknown) => {
        const e = error as { message?: unknown };
        throw new WorkflowError({
          code: (error as { code?: string }).code ?? "STATUS_WRITE_FAILED",
          message: `the tasks were committed${commit.sha === null ? "" : ` (${commit.sha.slice(0, 10)})`} but seeding the work packages failed: ${typeof e?.message === "string" ? e.message : String(error)}`,
          hint: "fix the cause and run finalize-tasks again: it seeds the work packages still missing",
        });
      });
    statusCommitHash = outcome.receipt.commitSha;
  }
  return {
    ...base,
    validateOnly: false,
    commitCreated: commit.created,
    commitHash: commit.sha,
    filesCommitted: commit.created ? toCommit : [],
    statusCommitHash,
    bootstrap: { totalWps: order.length, newlySeeded: newly, alreadyInitialized: already },
    announced: newly,
  };
};

/**
 * The status options with one more post-commit hook, placed first: when this run's seeding is persisted it emits
 * one WPCreated per seeded work package (dependency order, one shared causation id) before the status hook reports
 * the lane changes, so a WPCreated precedes its first WPStatusChanged and exists exactly when the seeding does.
 */
const withAnnouncement = (
  o: FinalizeOptions,
  ctx: MissionContext,
  byId: ReadonlyMap<string, WpRead>,
  graph: DependencyGraph,
): MissionStatusOptions => {
  const causationId = ulid();
  const actor = o.actor?.trim() || FINALIZE_ACTOR;
  const announce: PostCommitHook = (event) => {
    const seeded = new Set(
      event.rows.filter((r) => "from_lane" in r && r.from_lane === "genesis" && r.to_lane === "planned").map((r) => r.wp_id),
    );
    for (const wpId of topologicalOrder(graph)) {
      if (!seeded.has(wpId)) continue;
      o.emitter.emit(
        wpCreatedFact({
          wpId,
          title: byId.get(wpId)?.title ?? wpId,
          dependsOn: graph[wpId] ?? [],
          missionSlug: ctx.slug,
          actor,
          causationId,
        }),
      );
    }
  };
  const options = o.statusOptions ?? {};
  return { ...options, postCommitHooks: [announce, ...(options.postCommitHooks ?? [])] };
};

const readWorkPackage = (wpId: string, path: string, relPath: string, doc: TasksDocument): WpRead => {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw inputError("WP_FILE_UNREADABLE", `${relPath}: cannot read (${(error as { code?: string }).code ?? String(error)})`, { file: relPath, wpId });
  }
  const file = splitFrontmatter(text, relPath);
  const front = parseFront(file);
  const declared = frontString(front, "work_package_id");
  if (declared !== undefined && declared !== wpId) {
    const map = front.contents;
    const pair = isMap(map) ? map.items.find((p) => isScalar(p.key) && p.key.value === "work_package_id") : undefined;
    const line = pair !== undefined && isScalar(pair.key) ? lineAt(text.replace(/\r\n/g, "\n"), 4 + (pair.key.range?.[0] ?? 0)) : 2;
    throw inputError("WP_ID_MISMATCH", `${relPath}:${line}: work_package_id is '${declared}' but the file name says ${wpId}`, {
      file: relPath,
      line,
      field: "work_package_id",
      wpId,
      hint: `set work_package_id: ${wpId}, or rename the file`,
    });
  }
  const deps = readDependencies(front, text, relPath);
  const section = doc.sections.find((s) => s.wpId === wpId);
  const title = frontString(front, "title")?.trim() || section?.title || wpId;
  return { wpId, path, relPath, text, title, explicit: deps.deps, explicitLine: deps.line, written: deps.written };
};

const checkCoverage = (ctx: MissionContext, doc: TasksDocument, wps: readonly WpRead[], tasksMdRel: string): void => {
  const fileIds = new Set(wps.map((w) => w.wpId));
  const sectionIds = new Set(doc.sections.map((s) => s.wpId));
  if (fileIds.size === 0 && sectionIds.size === 0) {
    throw inputError("NO_WORK_PACKAGES", `${tasksMdRel}: no work package sections ('## Work Package WP01: Title') and no tasks/WPnn-*.md files`, {
      file: tasksMdRel,
      hint: "write the work packages first",
    });
  }
  const missingSections = wps.filter((w) => !sectionIds.has(w.wpId));
  const extraSections = doc.sections.filter((s) => !fileIds.has(s.wpId));
  if (missingSections.length === 0 && extraSections.length === 0) return;
  const parts = [
    ...missingSections.map((w) => `${w.wpId} has a prompt file (${w.relPath}) but no section in tasks.md`),
    ...extraSections.map((s) => `${tasksMdRel}:${s.line}: ${s.wpId} has a section but no prompt file in ${posix(relative(ctx.repo.mainRoot, join(ctx.path, TASKS_DIR)))}/`),
  ];
  const first = extraSections[0];
  throw inputError("TASKS_COVERAGE_INCOMPLETE", `tasks.md work package coverage is incomplete: ${parts.join("; ")}`, {
    file: first === undefined ? (missingSections[0] as WpRead).relPath : tasksMdRel,
    ...(first === undefined ? {} : { line: first.line }),
    hint: "every tasks/WPnn-*.md needs a '## Work Package WPnn' section in tasks.md, and every section a prompt file",
    details: { missing_wp_sections: missingSections.map((w) => w.wpId), extra_wp_sections: extraSections.map((s) => s.wpId) },
  });
};

const checkGraph = (
  graph: DependencyGraph,
  source: Readonly<Record<string, "frontmatter" | "tasks.md">>,
  wps: readonly WpRead[],
  doc: TasksDocument,
): void => {
  const where = (wpId: string, dep: string): { file: string; line: number } => {
    const wp = wps.find((w) => w.wpId === wpId) as WpRead;
    if (source[wpId] === "frontmatter") return { file: wp.relPath, line: wp.explicitLine };
    const section = doc.sections.find((s) => s.wpId === wpId);
    return { file: doc.path, line: section?.dependencyLines[dep] ?? section?.line ?? 1 };
  };
  const problems = graphProblems(graph);
  const first = problems[0];
  if (first !== undefined) {
    const lines = problems.map((p) => {
      const at = where(p.wpId, p.dependency);
      return `${at.file}:${at.line}: ${p.wpId}: ${p.message}`;
    });
    const at = where(first.wpId, first.dependency);
    throw inputError("INVALID_DEPENDENCIES", `Invalid dependencies for ${first.wpId}: ${lines.join("; ")}`, {
      file: at.file,
      line: at.line,
      wpId: first.wpId,
      field: "dependencies",
      hint: "a work package may depend only on other work packages of this mission",
      details: { errors: problems.map((p) => ({ wp_id: p.wpId, dependency: p.dependency, kind: p.kind, message: p.message, ...where(p.wpId, p.dependency) })) },
    });
  }
  const cycles = findCycles(graph);
  const cycle = cycles[0];
  if (cycle !== undefined) {
    const described = cycles.map((c) => {
      const steps = c.slice(0, -1).map((id, i) => {
        const at = where(id, c[i + 1] as string);
        return `${id} → ${c[i + 1]} (${at.file}:${at.line})`;
      });
      return steps.join(", ");
    });
    const at = where(cycle[0] as string, cycle[1] as string);
    throw inputError("CYCLIC_DEPENDENCIES", `Circular dependencies detected: ${cycles.map((c) => c.join(" → ")).join("; ")} [${described.join("; ")}]`, {
      file: at.file,
      line: at.line,
      wpId: cycle[0] as string,
      field: "dependencies",
      hint: "remove one dependency of each cycle",
      details: { cycles: cycles.map((c) => [...c]) },
    });
  }
};
