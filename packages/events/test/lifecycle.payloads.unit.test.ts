import { assert, describe, it } from "@effect/vitest";
import * as Either from "effect/Either";
import {
  decodePayload,
  LIFECYCLE_MODEL_SCHEMAS,
  LIFECYCLE_PAYLOAD_SCHEMAS,
  LEGACY_EVENT_NAME_REPLACEMENTS,
} from "../src/index.ts";

const wire = (type: string, payload: unknown) => Either.isRight(decodePayload(LIFECYCLE_PAYLOAD_SCHEMAS[type]!, payload));
const model = (type: string, payload: unknown) => Either.isRight(decodePayload(LIFECYCLE_MODEL_SCHEMAS[type]!, payload));

const CREATED = {
  mission_slug: "001-demo",
  mission_number: 1,
  mission_type: "software-dev",
  target_branch: "main",
  wp_count: 3,
  friendly_name: "Demo",
  purpose_tldr: "Demo",
  purpose_context: "Demo context",
};
const ACTOR = { actor_id: "agent-1", actor_type: "llm" };

describe("lifecycle payload contracts", () => {
  it("knows the legacy 028 names only as replaced names", () => {
    assert.deepStrictEqual(LEGACY_EVENT_NAME_REPLACEMENTS, { FeatureCreated: "MissionCreated", FeatureCompleted: "MissionClosed" });
    assert.isFalse(Object.hasOwn(LIFECYCLE_PAYLOAD_SCHEMAS, "FeatureCreated"));
    assert.isFalse(Object.hasOwn(LIFECYCLE_PAYLOAD_SCHEMAS, "FeatureCompleted"));
  });

  it("MissionCreated: mission_number must be present but may be null; legacy keys are rejected", () => {
    assert.isTrue(wire("MissionCreated", CREATED));
    assert.isTrue(wire("MissionCreated", { ...CREATED, mission_number: null }));
    const { mission_number: _, ...withoutNumber } = CREATED;
    assert.isFalse(wire("MissionCreated", withoutNumber));
    assert.isFalse(wire("MissionCreated", { ...CREATED, feature_slug: "001-demo" }));
  });

  it("MissionClosed: mission_number is required and non-null", () => {
    const closed = { mission_slug: "001-demo", mission_number: 1, mission_type: "software-dev" };
    assert.isTrue(wire("MissionClosed", closed));
    assert.isFalse(wire("MissionClosed", { ...closed, mission_number: null }));
    assert.isFalse(wire("MissionClosed", { ...closed, mission_number: 0 }));
  });

  it("contracts with a published JSON Schema take JSON integers only; the model layer is lax", () => {
    const tasks = { mission_slug: "m", actor: "a", artifact_path: "tasks.md", wp_count: "3" };
    assert.isFalse(wire("TasksCompleted", tasks));
    assert.isTrue(model("TasksCompleted", tasks));
    assert.isFalse(model("TasksCompleted", { ...tasks, wp_count: 2.5 }));
  });

  it("contracts without a JSON Schema keep the model layer's lax integers", () => {
    assert.isTrue(wire("WPAssigned", { wp_id: "WP01", agent_id: "a", phase: "implement", retry_count: true }));
    assert.isFalse(wire("WPAssigned", { wp_id: "WP01", agent_id: "a", phase: "implement", retry_count: -1 }));
  });

  it("datetime fields accept lax ISO text and reject other text", () => {
    const init = { project_uuid: "p", actor: "a" };
    assert.isTrue(wire("ProjectInitialized", { ...init, initialized_at: "2026-01-15 10:00:00" }));
    assert.isFalse(wire("ProjectInitialized", { ...init, initialized_at: "yesterday" }));
    assert.isFalse(wire("ProjectInitialized", { ...init, initialized_at: 1_700_000_000 }));
    assert.isTrue(model("ProjectInitialized", { ...init, initialized_at: 1_700_000_000 }));
  });

  it("FollowUpRecorded: the follow-up kind decides which reference is required", () => {
    const base = { mission_id: "M", mission_slug: "m", recorded_by: "a", recorded_at: "t" };
    assert.isTrue(wire("FollowUpRecorded", { ...base, follow_up_type: "commit", commit_sha: "abc" }));
    assert.isFalse(wire("FollowUpRecorded", { ...base, follow_up_type: "commit", pr_number: 3 }));
    assert.isTrue(wire("FollowUpRecorded", { ...base, follow_up_type: "pr", pr_number: 3 }));
    assert.isFalse(wire("FollowUpRecorded", { ...base, follow_up_type: "pr", commit_sha: "abc" }));
  });

  it("mission-next payloads check the runtime actor type and drop unknown keys", () => {
    const run = { run_id: "r", mission_type: "software-dev", actor: ACTOR };
    assert.isTrue(wire("MissionRunStarted", { ...run, extra: 1 }));
    assert.isFalse(wire("MissionRunStarted", { ...run, actor: { ...ACTOR, actor_type: "robot" } }));
    assert.isFalse(wire("MissionRunStarted", { run_id: "r", actor: ACTOR }));
  });
});
