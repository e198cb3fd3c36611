import * as Context from "effect/Context";
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";

/**
 * Where a command writes. Data goes to stdout, diagnostics to stderr; nothing else prints.
 * Tests provide their own implementation to capture both streams.
 */
export class CliIO extends Context.Tag("@spec-kitty/cli/CliIO")<
  CliIO,
  {
    readonly stdout: (text: string) => void;
    readonly stderr: (text: string) => void;
    /** The directory relative paths on the command line are resolved against. */
    readonly cwd: string;
    /** Whether stdout is a terminal (decides colour and layout, never content of --json output). */
    readonly isTTY: boolean;
  }
>() {}

export const processIO = Layer.sync(CliIO, () => ({
  stdout: (text: string) => {
    process.stdout.write(text);
  },
  stderr: (text: string) => {
    process.stderr.write(text);
  },
  cwd: process.cwd(),
  isTTY: process.stdout.isTTY === true,
}));

/** Print data (one line, newline added) on stdout. */
export const printLine = (text: string) => Effect.flatMap(CliIO, (io) => Effect.sync(() => io.stdout(`${text}\n`)));

/** Print a JSON document on stdout: compact by default, as machine consumers read it. */
export const printJson = (value: unknown) => printLine(JSON.stringify(value));

/** Print a diagnostic line on stderr. */
export const printDiagnostic = (text: string) =>
  Effect.flatMap(CliIO, (io) => Effect.sync(() => io.stderr(`${text}\n`)));
