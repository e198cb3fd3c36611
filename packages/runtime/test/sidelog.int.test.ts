import { decodePayload, LIFECYCLE_PAYLOAD_SCHEMAS } from "@spec-kitty/events";
import * as Either from "effect/Either";
import { afterEach, beforeEach, expect, it } from "vitest";
import { join } from "node:path";
import { actorIdentity, answerDecision, nextStep, startRun } from "../src/index.ts";
import { CUSTOM_TEMPLATE, loadTemplate, readLog, tempDir, testPorts, writeText } from "./support.ts";

const MISSION_NEXT = ["MissionRunStarted", "NextStepIssued", "NextStepAutoCompleted", "DecisionInputRequested", "DecisionInputAnswered", "MissionRunCompleted"];

let dir = "";
let cleanup = () => undefined as void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

it("every mission-next row of a full run validates against the @spec-kitty/events payload schemas", () => {
  const ports = testPorts();
  const ref = startRun(
    { template: loadTemplate(writeText(join(dir, "custom", "mission.yaml"), CUSTOM_TEMPLATE)), runStore: join(dir, "runs"), missionId: null, missionSlug: "s" },
    ports,
  );
  const owner = actorIdentity("olga", "human");
  nextStep(ref, { agentId: "agent-1" }, ports);
  answerDecision(ref, { decisionId: "input:mission_owner_id", answer: "olga", actor: owner }, ports);
  for (let i = 0; i < 4; i++) nextStep(ref, { agentId: "agent-1", result: "success" }, ports);
  answerDecision(ref, { decisionId: "audit:signoff", answer: "approve", actor: owner }, ports);

  const rows = readLog(ref.run_dir);
  expect([...new Set(rows.map((r) => r.event_type))].sort()).toEqual([...MISSION_NEXT].sort());
  for (const row of rows) {
    const schema = LIFECYCLE_PAYLOAD_SCHEMAS[row.event_type];
    if (schema === undefined) throw new Error(`no schema for ${row.event_type}`);
    const decoded = decodePayload(schema, row.payload);
    expect(Either.isLeft(decoded) ? { row, issues: decoded.left } : "valid").toBe("valid");
  }
});
