import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { CliIO } from "../src/io.ts";
import { runCli } from "../src/main.ts";

/** What the full parser prints for `argv`, with or without a terminal. */
export const renderWithParser = async (argv: ReadonlyArray<string>, isTTY: boolean): Promise<{ stdout: string; stderr: string; code: number }> => {
  let stdout = "";
  let stderr = "";
  const io = Layer.succeed(CliIO, {
    stdout: (t: string) => {
      stdout += t;
    },
    stderr: (t: string) => {
      stderr += t;
    },
    cwd: process.cwd(),
    isTTY,
  });
  const code = await Effect.runPromise(runCli(argv).pipe(Effect.provide(io)));
  return { stdout, stderr, code };
};

const HINT = "hint: run 'spec-kitty --help' (or 'spec-kitty COMMAND --help') for usage\n";

/** The pages src/generated/help.ts holds, rendered by the parser now. */
export const renderMetaPages = async () => {
  const helpPlain = (await renderWithParser(["--help"], false)).stdout;
  const helpAnsi = (await renderWithParser(["--help"], true)).stdout;
  const unknown = async (tty: boolean) => {
    const r = await renderWithParser(["no-such-command"], tty);
    if (!r.stderr.endsWith(HINT)) throw new Error(`unexpected parser output for an unknown command: ${r.stderr}`);
    return r.stderr.slice(0, -HINT.length);
  };
  return { helpPlain, helpAnsi, unknownPlain: await unknown(false), unknownAnsi: await unknown(true) };
};
