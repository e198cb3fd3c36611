import * as Either from "effect/Either";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import type { LogReadError } from "../log/errors.ts";
import { readBytesNoFollow, readEventLog } from "../log/read.ts";
import { EVENTS_FILENAME, type ParsedLog } from "../log/rows.ts";
import { replaceAtomically } from "../log/write.ts";
import { type MetaReadError, readMissionIdentity } from "./identity.ts";
import { reduce } from "./reducer.ts";
import { reduceRetrospective } from "./retrospective.ts";
import { SNAPSHOT_FILENAME, serializeStatusJson } from "./serialize.ts";
import type { StatusSnapshot } from "./snapshot.ts";

export type MaterializeError = LogReadError | MetaReadError;

/** What a mission directory materializes to, before anything is written. */
export interface RenderedStatus {
  readonly snapshot: StatusSnapshot;
  readonly log: ParsedLog;
  readonly bytes: string;
}

export interface MaterializeResult {
  /** The `status.json` text. */
  readonly bytes: string;
  /** Where it was (or would have been) written. */
  readonly path: string;
  /** True when the file was missing or held other bytes. */
  readonly changed: boolean;
  /** True when the file was written (changed, and writing was asked for). */
  readonly written: boolean;
  readonly snapshot: StatusSnapshot;
}

export interface MaterializeOptions {
  /** Write here instead of `<missionDir>/status.json`; parent directories are created. */
  readonly outputPath?: string;
  /** Compute and compare only; never write. */
  readonly dryRun?: boolean;
}

/** Reads `status.events.jsonl` and `meta.json` of a mission directory and renders `status.json`; no writes. */
export const renderStatus = (missionDir: string): Either.Either<RenderedStatus, MaterializeError> =>
  Either.flatMap(readEventLog(join(missionDir, EVENTS_FILENAME)), (log) =>
    Either.map(readMissionIdentity(missionDir), (identity) => {
      const snapshot = reduce(log);
      return { snapshot, log, bytes: serializeStatusJson(snapshot, identity, reduceRetrospective(log.retrospective)) };
    }),
  );

/**
 * Materializes a mission's `status.json`: render, then write atomically (temp file, fsync, rename)
 * only when the bytes differ from what is there. Errors are values.
 */
export const materializeEither = (
  missionDir: string,
  options: MaterializeOptions = {},
): Either.Either<MaterializeResult, MaterializeError> =>
  Either.map(renderStatus(missionDir), ({ snapshot, bytes }) => {
    const path = options.outputPath ?? join(missionDir, SNAPSHOT_FILENAME);
    const current = readBytesNoFollow(path);
    const changed = Either.isLeft(current) || current.right === null || current.right.toString("utf8") !== bytes;
    if (!changed || options.dryRun === true) return { bytes, path, changed, written: false, snapshot };
    mkdirSync(dirname(path), { recursive: true });
    replaceAtomically(path, Buffer.from(bytes, "utf8"));
    return { bytes, path, changed, written: true, snapshot };
  });

/**
 * As `materializeEither`, for imperative callers: throws the tagged `LogReadError`/`MetaReadError`
 * (or `LogWriteError` when the write fails).
 */
export const materialize = (missionDir: string, options: MaterializeOptions = {}): MaterializeResult => {
  const result = materializeEither(missionDir, options);
  if (Either.isLeft(result)) throw result.left;
  return result.right;
};
