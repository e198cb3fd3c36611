/**
 * Participant identity, external references, auth binding and focus target: the value objects the
 * collaboration payloads embed and the reducer stores.
 */
import * as Schema from "effect/Schema";
import { PyDateTimeFromInput } from "../core/index.ts";

/** A required string field: the reference demands at least one character. */
export const NonEmptyString = Schema.String.pipe(Schema.minLength(1));

/** An optional string the reference models as `Optional[str] = None`: absent or null decode to null. */
export const OptionalString = Schema.optionalWith(Schema.NullOr(Schema.String), { default: () => null });

const OptionalNonEmptyString = Schema.optionalWith(Schema.NullOr(NonEmptyString), { default: () => null });

/**
 * Cross-channel identity references. Unknown keys are rejected (the reference forbids extras here, unlike
 * every other collaboration model), and at least one reference must be set.
 */
export const ParticipantExternalRefs = Schema.Struct({
  slack_user_id: OptionalNonEmptyString,
  slack_team_id: OptionalNonEmptyString,
  teamspace_member_id: OptionalNonEmptyString,
})
  .annotations({ parseOptions: { onExcessProperty: "error" } })
  .pipe(
    Schema.filter(
      (refs) =>
        Boolean(refs.slack_user_id) || Boolean(refs.slack_team_id) || Boolean(refs.teamspace_member_id) ||
        "at least one of slack_user_id, slack_team_id, teamspace_member_id must be set",
    ),
  )
  .annotations({
    identifier: "ParticipantExternalRefs",
    title: "ParticipantExternalRefs",
    description: "Optional references to the same participant in other channels (Slack, Teamspace).",
  });
export type ParticipantExternalRefs = Schema.Schema.Type<typeof ParticipantExternalRefs>;

/** The closed participant category set of the reference (`human` or `llm_context`). */
export const ParticipantType = Schema.Literal("human", "llm_context");
export type ParticipantType = Schema.Schema.Type<typeof ParticipantType>;

/** A mission-scoped participant identity, minted by the SaaS. Unknown keys are ignored. */
export const ParticipantIdentity = Schema.Struct({
  participant_id: NonEmptyString,
  participant_type: ParticipantType,
  display_name: OptionalString,
  session_id: OptionalString,
  external_refs: Schema.optionalWith(Schema.NullOr(ParticipantExternalRefs), { default: () => null }),
}).annotations({
  identifier: "ParticipantIdentity",
  title: "ParticipantIdentity",
  description: "Mission-scoped participant identity issued by the SaaS.",
});
export type ParticipantIdentity = Schema.Schema.Type<typeof ParticipantIdentity>;
export type ParticipantIdentityEncoded = Schema.Schema.Encoded<typeof ParticipantIdentity>;

/** Binding of an authenticated principal to a participant of the roster (not read by the reducer). */
export const AuthPrincipalBinding = Schema.Struct({
  auth_principal_id: NonEmptyString,
  participant_id: NonEmptyString,
  bound_at: PyDateTimeFromInput,
}).annotations({
  identifier: "AuthPrincipalBinding",
  title: "AuthPrincipalBinding",
  description: "Binds an authenticated principal to a mission participant.",
});
export type AuthPrincipalBinding = Schema.Schema.Type<typeof AuthPrincipalBinding>;

/** What a participant is looking at: a work package, a step or a file. Unknown keys are ignored. */
export const FocusTarget = Schema.Struct({
  target_type: Schema.Literal("wp", "step", "file"),
  target_id: NonEmptyString,
}).annotations({
  identifier: "FocusTarget",
  title: "FocusTarget",
  description: "Structured focus reference: target category and identifier.",
});
export type FocusTarget = Schema.Schema.Type<typeof FocusTarget>;

/** Renders a focus target as the key of the `participants_by_focus` index, e.g. `wp:WP03`. */
export const focusKey = (target: FocusTarget): string => `${target.target_type}:${target.target_id}`;
