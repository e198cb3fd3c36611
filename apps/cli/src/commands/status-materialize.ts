import * as Effect from "effect/Effect";
import * as Either from "effect/Either";
import * as Option from "effect/Option";
import { existsSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { materializeEither, renderStatus, SNAPSHOT_FILENAME } from "@spec-kitty/status";
import type { CommandSpec } from "../direct/parse.ts";
import { DomainFailure, InputFailure, UsageFailure } from "../failure.ts";
import { CliIO, printLine } from "../io.ts";

/** What `status materialize` is given, as its @effect/cli definition (status.ts) parses it. */
export interface MaterializeConfig {
  readonly dirs: ReadonlyArray<string>;
  readonly stdout: boolean;
  readonly outputRoot: Option.Option<string>;
}

/** The same grammar for the direct path (ADR-0011). */
export const materializeSpec: CommandSpec = {
  positionals: [{ name: "dirs", repeated: true }],
  options: { stdout: { kind: "flag", flag: "stdout" }, outputRoot: { kind: "text", flag: "output-root" } },
};

/**
 * `spec-kitty status materialize DIR... [--stdout | --output-root OUT]`: rebuilds each mission's
 * `status.json` from its event log, byte-identical to the reference. Every directory is read and reduced
 * before anything is written, so a bad log anywhere leaves every file untouched; an unchanged file is not
 * rewritten. Reports one line per mission on stdout (`written PATH` or `unchanged PATH`).
 */
export const runMaterialize = ({ dirs, stdout, outputRoot }: MaterializeConfig) =>
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
  });

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
