import * as Data from "effect/Data";

/**
 * Exit codes every command follows:
 * 0 ok, 1 a domain failure (the request was understood and refused or failed), 2 usage or input errors.
 */
export const ExitCode = { Ok: 0, DomainFailure: 1, UsageOrInput: 2 } as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The command line itself is wrong: unknown command, missing or malformed option. Exit 2. */
export class UsageFailure extends Data.TaggedError("UsageFailure")<{
  readonly message: string;
  readonly hint?: string;
}> {}

/** An input file or value cannot be read or parsed: names the file and line where it can. Exit 2. */
export class InputFailure extends Data.TaggedError("InputFailure")<{
  readonly message: string;
  readonly hint?: string;
}> {}

/**
 * The request was valid but the domain refused it or it failed (rejected transition, unknown mission). Exit 1.
 * A command run with --json prints its own JSON error object on stdout before failing with this.
 */
export class DomainFailure extends Data.TaggedError("DomainFailure")<{
  readonly message: string;
  readonly hint?: string;
}> {}

export type CliFailure = UsageFailure | InputFailure | DomainFailure;

export const exitCodeOf = (failure: CliFailure): ExitCode =>
  failure._tag === "DomainFailure" ? ExitCode.DomainFailure : ExitCode.UsageOrInput;
