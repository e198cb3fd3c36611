/**
 * Decoding and encoding at the edges of the collaboration family: rosters in, reduced states out, and the
 * fast payload verdict used when validating whole streams.
 */
import type * as Either from "effect/Either";
import * as Schema from "effect/Schema";
import { type PyDateTime, type ValidationIssue, decodePayload } from "../core/index.ts";
import { compileValidator, type Validator } from "../core/fast-validator.ts";
import { ReducedCollaborationState, type ReducedCollaborationStateEncoded, Roster } from "./outputs.ts";
import { COLLABORATION_PAYLOAD_SCHEMAS } from "./payloads.ts";

/** Decodes a roster `{participant_id: ParticipantIdentity}` (e.g. a `--roster` file). */
export const decodeRoster = (u: unknown): Either.Either<Roster, ReadonlyArray<ValidationIssue>> =>
  decodePayload(Roster, u);

/**
 * The JSON value of a reduced state, deep-equal to the reference's `model_dump(mode="json")`. Equal to
 * `Schema.encodeSync(ReducedCollaborationState)` (a test holds the two together): the decoded state is
 * already JSON-shaped except for presence timestamps, so only those are rendered, and values are shared.
 */
export const encodeReducedCollaborationState = (s: ReducedCollaborationState): ReducedCollaborationStateEncoded => {
  const presence: Array<[string, string]> = [];
  for (const pid of Object.keys(s.presence)) presence.push([pid, (s.presence[pid] as PyDateTime).json]);
  return { ...s, presence: Object.fromEntries(presence) };
};

/** The generic Schema encoding of a reduced state (slower; the reference point of the fast encoder). */
export const encodeReducedCollaborationStateWithSchema: (
  s: ReducedCollaborationState,
) => ReducedCollaborationStateEncoded = Schema.encodeSync(ReducedCollaborationState);

const validators = new Map<string, Validator>(
  Object.entries(COLLABORATION_PAYLOAD_SCHEMAS).map(([type, schema]) => [type, compileValidator(schema)]),
);

/**
 * Whether `payload` is a valid payload of the collaboration event type `eventType` (same verdict as
 * decoding it with its schema, at a fraction of the cost); undefined when the type is not a collaboration type.
 */
export const isValidCollaborationPayload = (eventType: string, payload: unknown): boolean | undefined => {
  const validate = validators.get(eventType);
  return validate === undefined ? undefined : validate(payload);
};
