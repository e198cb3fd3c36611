import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { ulid } from "ulid";
import { missionCreatedFact, type WorkflowEmitter } from "./emit.ts";
import { WorkflowError } from "./errors.ts";
import { writeFileAtomic } from "./files.ts";
import { commitPaths, currentBranch, dirtyPaths, git, locateRepo } from "./git.ts";
import { DEFAULT_MISSION_TYPE, META_FILE, TASKS_DIR, readMetaFile, writeMetaFile } from "./mission.ts";

/**
 * `agent mission create SLUG`: a new mission directory `kitty-specs/<slug>-<mid8>` in the main checkout, on the
 * current branch. The ULID `mission_id` is minted first and its first 8 characters name the directory, so two
 * branches or worktrees creating missions at the same time never collide; `mission_number` stays null until merge.
 *
 * Written and committed (one commit, these paths only): `meta.json`, an empty `status.events.jsonl`, `spec.md`
 * (from the template tier), `tasks/README.md` and a `.gitkeep` in `tasks/`, `checklists/` and `research/`. One
 * `MissionCreated` is emitted, only by the run whose commit added the mission.
 *
 * Re-running with a slug that already names a mission on this branch (`<slug>-<mid8>`, or a legacy `NNN-<slug>`)
 * never makes a second one: when the existing mission agrees with every option given, the run succeeds with
 * `status: "existing"` (committing its scaffold first if an interrupted run left it uncommitted, and only then
 * emitting); when it disagrees, the run fails with MISSION_EXISTS naming it.
 */
export interface CreateOptions {
  readonly cwd: string;
  /** Lower-case kebab case; a leading `NNN-` number is dropped. */
  readonly slug: string;
  /** Default: the branch checked out in the main checkout. */
  readonly targetBranch?: string;
  /** Default `software-dev`. */
  readonly missionType?: string;
  /** Default: the slug's words, capitalized. */
  readonly friendlyName?: string;
  /** Default: the friendly name. */
  readonly purposeTldr?: string;
  /** Default: the purpose summary. */
  readonly purposeContext?: string;
  readonly emitter: WorkflowEmitter;
  /** For tests: the new mission_id (default a fresh ULID). */
  readonly newMissionId?: () => string;
  /** For tests: the creation time (default now). */
  readonly now?: () => Date;
}

export interface CreateResult {
  /** `created`: this run made the mission; `existing`: an identical mission was already there. */
  readonly status: "created" | "existing";
  readonly missionId: string;
  /** The directory name (`<slug>-<mid8>`), also meta.json's `mission_slug` and `slug`. */
  readonly missionSlug: string;
  /** The slug as given, without the number and the mid8. */
  readonly humanSlug: string;
  readonly missionNumber: null;
  readonly missionType: string;
  readonly friendlyName: string;
  readonly targetBranch: string;
  /** The branch the commit went to. */
  readonly branch: string;
  /** Absolute path of the mission directory. */
  readonly missionDir: string;
  readonly specFile: string;
  readonly metaFile: string;
  /** Where spec.md came from: a template file's path, or `built-in`. */
  readonly specTemplate: string;
  readonly commitCreated: boolean;
  readonly commitHash: string | null;
  /** Paths relative to the repository root, as committed. */
  readonly filesCommitted: readonly string[];
  readonly createdAt: string;
}

/** The files of a new mission directory, relative to it, in commit order. */
export const SCAFFOLD_FILES = ["meta.json", "status.events.jsonl", "spec.md", "tasks/.gitkeep", "tasks/README.md", "checklists/.gitkeep", "research/.gitkeep"] as const;

export const SLUG_PATTERN = /^[a-z0-9][a-z0-9]*(-[a-z0-9]+)*$/;
const MISSION_TYPE_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;
const LEADING_NUMBER = /^\d+-/;
const MID8_SUFFIX = /-([0-9A-HJKMNP-TV-Z]{8})$/;
const LEGACY_PREFIX = /^\d{3}-/;

