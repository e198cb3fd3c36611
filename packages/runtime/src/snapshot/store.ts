import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { runtimeError } from "../errors.ts";
import { decodeSnapshot, encodeSnapshot } from "./codec.ts";
import type { MissionRunSnapshot } from "./model.ts";

export const STATE_FILE = "state.json";

/** Reads a run's state.json; throws MissionRuntimeError (RUN_STATE_UNREADABLE / RUN_STATE_INVALID). */
export const readSnapshotFile = (runDir: string): MissionRunSnapshot => {
  const file = join(runDir, STATE_FILE);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw runtimeError("RUN_STATE_UNREADABLE", `${file}: cannot read run state: ${(e as Error).message}`, file);
  }
  const decoded = decodeSnapshot(text, file);
  if (!decoded.ok) throw decoded.error;
  return decoded.snapshot;
};

/** Writes state.json atomically (temp file in the same folder, fsync, rename). */
export const writeSnapshotFile = (runDir: string, snapshot: MissionRunSnapshot): void =>
  writeFileAtomic(join(runDir, STATE_FILE), encodeSnapshot(snapshot));

/** Replaces `file` with `text` so that readers see either the old or the new bytes, never a mix. */
export const writeFileAtomic = (file: string, text: string): void => {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  try {
    const fd = openSync(tmp, "w");
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw runtimeError("RUN_WRITE_FAILED", `${file}: cannot write: ${(e as Error).message}`, file);
  }
};
