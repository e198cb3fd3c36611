import { createHash, randomUUID } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runtimeError } from "../errors.ts";
import { builtinText } from "../template/builtin.ts";
import { parseMissionTemplate } from "../template/parse.ts";
import type { MissionTemplate } from "../template/types.ts";
import { NULL_EMITTER, type RuntimeEventEmitter } from "./side-log.ts";
import { type Clock, systemClock } from "./time.ts";

export const FROZEN_TEMPLATE_FILE = "mission_template_frozen.yaml";

/** What the engine needs from the outside world besides the file system. */
export interface EnginePorts {
  readonly clock: Clock;
  /** A new run id: 32 lowercase hex characters (a uuid4 without dashes), as the reference uses. */
  readonly newRunId: () => string;
  readonly emitter: RuntimeEventEmitter;
}

export const defaultPorts: EnginePorts = {
  clock: systemClock,
  newRunId: () => randomUUID().replaceAll("-", ""),
  emitter: NULL_EMITTER,
};

export const sha256Hex = (text: string): string => createHash("sha256").update(text, "utf8").digest("hex");

/** The template frozen into the run when it started; planning always uses it, never the live file. */
export const readFrozenTemplate = (runDir: string, missionKey: string): MissionTemplate => {
  const file = join(runDir, FROZEN_TEMPLATE_FILE);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw runtimeError("RUN_STATE_UNREADABLE", `${file}: cannot read frozen template: ${(e as Error).message}`, file);
  }
  const parsed = parseMissionTemplate(text, { file, fallbackKey: missionKey });
  if (!parsed.ok) throw runtimeError("RUN_STATE_INVALID", parsed.error.message, file);
  return parsed.template;
};

/** sha256 of the live template the run was started from, or null when it is gone (no drift check then). */
export const liveTemplateHash = (templatePath: string): string | null => {
  const builtin = builtinText(templatePath);
  if (builtin !== null) return sha256Hex(builtin);
  if (!existsSync(templatePath)) return null;
  try {
    return sha256Hex(readFileSync(templatePath, "utf8"));
  } catch {
    return null;
  }
};