/** The text of `tasks/README.md` in every new mission. */
export const TASKS_README = `# Work packages

One prompt file per work package lives here: \`WP01-short-name.md\`, \`WP02-…\`, flat in this folder.

Each file starts with a YAML front matter block:

\`\`\`yaml
---
work_package_id: WP01
title: A short title
dependencies: []
subtasks: [T001, T002]
---
\`\`\`

\`tasks.md\` one level up has one section per work package (\`## Work Package WP01: …\`) with its subtasks and
dependencies. After writing both, run \`spec-kitty agent mission finalize-tasks --mission <mission>\`: it checks
them, records the dependencies in the front matter, seeds every work package as \`planned\` in the status log and
commits. Lanes live only in \`status.events.jsonl\`; move work packages with \`spec-kitty agent tasks move-task\`.
`;

/** The spec.md used when neither `.kittify/templates/spec-template.md` nor `templates/spec-template.md` exists. */
export const builtInSpecTemplate = (friendlyName: string, missionSlug: string, createdAt: string): string => `# Specification: ${friendlyName}

**Mission**: \`${missionSlug}\`
**Created**: ${createdAt.slice(0, 10)}
**Status**: Draft

## Purpose

<!-- Why this mission exists and who it serves, in two or three sentences. -->

## User Scenarios & Testing

### Scenario 1 - [Title] (Priority: P1)

[Who does what, and why it matters]

**Acceptance**:

1. **Given** [state], **When** [action], **Then** [outcome]

## Requirements

### Functional Requirements

- **FR-001**: The system MUST [capability]
- **FR-002**: [NEEDS CLARIFICATION: an open question]

### Non-Functional Requirements

- **NFR-001**: [measurable quality: latency, size, availability]

### Constraints

- **C-001**: [a limit the solution must respect]

## Success Criteria

- **SC-001**: [a measurable outcome]

## Assumptions

- [what is taken as given]
`;

/** Python's `datetime.now(timezone.utc).isoformat()`: microseconds and `+00:00`. */
const isoMicros = (d: Date): string => `${d.toISOString().slice(0, 23)}000+00:00`;

const titleCase = (slug: string): string =>
  slug
    .split("-")
    .filter((w) => w !== "")
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(" ");

const usage = (code: string, message: string, field: string, hint?: string): WorkflowError =>
  new WorkflowError({ code, kind: "usage", message, field, ...(hint === undefined ? {} : { hint }) });

const nonBlank = (value: string | undefined, option: string): string | undefined => {
  if (value === undefined) return undefined;
  if (value.trim() === "") throw usage("EMPTY_OPTION", `--${option} must not be empty`, option);
  return value.trim();
};

/** The human slug a mission directory carries: `<slug>-<mid8>` → slug, `NNN-slug` → slug. */
const humanSlugOf = (dir: string, missionId: string | null): string => {
  const m = MID8_SUFFIX.exec(dir);
  if (m !== null && (missionId === null || missionId.startsWith(m[1] as string))) return dir.slice(0, -9);
  return dir.replace(LEGACY_PREFIX, "");
};

interface Existing {
  readonly dir: string;
  readonly meta: Record<string, unknown>;
  readonly metaPath: string;
}

