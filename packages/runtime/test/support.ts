import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { CUSTOM_MISSION_TEMPLATE, tempDirs } from "@spec-kitty/test-support";
import { dirname, join } from "node:path";
import { type EnginePorts, loadTemplateFile, type LoadedTemplate, NULL_EMITTER, type RunLogRow } from "../src/index.ts";

/** A temporary folder removed by the returned cleanup. */
export const tempDir = (prefix = "sk-runtime-"): { dir: string; cleanup: () => void } => {
  const temps = tempDirs(prefix);
  return { dir: temps.make(), cleanup: temps.cleanup };
};

export const writeText = (file: string, text: string): string => {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
};

/** Engine ports with a fixed clock, sequential run ids and a capturing emitter. */
export const testPorts = (): EnginePorts & { emitted: Array<RunLogRow> } => {
  const emitted: Array<RunLogRow> = [];
  let n = 0;
  return {
    clock: () => new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678)),
    newRunId: () => (++n).toString(16).padStart(32, "0"),
    emitter: { emit: (row) => void emitted.push(row) },
    emitted,
  };
};

export const quietPorts = (): EnginePorts => ({ ...testPorts(), emitter: NULL_EMITTER });

/** A custom template: a required input, WP-iteration steps, and a blocking audit checkpoint as the last step. */
export const CUSTOM_TEMPLATE = CUSTOM_MISSION_TEMPLATE;

export const loadTemplate = (file: string): LoadedTemplate => {
  const r = loadTemplateFile(file);
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

export const readJson = (file: string): Record<string, unknown> => JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;

export const readLog = (runDir: string): Array<RunLogRow> =>
  readFileSync(join(runDir, "run.events.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as RunLogRow);
