/**
 * Every refusal of a workflow command is a `WorkflowError` with a stable `code`, a message naming what is wrong
 * and where (file, line, field), what to do next (`hint`), and its kind, which decides the exit code the CLI uses:
 * `input` (a file or value cannot be read or parsed: exit 2), `usage` (the command line: exit 2), `domain` (the
 * request was understood and refused or failed: exit 1). Nothing is written before a WorkflowError is thrown, or
 * what was written is undone, unless the error says otherwise.
 */
export type WorkflowErrorKind = "usage" | "input" | "domain";

export interface WorkflowErrorFields {
  readonly code: string;
  readonly message: string;
  readonly kind?: WorkflowErrorKind;
  readonly hint?: string;
  /** The file the problem is in, when it is in one. */
  readonly file?: string;
  /** 1-based line in `file`. */
  readonly line?: number;
  /** The key or field that is wrong. */
  readonly field?: string;
  /** The work package concerned, when there is one (ErrorLogged carries it). */
  readonly wpId?: string;
  /** Extra machine-readable detail for --json (e.g. `cycles`). */
  readonly details?: Readonly<Record<string, unknown>>;
}

export class WorkflowError extends Error {
  override readonly name = "WorkflowError";
  readonly code: string;
  readonly kind: WorkflowErrorKind;
  readonly hint: string | undefined;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly field: string | undefined;
  readonly wpId: string | undefined;
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(fields: WorkflowErrorFields) {
    super(fields.message);
    this.code = fields.code;
    this.kind = fields.kind ?? "domain";
    this.hint = fields.hint;
    this.file = fields.file;
    this.line = fields.line;
    this.field = fields.field;
    this.wpId = fields.wpId;
    this.details = fields.details;
  }

  /** The JSON object a command prints under `error` with --json. */
  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      ...(this.file === undefined ? {} : { file: this.file }),
      ...(this.line === undefined ? {} : { line: this.line }),
      ...(this.field === undefined ? {} : { field: this.field }),
      ...(this.wpId === undefined ? {} : { wp_id: this.wpId }),
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(this.details ?? {}),
    };
  }
}

export const isWorkflowError = (e: unknown): e is WorkflowError => e instanceof WorkflowError;

/** `file:line: message` when the location is known. */
export const located = (file: string, line: number | undefined, message: string): string =>
  line === undefined ? `${file}: ${message}` : `${file}:${line}: ${message}`;
