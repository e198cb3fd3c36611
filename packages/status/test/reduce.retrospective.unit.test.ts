import * as Either from "effect/Either";
import { describe, expect, it } from "vitest";
import { parseEventLog } from "../src/log/index.ts";
import { reduceRetrospective, serializeStatusJson, reduce } from "../src/reduce/index.ts";

const row = (event_name: string, at: string, payload: object = {}) => JSON.stringify({ event_name, at, event_id: `01R${at}`, payload });

describe("retrospective block", () => {
  it("is absent without retrospective.* rows, including Retrospective* typed rows", () => {
    const log = Either.getOrThrow(parseEventLog('{"type": "RetrospectiveCaptured", "event_id": "x"}'));
    expect(reduceRetrospective(log.retrospective)).toBeNull();
    expect(serializeStatusJson(reduce(log), { mission_number: "", mission_type: "" })).not.toContain("retrospective");
  });

  it("is pending until a terminal row, then takes the latest terminal row's status and record path", () => {
    const requested = row("retrospective.requested", "1", { mode: { kind: "auto" } });
    const pending = Either.getOrThrow(parseEventLog(requested));
    expect(reduceRetrospective(pending.retrospective)).toMatchObject({ status: "pending", mode: { kind: "auto" }, record_path: null });
    const text = [
      row("retrospective.completed", "3", { record_path: "r.yaml" }),
      requested,
      row("retrospective.failed", "2"),
      row("retrospective.proposal.generated", "4"),
      row("retrospective.proposal.generated", "5"),
      row("retrospective.proposal.generated", "6"),
      row("retrospective.proposal.applied", "7"),
      row("retrospective.proposal.rejected", "8"),
    ].join("\n");
    const log = Either.getOrThrow(parseEventLog(text));
    expect(reduceRetrospective(log.retrospective)).toEqual({
      status: "completed",
      mode: { kind: "auto" },
      record_path: "r.yaml",
      proposals_total: 3,
      proposals_applied: 1,
      proposals_rejected: 1,
      proposals_pending: 1,
    });
  });
});
