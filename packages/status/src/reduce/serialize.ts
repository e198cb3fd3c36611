import { dumpsIndentedAt, type JsonObject, type JsonValue, quoteUnicode, sortedKeys } from "../log/json.ts";
import { missionNumberFromSlug } from "./identity.ts";
import type { MissionIdentity, RetrospectiveSummary, StatusSnapshot, WorkPackageState } from "./snapshot.ts";

export const SNAPSHOT_FILENAME = "status.json";

/**
 * The bytes of `status.json`, identical to the reference's: keys sorted, indent 2, non-ASCII kept raw,
 * a trailing newline. Without a number in `meta.json` the mission number falls back to an `NNN-` slug
 * prefix, else "".
 *
 * Written straight from the snapshot's known shape: the document's keys and a work package's keys are
 * spliced in their sorted order, and only the values whose shape is open (runtime slots, review
 * results, the retrospective mode) go through the generic writer. `statusJsonDocument` is the same
 * document as a plain value; `dumpsIndented` of it gives the same bytes (test/serialize.prop.test.ts).
 */
export const serializeStatusJson = (
  snapshot: StatusSnapshot,
  identity: MissionIdentity,
  retrospective: RetrospectiveSummary | null = null,
): string => {
  let out = `{\n  "event_count": ${value(snapshot.event_count, "  ")}`;
  out += `,\n  "last_event_id": ${value(snapshot.last_event_id, "  ")}`;
  out += `,\n  "materialized_at": ${value(snapshot.materialized_at, "  ")}`;
  out += `,\n  "mission_number": ${value(missionNumber(snapshot, identity), "  ")}`;
  out += `,\n  "mission_slug": ${value(snapshot.mission_slug, "  ")}`;
  out += `,\n  "mission_type": ${value(identity.mission_type, "  ")}`;
  if (retrospective !== null) out += `,\n  "retrospective": ${value(retrospective, "  ")}`;
  out += `,\n  "summary": ${value(snapshot.summary, "  ")}`;
  out += `,\n  "work_packages": ${workPackages(snapshot.work_packages)}`;
  return `${out}\n}\n`;
};

/** The `status.json` document as a plain value, keyed as written. */
export const statusJsonDocument = (
  snapshot: StatusSnapshot,
  identity: MissionIdentity,
  retrospective: RetrospectiveSummary | null = null,
): JsonObject => {
  const document: Record<string, unknown> = {
    mission_slug: snapshot.mission_slug,
    mission_number: missionNumber(snapshot, identity),
    mission_type: identity.mission_type,
    materialized_at: snapshot.materialized_at,
    event_count: snapshot.event_count,
    last_event_id: snapshot.last_event_id,
    work_packages: snapshot.work_packages,
    summary: snapshot.summary,
  };
  if (retrospective !== null) document["retrospective"] = retrospective;
  return document as JsonObject;
};

const missionNumber = (snapshot: StatusSnapshot, identity: MissionIdentity): string =>
  identity.mission_number !== "" ? identity.mission_number : missionNumberFromSlug(snapshot.mission_slug);

const value = (v: unknown, pad: string): string => dumpsIndentedAt(v as JsonValue, pad);

/** Every key a work package state can hold, sorted as `status.json` lists them (ASCII: code point order). */
const STATE_KEYS = (
  [
  "actor",
  "agent",
  "agent_profile",
  "agent_profile_version",
  "assignee",
  "force_count",
  "lane",
  "last_event_id",
  "last_transition_at",
  "model",
  "notes",
  "provider",
  "review",
  "review_result",
  "role",
  "shell_pid",
  "shell_pid_created_at",
  "subtasks",
  "tracker_refs",
  ] as const satisfies ReadonlyArray<keyof WorkPackageState>
).toSorted();

/** `"key": ` at the indentation of a work package's fields, per key. */
const STATE_PREFIXES = STATE_KEYS.map((key) => `      ${quoteUnicode(key)}: `);

const workPackages = (packages: StatusSnapshot["work_packages"]): string => {
  const ids = sortedKeys(packages as unknown as JsonObject);
  if (ids.length === 0) return "{}";
  let out = "{";
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i] as string;
    out += `${i === 0 ? "\n" : ",\n"}    ${quoteUnicode(id)}: ${workPackage(packages[id] as WorkPackageState)}`;
  }
  return `${out}\n  }`;
};

/** One work package's state; a state with a key outside `STATE_KEYS` goes to the generic writer. */
const workPackage = (state: WorkPackageState): string => {
  const fields = state as unknown as Record<string, unknown>;
  let count = 0;
  for (const _ in fields) count++;
  let out = "";
  let written = 0;
  for (let k = 0; k < STATE_KEYS.length; k++) {
    const v = fields[STATE_KEYS[k] as string];
    if (v === undefined) continue;
    out += `${written === 0 ? "{\n" : ",\n"}${STATE_PREFIXES[k] as string}${value(v, "      ")}`;
    written++;
  }
  // Another key, or one holding undefined (which the generic writer leaves out), takes the generic path.
  if (written !== count) return value(state, "    ");
  return written === 0 ? "{}" : `${out}\n    }`;
};
