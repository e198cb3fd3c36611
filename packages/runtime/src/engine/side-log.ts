import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runtimeError } from "../errors.ts";
import { dumpsCompact } from "../json/python-json.ts";

export const SIDE_LOG_FILE = "run.events.jsonl";

/** Event types a run writes to its side log (local record, not status authority). */
export type RunEventType =
  | "MissionRunStarted"
  | "NextStepIssued"
  | "NextStepAutoCompleted"
  | "DecisionInputRequested"
  | "DecisionInputAnswered"
  | "MissionRunCompleted"
  | "SignificanceEvaluated"
  | "DecisionAuthorityDenied";

/** One line of run.events.jsonl. */
export interface RunLogRow {
  readonly event_type: RunEventType;
  readonly timestamp: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** Receives every row a run writes, after it is on disk (e.g. to forward it elsewhere). */
export interface RuntimeEventEmitter {
  readonly emit: (row: RunLogRow) => void;
}

export const NULL_EMITTER: RuntimeEventEmitter = { emit: () => undefined };

/** Appends rows to the side log as sorted-key JSON lines, then hands them to the emitter. */
export const appendRows = (runDir: string, rows: ReadonlyArray<RunLogRow>, emitter: RuntimeEventEmitter): void => {
  if (rows.length === 0) return;
  const file = join(runDir, SIDE_LOG_FILE);
  try {
    appendFileSync(file, rows.map((r) => `${dumpsCompact(r)}\n`).join(""));
  } catch (e) {
    throw runtimeError("RUN_WRITE_FAILED", `${file}: cannot append: ${(e as Error).message}`, file);
  }
  for (const row of rows) emitter.emit(row);
};

/** Rows of a run's side log; blank lines are skipped. */
export const readRows = (runDir: string): ReadonlyArray<RunLogRow> => {
  const file = join(runDir, SIDE_LOG_FILE);
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as RunLogRow);
};

/** Whether the side log already records the run's completion (the completion is announced once). */
export const hasCompleted = (runDir: string): boolean => {
  const file = join(runDir, SIDE_LOG_FILE);
  return existsSync(file) && readFileSync(file, "utf8").includes('"event_type": "MissionRunCompleted"');
};
