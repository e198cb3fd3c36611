/**
 * The collaboration reducer's strict-mode error for a participant outside the roster. Its message is the
 * reference's, word for word; the identifier is quoted as Python's `repr` quotes it.
 */
import * as Schema from "effect/Schema";
import { pyReprValue } from "./py-value.ts";

export class UnknownParticipantError extends Schema.TaggedError<UnknownParticipantError>()(
  "UnknownParticipantError",
  {
    message: Schema.String,
    participant_id: Schema.Unknown,
    event_id: Schema.String,
    event_type: Schema.String,
  },
) {}

/** Builds the error with the reference's message. */
export const unknownParticipant = (
  participantId: unknown,
  eventId: string,
  eventType: string,
): UnknownParticipantError =>
  new UnknownParticipantError({
    message: `Unknown participant ${pyReprValue(participantId)} in event ${eventId} (type=${eventType}). Not in mission roster.`,
    participant_id: participantId,
    event_id: eventId,
    event_type: eventType,
  });
