/**
 * The prompts the orchestrator gives agents. Implementation: the WP prompt file, with the reviewer's feedback first
 * when the work package comes back for rework. Review: what to check and the one structured line the orchestrator
 * reads the verdict from.
 */
export interface ImplementationPromptInput {
  readonly wpId: string;
  readonly missionSlug: string;
  readonly wpPrompt: string;
  readonly workspacePath: string;
  readonly branch: string;
  /** Rejections so far; > 0 with feedback for a rework. */
  readonly reviewCycle: number;
  readonly feedback: string | null;
}

export const implementationPrompt = (p: ImplementationPromptInput): string => {
  const rework =
    p.feedback === null || p.reviewCycle === 0
      ? []
      : [
          `## RE-IMPLEMENTATION REQUIRED (attempt ${p.reviewCycle + 1})`,
          "",
          "A reviewer rejected the previous implementation of this work package. Address every point below, then commit.",
          "",
          "### Review feedback",
          "",
          p.feedback,
          "",
          "---",
          "",
        ];
  return [
    ...rework,
    `You are implementing work package ${p.wpId} of mission ${p.missionSlug}.`,
    `Work in this directory only: ${p.workspacePath} (git branch ${p.branch}).`,
    "When the work is done, commit it on that branch (git add + git commit). Uncommitted work is not seen by the reviewer.",
    "",
    "## Work package",
    "",
    p.wpPrompt,
    "",
  ].join("\n");
};

export interface ReviewPromptInput {
  readonly wpId: string;
  readonly missionSlug: string;
  readonly wpPrompt: string;
  readonly workspacePath: string;
  readonly branch: string;
  readonly baseCommit: string | null;
}

export const reviewPrompt = (p: ReviewPromptInput): string =>
  [
    `You are reviewing work package ${p.wpId} of mission ${p.missionSlug}.`,
    `The implementation is on git branch ${p.branch}, checked out in ${p.workspacePath}.`,
    p.baseCommit === null ? "" : `Inspect the changes with: git diff ${p.baseCommit}..HEAD`,
    "Check that the work package below is fully and correctly implemented, and run its tests if it has any. Do not change files.",
    "",
    "End your answer with exactly one verdict line, then (when rejecting) the feedback for the implementer:",
    "",
    "    VERDICT: approved",
    "or",
    "    VERDICT: rejected - <one-line reason>",
    "    <what must change, as concrete points>",
    "",
    "## Work package",
    "",
    p.wpPrompt,
    "",
  ]
    .filter((line, i, all) => !(line === "" && all[i - 1] === ""))
    .join("\n");
