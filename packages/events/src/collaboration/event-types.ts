/**
 * The fourteen collaboration event types (feature 006). The names are the wire `event_type` values.
 */
export const PARTICIPANT_INVITED = "ParticipantInvited";
export const PARTICIPANT_JOINED = "ParticipantJoined";
export const PARTICIPANT_LEFT = "ParticipantLeft";
export const PRESENCE_HEARTBEAT = "PresenceHeartbeat";
export const DRIVE_INTENT_SET = "DriveIntentSet";
export const FOCUS_CHANGED = "FocusChanged";
export const PROMPT_STEP_EXECUTION_STARTED = "PromptStepExecutionStarted";
export const PROMPT_STEP_EXECUTION_COMPLETED = "PromptStepExecutionCompleted";
export const CONCURRENT_DRIVER_WARNING = "ConcurrentDriverWarning";
export const POTENTIAL_STEP_COLLISION_DETECTED = "PotentialStepCollisionDetected";
export const WARNING_ACKNOWLEDGED = "WarningAcknowledged";
export const COMMENT_POSTED = "CommentPosted";
export const DECISION_CAPTURED = "DecisionCaptured";
export const SESSION_LINKED = "SessionLinked";

export type CollaborationEventType =
  | typeof PARTICIPANT_INVITED
  | typeof PARTICIPANT_JOINED
  | typeof PARTICIPANT_LEFT
  | typeof PRESENCE_HEARTBEAT
  | typeof DRIVE_INTENT_SET
  | typeof FOCUS_CHANGED
  | typeof PROMPT_STEP_EXECUTION_STARTED
  | typeof PROMPT_STEP_EXECUTION_COMPLETED
  | typeof CONCURRENT_DRIVER_WARNING
  | typeof POTENTIAL_STEP_COLLISION_DETECTED
  | typeof WARNING_ACKNOWLEDGED
  | typeof COMMENT_POSTED
  | typeof DECISION_CAPTURED
  | typeof SESSION_LINKED;

/** All fourteen types; the reducer ignores every other event type. */
export const COLLABORATION_EVENT_TYPES: ReadonlySet<CollaborationEventType> = new Set<CollaborationEventType>([
  PARTICIPANT_INVITED,
  PARTICIPANT_JOINED,
  PARTICIPANT_LEFT,
  PRESENCE_HEARTBEAT,
  DRIVE_INTENT_SET,
  FOCUS_CHANGED,
  PROMPT_STEP_EXECUTION_STARTED,
  PROMPT_STEP_EXECUTION_COMPLETED,
  CONCURRENT_DRIVER_WARNING,
  POTENTIAL_STEP_COLLISION_DETECTED,
  WARNING_ACKNOWLEDGED,
  COMMENT_POSTED,
  DECISION_CAPTURED,
  SESSION_LINKED,
]);

export const isCollaborationEventType = (eventType: string): eventType is CollaborationEventType =>
  COLLABORATION_EVENT_TYPES.has(eventType as CollaborationEventType);
