import * as Schema from "effect/Schema";
import { ignoreExtra, NonEmptyString, optionalNullable } from "./fields.ts";

// Evidence models drop unknown keys (reference `S/status.py` evidence models have no `extra="forbid"`), and their
// defaults are filled on decode so that encoding reproduces the reference's full dump.

/** Evidence of repository changes for a completed work package. */
export const RepoEvidence = Schema.Struct({
  repo: NonEmptyString,
  branch: NonEmptyString,
  commit: NonEmptyString,
  files_touched: optionalNullable(Schema.Array(Schema.String)),
}).annotations({ identifier: "RepoEvidence", ...ignoreExtra });
export type RepoEvidence = typeof RepoEvidence.Type;

/** One verification step (a test run, a lint check). */
export const VerificationEntry = Schema.Struct({
  command: NonEmptyString,
  result: NonEmptyString,
  summary: optionalNullable(Schema.String),
}).annotations({ identifier: "VerificationEntry", ...ignoreExtra });
export type VerificationEntry = typeof VerificationEntry.Type;

/** A reviewer's verdict. */
export const ReviewVerdict = Schema.Struct({
  reviewer: NonEmptyString,
  verdict: NonEmptyString,
  reference: optionalNullable(Schema.String),
}).annotations({ identifier: "ReviewVerdict", ...ignoreExtra });
export type ReviewVerdict = typeof ReviewVerdict.Type;

/** The evidence bundle required when a work package moves to approved or done. */
export const DoneEvidence = Schema.Struct({
  repos: Schema.Array(RepoEvidence).pipe(Schema.minItems(1)),
  verification: Schema.optionalWith(Schema.Array(VerificationEntry), { default: () => [] }),
  review: ReviewVerdict,
}).annotations({ identifier: "DoneEvidence", ...ignoreExtra });
export type DoneEvidence = typeof DoneEvidence.Type;
export type DoneEvidenceEncoded = typeof DoneEvidence.Encoded;

/** Envelope-level audit record of a forced transition (not part of the payload). */
export const ForceMetadata = Schema.Struct({
  force: Schema.optionalWith(Schema.Literal(true), { default: () => true as const }),
  actor: NonEmptyString,
  reason: NonEmptyString,
}).annotations({ identifier: "ForceMetadata", ...ignoreExtra });
export type ForceMetadata = typeof ForceMetadata.Type;

/** The canonical JSON dump of an evidence bundle (all defaults present). */
export const encodeDoneEvidence = Schema.encodeSync(DoneEvidence);
