import type { DoneEvidence, ReviewResult } from "./evidence.ts";

/**
 * What a transition request tells the guards. Every field is optional; a guard that needs a missing
 * field rejects. Guards never read `force`: force is decided once, in `validateTransition`.
 */
export interface GuardInput {
  readonly actor?: string | null;
  readonly workspaceContext?: string | null;
  readonly subtasksComplete?: boolean | null;
  readonly implementationEvidencePresent?: boolean | null;
  readonly reason?: string | null;
  readonly reviewRef?: string | null;
  readonly evidence?: DoneEvidence | null;
  readonly reviewResult?: ReviewResult | null;
  readonly currentActor?: string | null;
  readonly force?: boolean;
}

/** The names of the entry guards; the transition table refers to guards by these names. */
export type GuardId =
  | "none"
  | "actor_required"
  | "workspace_context"
  | "subtasks_and_evidence"
  | "reviewer_approval"
  | "reason_required"
  | "review_result"
  | "review_result_with_approval"
  | "review_ref_required";

export interface Guard {
  readonly id: GuardId;
  /** One line for the generated README table. */
  readonly requires: string;
  /** `null` when the guard passes, else the reference's message. */
  readonly check: (input: GuardInput, from: string, to: string) => string | null;
}

/** The exact messages of the reference; agents and tests match on them, keep them verbatim. */
export const GuardMessages = {
  actorRequired: "Transition requires actor identity",
  workspaceContext: "Transition claimed -> in_progress requires workspace context",
  subtasksIncomplete: "Transition in_progress -> for_review requires completed subtasks or force with reason",
  evidenceMissing: "Transition in_progress -> for_review requires implementation evidence or force with reason",
  approvalRequired: "Transition to approved/done requires evidence (reviewer identity and approval reference)",
  reasonRequired: "Transition in_progress -> planned requires reason",
  reviewResultRequired: "Transition from in_review requires review_result (structured review outcome)",
  reviewResultReviewer: "Transition from in_review requires review_result with reviewer",
  reviewResultVerdict: "Transition from in_review requires review_result with verdict",
  reviewResultReference: "Transition from in_review requires review_result with reference",
  reviewRefMismatch: "review_ref must match review_result.reference",
  reviewEvidenceMismatch: "Review evidence must match review_result",
  reviewRefRequired: "Transition requires review_ref (review feedback reference)",
} as const;

const blank = (value: string | null | undefined): boolean => value === null || value === undefined || value.trim() === "";

const hasActor = (input: GuardInput): boolean => !blank(input.actor);

/** Reviewer approval carried by evidence: reviewer and reference present, verdict "approved". */
const evidenceApproves = (evidence: DoneEvidence | null | undefined): boolean => {
  const review = evidence?.review;
  if (review === undefined || review === null) return false;
  return !blank(review.reviewer) && !blank(review.reference) && review.verdict === "approved";
};

const reviewResultProblem = (input: GuardInput): string | null => {
  const result = input.reviewResult;
  if (result === undefined || result === null) return GuardMessages.reviewResultRequired;
  if (blank(result.reviewer)) return GuardMessages.reviewResultReviewer;
  if (blank(result.verdict)) return GuardMessages.reviewResultVerdict;
  if (blank(result.reference)) return GuardMessages.reviewResultReference;
  return null;
};

/** review_ref and evidence, when given, must agree with the review_result they accompany. */
const reviewConsistencyProblem = (input: GuardInput): string | null => {
  const result = input.reviewResult;
  if (result === undefined || result === null) return GuardMessages.reviewResultRequired;
  if (!blank(input.reviewRef) && input.reviewRef !== result.reference) return GuardMessages.reviewRefMismatch;
  const review = input.evidence?.review;
  if (review !== undefined && review !== null) {
    if (review.reviewer !== result.reviewer || review.verdict !== result.verdict || review.reference !== result.reference) {
      return GuardMessages.reviewEvidenceMismatch;
    }
  }
  return null;
};

export const GUARDS: Readonly<Record<GuardId, Guard>> = {
  none: { id: "none", requires: "-", check: () => null },
  actor_required: {
    id: "actor_required",
    requires: "actor",
    check: (input) => (hasActor(input) ? null : GuardMessages.actorRequired),
  },
  workspace_context: {
    id: "workspace_context",
    requires: "workspace context",
    check: (input) => (blank(input.workspaceContext) ? GuardMessages.workspaceContext : null),
  },
  subtasks_and_evidence: {
    id: "subtasks_and_evidence",
    requires: "subtasks complete and implementation evidence",
    check: (input) => {
      if (input.subtasksComplete !== true) return GuardMessages.subtasksIncomplete;
      if (input.implementationEvidencePresent !== true) return GuardMessages.evidenceMissing;
      return null;
    },
  },
  reviewer_approval: {
    id: "reviewer_approval",
    requires: "evidence: reviewer, reference, verdict approved",
    check: (input) => (evidenceApproves(input.evidence) ? null : GuardMessages.approvalRequired),
  },
  reason_required: {
    id: "reason_required",
    requires: "reason",
    check: (input) => (blank(input.reason) ? GuardMessages.reasonRequired : null),
  },
  review_result: {
    id: "review_result",
    requires: "review_result (reviewer, verdict, reference), consistent with review_ref/evidence",
    check: (input) => reviewResultProblem(input) ?? reviewConsistencyProblem(input),
  },
  review_result_with_approval: {
    id: "review_result_with_approval",
    requires: "review_result, plus approval (evidence, or verdict approved), consistent with review_ref/evidence",
    check: (input) => {
      const missing = reviewResultProblem(input);
      if (missing !== null) return missing;
      const approved =
        input.evidence !== undefined && input.evidence !== null
          ? evidenceApproves(input.evidence)
          : input.reviewResult?.verdict === "approved";
      if (!approved) return GuardMessages.approvalRequired;
      return reviewConsistencyProblem(input);
    },
  },
  review_ref_required: {
    id: "review_ref_required",
    requires: "review_ref",
    check: (input) => (blank(input.reviewRef) ? GuardMessages.reviewRefRequired : null),
  },
};
