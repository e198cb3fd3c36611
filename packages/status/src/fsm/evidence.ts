/** The structured review outcomes a transition can carry; wire shapes (snake_case keys as on disk). */

/** A reviewer's sign-off: required (with verdict "approved") to reach approved/done. */
export interface ReviewApproval {
  readonly reviewer: string;
  readonly verdict: string;
  readonly reference: string;
}

/** A repository touched by the work, recorded in done evidence. */
export interface RepoEvidence {
  readonly repo: string;
  readonly branch: string;
  readonly commit: string;
  readonly files_touched?: readonly string[];
}

/** A verification command and its result, recorded in done evidence. */
export interface VerificationResult {
  readonly command: string;
  readonly result: string;
  readonly summary: string;
}

/** Evidence attached to a transition; empty `repos`/`verification` lists are omitted on the wire. */
export interface DoneEvidence {
  readonly review: ReviewApproval;
  readonly repos?: readonly RepoEvidence[];
  readonly verification?: readonly VerificationResult[];
}

/** The outcome of an active review; `reference` is an approval ref or a `feedback://` URI. */
export interface ReviewResult {
  readonly reviewer: string;
  readonly verdict: string;
  readonly reference: string;
  readonly feedback_path?: string;
}
