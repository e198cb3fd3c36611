import { dumpsIndented, type JsonValue } from "../log/json.ts";
import { missionNumberFromSlug } from "./identity.ts";
import type { MissionIdentity, RetrospectiveSummary, StatusSnapshot } from "./snapshot.ts";

export const SNAPSHOT_FILENAME = "status.json";

/**
 * The bytes of `status.json`, identical to the reference's: keys sorted, indent 2, non-ASCII kept raw,
 * a trailing newline. Without a number in `meta.json` the mission number falls back to an `NNN-` slug
 * prefix, else "".
 */
export const serializeStatusJson = (
  snapshot: StatusSnapshot,
  identity: MissionIdentity,
  retrospective: RetrospectiveSummary | null = null,
): string => {
  const document: Record<string, unknown> = {
    mission_slug: snapshot.mission_slug,
    mission_number: identity.mission_number !== "" ? identity.mission_number : missionNumberFromSlug(snapshot.mission_slug),
    mission_type: identity.mission_type,
    materialized_at: snapshot.materialized_at,
    event_count: snapshot.event_count,
    last_event_id: snapshot.last_event_id,
    work_packages: snapshot.work_packages,
    summary: snapshot.summary,
  };
  if (retrospective !== null) document["retrospective"] = retrospective;
  return `${dumpsIndented(document as JsonValue)}\n`;
};
