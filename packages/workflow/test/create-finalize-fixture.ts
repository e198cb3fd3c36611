import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { git, initGitRepo, type TempDirs } from "@spec-kitty/test-support";

/** Shared set-up of the create/finalize tests: a repository, and everything needed to prove nothing was written. */

export const newRepo = (temp: TempDirs): string => {
  const root = temp.make("sk-wf-cf-");
  initGitRepo(root);
  return root;
};

/** HEAD, `git status`, and the bytes of every file outside .git: equal snapshots mean nothing was written. */
export interface RepoState {
  readonly head: string;
  readonly status: string;
  readonly files: Readonly<Record<string, string>>;
  readonly commits: number;
}

const walk = (root: string, dir: string, out: Record<string, string>): void => {
  for (const name of readdirSync(dir)) {
    if (name === ".git") continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(root, path, out);
    else out[relative(root, path)] = readFileSync(path, "latin1");
  }
};

export const repoState = (root: string): RepoState => {
  const files: Record<string, string> = {};
  walk(root, root, files);
  return {
    head: git(root, "rev-parse", "HEAD").trim(),
    status: git(root, "status", "--porcelain", "--untracked-files=all"),
    files,
    commits: Number(git(root, "rev-list", "--count", "HEAD").trim()),
  };
};

/** A WP prompt file; `extra` lines go into the front matter after the title. */
export const wpFile = (id: string, title: string, extra: readonly string[] = []): string =>
  `---\nwork_package_id: ${id}\ntitle: ${title}\n${extra.map((l) => `${l}\n`).join("")}lane: planned\nsubtasks: []\nhistory:\n- timestamp: '2026-02-07T08:19:25Z'\n  lane: planned\n  agent: system\n  action: Prompt generated\n---\n# Work Package Prompt: ${id} – ${title}\n\n## Activity Log\n\n- 2026-02-07T08:19:25Z – system – lane=planned – Prompt created.\n`;

export interface WpSpec {
  readonly id: string;
  readonly title: string;
  /** Dependency line(s) written into the tasks.md section (as is). */
  readonly tasksDeps?: readonly string[];
  readonly front?: readonly string[];
  readonly slug?: string;
}

export const tasksMd = (wps: readonly WpSpec[]): string =>
  [
    "# Work Packages",
    "",
    ...wps.flatMap((w, i) => [
      `## Work Package ${w.id}: ${w.title} (Priority: P${i})`,
      `**Goal**: deliver ${w.title.toLowerCase()}.`,
      `**Prompt**: \`/tasks/${w.id}-${w.slug ?? "wp"}.md\``,
      "### Included Subtasks",
      `- [ ] T${String(i * 2 + 1).padStart(3, "0")} first step of ${w.id}`,
      `- [ ] T${String(i * 2 + 2).padStart(3, "0")} [P] second step of ${w.id}`,
      ...(w.tasksDeps ?? []),
      "",
    ]),
  ].join("\n");

/** Writes tasks.md and the prompt files of `wps` into the mission directory (not committed: as an author leaves them). */
export const writeTasks = (missionDir: string, wps: readonly WpSpec[]): void => {
  writeFileSync(join(missionDir, "tasks.md"), tasksMd(wps));
  for (const w of wps) writeFileSync(join(missionDir, "tasks", `${w.id}-${w.slug ?? "wp"}.md`), wpFile(w.id, w.title, w.front));
};

/** Seven work packages with dependencies in several of the tasks.md formats. */
export const SEVEN: readonly WpSpec[] = [
  { id: "WP01", title: "Foundation" },
  { id: "WP02", title: "Storage", tasksDeps: ["### Dependencies", "- Depends on WP01."] },
  { id: "WP03", title: "Accounts", tasksDeps: ["**Dependencies**: WP01"] },
  { id: "WP04", title: "Sessions", tasksDeps: ["Depends on WP02, WP03"] },
  { id: "WP05", title: "Tokens", tasksDeps: ["| Dependencies | WP03 |"] },
  { id: "WP06", title: "Audit", tasksDeps: ["Dependencies: None"] },
  { id: "WP07", title: "Release", tasksDeps: ["### Dependencies", "- WP04", "- WP05", "- WP06"] },
];