/** Missions in `kitty-specs` whose human slug is `slug` (a directory without meta.json counts too: it is in the way). */
const existingMissions = (kittySpecs: string, slug: string): readonly Existing[] => {
  if (!existsSync(kittySpecs)) return [];
  const found: Existing[] = [];
  for (const entry of readdirSync(kittySpecs, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const dir = entry.name;
    const candidate = MID8_SUFFIX.test(dir) ? dir.slice(0, -9) : dir.replace(LEGACY_PREFIX, "");
    if (candidate !== slug) continue;
    const metaPath = join(kittySpecs, dir, META_FILE);
    const meta = existsSync(metaPath) ? readMetaFile(metaPath) : {};
    const missionId = typeof meta["mission_id"] === "string" ? meta["mission_id"] : null;
    if (humanSlugOf(dir, missionId) === slug) found.push({ dir, meta, metaPath });
  }
  return found.sort((a, b) => (a.dir < b.dir ? -1 : 1));
};

export const createMission = async (o: CreateOptions): Promise<CreateResult> => {
  // 1. The command line, before anything is looked at.
  const rawSlug = o.slug.trim();
  const slug = rawSlug.replace(LEADING_NUMBER, "");
  if (!SLUG_PATTERN.test(slug)) {
    throw usage(
      "INVALID_SLUG",
      `invalid mission slug '${o.slug}': use lower-case letters and digits in words joined by single hyphens (e.g. 'user-auth')`,
      "slug",
      "a leading 'NNN-' number is dropped; the mission directory becomes '<slug>-<first 8 characters of the mission id>'",
    );
  }
  const missionType = nonBlank(o.missionType, "mission-type") ?? DEFAULT_MISSION_TYPE;
  if (!MISSION_TYPE_PATTERN.test(missionType)) {
    throw usage("INVALID_MISSION_TYPE", `invalid mission type '${missionType}' (e.g. software-dev, research, documentation)`, "mission-type");
  }
  const friendlyGiven = nonBlank(o.friendlyName, "friendly-name");
  const tldrGiven = nonBlank(o.purposeTldr, "purpose-tldr");
  const contextGiven = nonBlank(o.purposeContext, "purpose-context");
  const targetGiven = nonBlank(o.targetBranch, "target-branch");

  // 2. Where: the planning repository, on a branch.
  const cwd = resolve(o.cwd);
  const repo = locateRepo(cwd);
  if (repo === null) {
    throw new WorkflowError({
      code: "NOT_A_GIT_REPOSITORY",
      message: "Not in a git repository. Feature creation requires git.",
      hint: `run inside the project's repository (${cwd} is in none; 'git init' first for a new project)`,
    });
  }
  if (repo.inWorktree || cwd.split(sep).includes(".worktrees")) {
    throw new WorkflowError({
      code: "INSIDE_WORKTREE",
      message: "Cannot create features from inside a worktree. Run from the planning repository.",
      hint: `cd ${repo.mainRoot}`,
    });
  }
  const root = repo.mainRoot;
  const branch = await currentBranch(root);
  if (branch === null) {
    throw new WorkflowError({
      code: "DETACHED_HEAD",
      message: "Must be on a branch to create features (detached HEAD detected).",
      hint: "switch to the planning branch first (git switch main)",
    });
  }
  const targetBranch = targetGiven ?? branch;
  if (targetGiven !== undefined) {
    const check = await git(root, ["check-ref-format", "--branch", targetGiven], { allowFail: true });
    if (check.code !== 0) throw usage("INVALID_TARGET_BRANCH", `--target-branch '${targetGiven}' is not a valid branch name`, "target-branch");
  }
  const friendlyName = friendlyGiven ?? titleCase(slug);
  const purposeTldr = tldrGiven ?? friendlyName;
  const purposeContext = contextGiven ?? purposeTldr;
  const kittySpecs = join(root, "kitty-specs");

  // 3. The same slug again: never a second mission.
  const existing = existingMissions(kittySpecs, slug);
  if (existing.length > 0) {
    return reuseExisting(o, { root, kittySpecs, branch, slug, existing, missionType, targetGiven, friendlyGiven, tldrGiven, contextGiven });
  }

  // 4. Mint the identity, then write the scaffold.
  const missionId = (o.newMissionId ?? ulid)();
  if (!/^[0-9A-HJKMNP-TV-Z]{26}$/.test(missionId)) throw new Error(`not a ULID: ${missionId}`);
  const missionSlug = `${slug}-${missionId.slice(0, 8)}`;
  const missionDir = join(kittySpecs, missionSlug);
  const createdAt = isoMicros((o.now ?? (() => new Date()))());
  const meta: Record<string, unknown> = {
    created_at: createdAt,
    flattened: false,
    friendly_name: friendlyName,
    mission_id: missionId,
    mission_number: null,
    mission_slug: missionSlug,
    mission_type: missionType,
    purpose_context: purposeContext,
    purpose_tldr: purposeTldr,
    slug: missionSlug,
    target_branch: targetBranch,
    topology: "single_branch",
  };
  const { text: specText, source: specTemplate } = specTemplateText(root, friendlyName, missionSlug, createdAt);
  const contents: Record<(typeof SCAFFOLD_FILES)[number], string> = {
    "meta.json": "",
    "status.events.jsonl": "",
    "spec.md": specText,
    "tasks/.gitkeep": "",
    "tasks/README.md": TASKS_README,
    "checklists/.gitkeep": "",
    "research/.gitkeep": "",
  };
  const files: Array<[string, string]> = SCAFFOLD_FILES.map((f) => [join(missionDir, f), contents[f]]);
  const hadKittySpecs = existsSync(kittySpecs);
  const removeScaffold = (): void => {
    rmSync(missionDir, { recursive: true, force: true });
    if (!hadKittySpecs) rmSync(kittySpecs, { recursive: true, force: true });
  };
  try {
    for (const sub of [TASKS_DIR, "checklists", "research"]) mkdirSync(join(missionDir, sub), { recursive: true });
    for (const [path, text] of files) {
      if (path.endsWith(META_FILE)) writeMetaFile(path, meta);
      else writeFileAtomic(path, text);
    }
  } catch (error) {
    removeScaffold();
    throw new WorkflowError({
      code: "IO_WRITE_FAILED",
      message: `cannot write the mission scaffold under ${missionDir}: ${error instanceof Error ? error.message : String(error)}`,
      file: missionDir,
    });
  }
  const relFiles = files.map(([p]) => relative(root, p).split(sep).join("/"));
  let outcome;
  try {
    outcome = await commitPaths(root, relFiles, `Add spec for feature ${missionSlug}`);
  } catch (error) {
    // Nothing of the mission stays behind when its commit fails.
    await git(root, ["reset", "--quiet", "--", ...relFiles], { allowFail: true });
    removeScaffold();
    throw error;
  }
  o.emitter.emit(
    missionCreatedFact({ missionId, missionSlug, missionType, targetBranch, friendlyName, purposeTldr, purposeContext, createdAt }),
  );
  return {
    status: "created",
    missionId,
    missionSlug,
    humanSlug: slug,
    missionNumber: null,
    missionType,
    friendlyName,
    targetBranch,
    branch,
    missionDir,
    specFile: join(missionDir, "spec.md"),
    metaFile: join(missionDir, META_FILE),
    specTemplate,
    commitCreated: outcome.created,
    commitHash: outcome.sha,
    filesCommitted: outcome.created ? relFiles : [],
    createdAt,
  };
};

/** The template tier: the project's `.kittify/templates/spec-template.md`, else `templates/spec-template.md`, else built in. */
const specTemplateText = (root: string, friendlyName: string, missionSlug: string, createdAt: string): { text: string; source: string } => {
  for (const candidate of [join(root, ".kittify", "templates", "spec-template.md"), join(root, "templates", "spec-template.md")]) {
    if (existsSync(candidate)) return { text: readFileSync(candidate, "utf8"), source: relative(root, candidate) };
  }
  return { text: builtInSpecTemplate(friendlyName, missionSlug, createdAt), source: "built-in" };
};

interface ReuseInput {
  readonly root: string;
  readonly kittySpecs: string;
  readonly branch: string;
  readonly slug: string;
  readonly existing: readonly Existing[];
  readonly missionType: string;
  readonly targetGiven: string | undefined;
  readonly friendlyGiven: string | undefined;
  readonly tldrGiven: string | undefined;
  readonly contextGiven: string | undefined;
}

const reuseExisting = async (o: CreateOptions, r: ReuseInput): Promise<CreateResult> => {
  const names = r.existing.map((e) => relative(r.root, join(r.kittySpecs, e.dir)));
  const [only] = r.existing;
  if (r.existing.length > 1 || only === undefined) {
    throw new WorkflowError({
      code: "MISSION_EXISTS",
      message: `a mission named '${r.slug}' already exists on this branch: ${names.join(", ")}`,
      hint: "choose another slug, or work on the existing mission",
      details: { existing: names },
    });
  }
  const meta = only.meta;
  const str = (key: string): string | undefined => (typeof meta[key] === "string" ? (meta[key] as string) : undefined);
  const differences: string[] = [];
  const compare = (field: string, given: string | undefined, actual: string | undefined): void => {
    if (given !== undefined && given !== actual) differences.push(`${field} is '${actual ?? "(unset)"}', not '${given}'`);
  };
  compare("mission_type", r.missionType, str("mission_type") ?? str("mission") ?? DEFAULT_MISSION_TYPE);
  compare("target_branch", r.targetGiven ?? r.branch, str("target_branch"));
  compare("friendly_name", r.friendlyGiven, str("friendly_name"));
  compare("purpose_tldr", r.tldrGiven, str("purpose_tldr"));
  compare("purpose_context", r.contextGiven, str("purpose_context"));
  const missionId = str("mission_id");
  if (missionId === undefined || differences.length > 0) {
    throw new WorkflowError({
      code: "MISSION_EXISTS",
      message:
        missionId === undefined
          ? `a mission named '${r.slug}' already exists on this branch: ${names[0]} (created without a mission_id)`
          : `a mission named '${r.slug}' already exists on this branch: ${names[0]} (${differences.join("; ")})`,
      file: only.metaPath,
      hint: "choose another slug, or re-run with the options the existing mission has",
      details: { existing: names },
    });
  }
  const missionDir = join(r.kittySpecs, only.dir);
  const missionSlug = str("mission_slug") ?? only.dir;
  const rel = relative(r.root, missionDir).split(sep).join("/");
  // An interrupted run (files written, commit not made) is finished here; its MissionCreated was never emitted.
  const pending = (await dirtyPaths(r.root, [rel])).map((line) => line.slice(3).replace(/^"|"$/g, ""));
  const scaffold = SCAFFOLD_FILES.map((f) => `${rel}/${f}`);
  const untrackedMeta = pending.some((p) => p === `${rel}/meta.json` || p === `${rel}/`);
  let outcome: { created: boolean; sha: string | null } = { created: false, sha: null };
  let committed: string[] = [];
  if (untrackedMeta) {
    const toCommit = scaffold.filter((p) => existsSync(join(r.root, p)));
    outcome = await commitPaths(r.root, toCommit, `Add spec for feature ${missionSlug}`);
    committed = outcome.created ? toCommit : [];
  }
  const missionType = str("mission_type") ?? DEFAULT_MISSION_TYPE;
  const friendlyName = str("friendly_name") ?? titleCase(r.slug);
  const targetBranch = str("target_branch") ?? r.branch;
  const createdAt = str("created_at") ?? "";
  if (outcome.created) {
    o.emitter.emit(
      missionCreatedFact({
        missionId,
        missionSlug,
        missionType,
        targetBranch,
        friendlyName,
        purposeTldr: str("purpose_tldr") ?? friendlyName,
        purposeContext: str("purpose_context") ?? str("purpose_tldr") ?? friendlyName,
        createdAt,
      }),
    );
  }
  return {
    status: outcome.created ? "created" : "existing",
    missionId,
    missionSlug,
    humanSlug: r.slug,
    missionNumber: null,
    missionType,
    friendlyName,
    targetBranch,
    branch: r.branch,
    missionDir,
    specFile: join(missionDir, "spec.md"),
    metaFile: only.metaPath,
    specTemplate: "existing",
    commitCreated: outcome.created,
    commitHash: outcome.sha,
    filesCommitted: committed,
    createdAt,
  };
};
