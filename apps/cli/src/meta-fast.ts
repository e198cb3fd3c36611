/**
 * The CLI's own pages without the parser (ADR-0011, ADR-0017): `--version`, `--help` / `-h` and an unknown
 * command word are answered from text rendered ahead of time by the full @effect/cli parser
 * (src/generated/help.ts, written by tools/render-help.ts and checked against the parser by a test), so these paths
 * cost what Node's own start costs. Anything else, and every invocation under SPEC_KITTY_FULL_PARSER=1, goes on to
 * the direct path or the full parser.
 */
import { HELP_ANSI, HELP_PLAIN, UNKNOWN_COMMAND_ANSI, UNKNOWN_COMMAND_PLAIN } from "./generated/help.ts";
import { CLI_VERSION } from "./version.ts";

export interface MetaIO {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly isTTY: boolean;
}

const HINT = "hint: run 'spec-kitty --help' (or 'spec-kitty COMMAND --help') for usage\n";

/** The exit code when `argv` is one of the pages answered here, else undefined (nothing written). */
export const runMetaFast = (argv: ReadonlyArray<string>, commandNames: ReadonlyArray<string>, io: MetaIO): number | undefined => {
  if (argv.length !== 1) return undefined;
  const word = argv[0] as string;
  if (word === "--version") {
    io.stdout(`${CLI_VERSION}\n`);
    return 0;
  }
  if (word === "--help" || word === "-h") {
    io.stdout(io.isTTY ? HELP_ANSI : HELP_PLAIN);
    return 0;
  }
  // A first word that is no command and no option: the parser's "invalid subcommand" error plus our hint.
  if (/^[a-z][a-z0-9-]*$/.test(word) && !commandNames.includes(word)) {
    io.stderr(io.isTTY ? UNKNOWN_COMMAND_ANSI : UNKNOWN_COMMAND_PLAIN);
    io.stderr(HINT);
    return 2;
  }
  return undefined;
};
