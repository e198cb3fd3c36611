import * as Data from "effect/Data";

/** Stable machine codes of template problems. */
export type TemplateErrorCode =
  | "TEMPLATE_UNREADABLE"
  | "TEMPLATE_YAML_INVALID"
  | "TEMPLATE_FIELD_INVALID"
  | "TEMPLATE_HAS_NO_STEPS"
  | "TEMPLATE_NOT_FOUND";

/** A mission template cannot be read or is invalid; names the file and, where it applies, the field. */
export class TemplateError extends Data.TaggedError("TemplateError")<{
  readonly code: TemplateErrorCode;
  readonly message: string;
  readonly file: string;
  readonly field: string | null;
}> {}

/** Stable machine codes of run failures and refusals. */
export type RuntimeErrorCode =
  | "RUN_STATE_UNREADABLE"
  | "RUN_STATE_INVALID"
  | "RUN_DIR_EXISTS"
  | "RUN_WRITE_FAILED"
  | "DECISION_NOT_FOUND"
  | "DECISION_AUTHORITY_DENIED"
  | "DECISION_ANSWER_INVALID"
  | "MISSION_NOT_FOUND"
  | "MISSION_AMBIGUOUS"
  | "MISSION_METADATA_INVALID"
  | "WORK_PACKAGES_UNREADABLE";

/** A run could not be read, written or advanced, or an answer was refused. */
export class MissionRuntimeError extends Data.TaggedError("MissionRuntimeError")<{
  readonly code: RuntimeErrorCode;
  readonly message: string;
  readonly path?: string;
}> {}

export const runtimeError = (code: RuntimeErrorCode, message: string, path?: string): MissionRuntimeError =>
  path === undefined ? new MissionRuntimeError({ code, message }) : new MissionRuntimeError({ code, message, path });

export const templateError = (
  code: TemplateErrorCode,
  file: string,
  field: string | null,
  message: string,
): TemplateError => new TemplateError({ code, file, field, message });
