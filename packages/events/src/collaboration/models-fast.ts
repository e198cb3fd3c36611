/**
 * The two models the reducer builds from raw payload values (the reference constructs them with
 * `Model(**value)` and treats any failure as an invalid value). Validity comes from the Schemas through
 * compiled validators; the built values carry every field, as the reference's model dump does.
 */
import { compileValidator } from "../core/fast-validator.ts";
import { FocusTarget, ParticipantIdentity } from "./identity.ts";

const isParticipantIdentity = compileValidator(ParticipantIdentity);
const isFocusTarget = compileValidator(FocusTarget);

type Raw = Readonly<Record<string, unknown>>;

/** The identity a raw value stands for, or undefined when the reference would reject it. */
export const toParticipantIdentity = (raw: unknown): ParticipantIdentity | undefined => {
  if (!isParticipantIdentity(raw)) return undefined;
  const r = raw as Raw;
  const refs = r.external_refs as Raw | null | undefined;
  return {
    participant_id: r.participant_id as string,
    participant_type: r.participant_type as ParticipantIdentity["participant_type"],
    display_name: (r.display_name as string | null | undefined) ?? null,
    session_id: (r.session_id as string | null | undefined) ?? null,
    external_refs:
      refs === null || refs === undefined
        ? null
        : {
            slack_user_id: (refs.slack_user_id as string | null | undefined) ?? null,
            slack_team_id: (refs.slack_team_id as string | null | undefined) ?? null,
            teamspace_member_id: (refs.teamspace_member_id as string | null | undefined) ?? null,
          },
  };
};

/** The focus target a raw value stands for, or undefined when the reference would reject it. */
export const toFocusTarget = (raw: unknown): FocusTarget | undefined => {
  if (!isFocusTarget(raw)) return undefined;
  const r = raw as Raw;
  return { target_type: r.target_type as FocusTarget["target_type"], target_id: r.target_id as string };
};
