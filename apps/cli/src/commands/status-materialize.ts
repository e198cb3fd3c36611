import * as Args from "@effect/cli/Args";
import * as Command from "@effect/cli/Command";
import * as Options from "@effect/cli/Options";
import * as Effect from "effect/Effect";
import * as Either from "effect/Either";
import * as Option from "effect/Option";
import { existsSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { materializeEither, renderStatus, SNAPSHOT_FILENAME } from "@spec-kitty/status";
import { DomainFailure, InputFailure, UsageFailure } from "../failure.ts";
import { CliIO, printLine } from "../io.ts";

const dirs = Args.directory({ name: "DIR", exists: "either" }).pipe(
  Args.withDescription("a mission directory holding status.events.jsonl (and meta.json)"),
  Args.atLeast(1),
);
const stdout = Options.boolean("stdout").pipe(
  Options.withDescription("print the status.json bytes instead of writing them (one DIR only)"),
);
const outputRoot = Options.text("output-root").pipe(
  Options.withDescription("write OUT/<basename of DIR>/status.json instead of DIR/status.json"),
  Options.optional,
);

/**
 * `spec-kitty status materialize DIR... [--stdout | --output-root OUT]`: rebuilds each mission's
 * `status.json` from its event log, byte-identical to the reference. Every directory is read and reduced
 * before anything is written, so a bad log anywhere leaves every file untouched; an unchanged file is not
 * rewritten. Reports one line per mission on stdout (`written PATH` or `unchanged PATH`).
 */
export const materializeCommand = Command.make(
  "materialize",
  { dirs, stdout, outputRoot },
  ({ dirs, stdout, outputRoot }) =>
    Effect.gen(function* () {
      const io = yield* CliIO;
      const out = Option.getOrUndefined(outputRoot);
      if (stdout && out !== undefined) {
        return yield* new UsageFailure({ message: "--stdout and --output-root cannot be combined" });
      }
      if (stdout && dirs.length > 1) {
        return yield* new UsageFailure({
          message: `--stdout prints one mission; got ${dirs.length} directories`,
          hint: "pass a single DIR, or use --output-root to materialize several",
        });
      }
      const missions = dirs.map((dir) => resolve(io.cwd, dir));
      for (const dir of missions) {
        if (!isDirectory(dir)) return yield* new InputFailure({ message: `${dir}: not a directory` });
        if (!existsSync(join(dir, "status.events.jsonl")) && !existsSync(join(dir, "meta.json"))) {
          return yield* new InputFailure({
            message: `${dir}: not a mission directory (no status.events.jsonl or meta.json)`,
          });
        }
      }
      const targets = out === undefined ? undefined : outputTargets(resolve(io.cwd, out), missions);
      if (targets !== undefined && Either.isLeft(targets)) return yield* targets.left;

      // Read and reduce everything first: one bad log must not leave a batch half materialized.
      for (const dir of missions) {
        const rendered = renderStatus(dir);
        if (Either.isLeft(rendered)) return yield* new InputFailure({ message: rendered.left.message });
        if (stdout) {
          const bytes = rendered.right.bytes;
          return yield* Effect.sync(() => io.stdout(bytes));
        }
      }
      for (const [index, dir] of missions.entries()) {
        const outputPath = targets === undefined ? undefined : (targets.right[index] as string);
        const result = yield* Effect.try({
          try: () => materializeEither(dir, outputPath === undefined ? {} : { outputPath }),
          catch: (cause) =>
            new DomainFailure({ message: `${outputPath ?? join(dir, SNAPSHOT_FILENAME)}: ${describe(cause)}` }),
        });
        if (Either.isLeft(result)) return yield* new InputFailure({ message: result.left.message });
        yield* printLine(`${result.right.written ? "written" : "unchanged"} ${result.right.path}`);
      }
    }),
).pipe(
  Command.withDescription(
    "Rebuild status.json of each mission DIR from its status.events.jsonl (skipped when the bytes are unchanged).",
  ),
);

const isDirectory = (path: string): boolean => {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
};

/** OUT/<basename>/status.json per mission; two missions with one basename would overwrite each other. */
const outputTargets = (root: string, missions: readonly string[]): Either.Either<string[], UsageFailure> => {
  const seen = new Map<string, string>();
  for (const dir of missions) {
    const name = basename(dir);
    const other = seen.get(name);
    if (other !== undefined) {
      return Either.left(
        new UsageFailure({ message: `--output-root: ${other} and ${dir} would both write ${join(root, name, SNAPSHOT_FILENAME)}` }),
      );
    }
    seen.set(name, dir);
  }
  return Either.right(missions.map((dir) => join(root, basename(dir), SNAPSHOT_FILENAME)));
};

const describe = (cause: unknown): string =>
  typeof cause === "object" && cause !== null && "message" in cause ? String(cause.message) : String(cause);
