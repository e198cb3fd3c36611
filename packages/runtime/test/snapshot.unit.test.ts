import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { readFileSync } from "node:fs";
import { decodeSnapshot, encodeSnapshot, readSnapshotFile, writeSnapshotFile } from "../src/index.ts";
import { tempDir, writeText } from "./support.ts";

// Written by hand in the reference's state.json layout: json.dump(indent=2, sort_keys=True), ASCII escapes
// (non-ASCII as \\uXXXX, astral characters as surrogate pairs), no trailing newline.
const REFERENCE_STATE = `{
  "blocked_reason": null,
  "completed_steps": [
    "discovery",
    "specify"
  ],
  "decisions": {
    "input:owner": {
      "actor_id": "ren\\u00e9e",
      "actor_type": "human",
      "answer": "ren\\u00e9e \\ud83d\\ude80",
      "answered_at": "2026-02-17T10:00:00.123456Z",
      "answered_by": {
        "actor_id": "ren\\u00e9e",
        "actor_type": "human",
        "display_name": "",
        "model": null,
        "provider": null,
        "tool": null
      },
      "authority_role": "human",
      "decision_id": "input:owner",
      "rationale_linkage": null
    }
  },
  "inputs": {
    "count": 3,
    "flag": true,
    "mission_slug": "demo-01KT6HVH",
    "owner": "ren\\u00e9e \\ud83d\\ude80",
    "quote": "say \\"hi\\"\\n\\ttab\\\\"
  },
  "issued_step_id": "plan",
  "mission_id": "01KT6HVH3QND4Q3KCGH2419N4J",
  "mission_key": "software-dev",
  "mission_slug": "demo-01KT6HVH",
  "pending_decisions": {
    "input:topic": {
      "decision_id": "input:topic",
      "options": [],
      "question": "Input required before step 'plan': provide value for 'topic'.",
      "requested_at": "2026-02-17T10:00:01Z",
      "requested_by": {
        "actor_id": "agent-1",
        "actor_type": "llm",
        "display_name": "",
        "model": null,
        "provider": null,
        "tool": null
      },
      "step_id": "plan"
    }
  },
  "policy_snapshot": {
    "default_route": "same_llm_context",
    "extras": {},
    "strictness": "medium"
  },
  "run_id": "0f8fad5bd9cb469fa16570867728950e",
  "template_hash": "5c6018de4bcfa7ce183eead469d099a197fa19e9e48660e889bc82880cff7405",
  "template_path": "/repo/.kittify/missions/software-dev/mission-runtime.yaml"
}`;

// A file written before mission_id/mission_slug existed, plus a key this version does not know.
const LEGACY_STATE = `{
  "blocked_reason": "Previous step 'plan' failed; manual intervention required.",
  "completed_steps": [],
  "decisions": {},
  "future_field": {"x": 1},
  "inputs": {
    "mission_slug": "old-mission"
  },
  "issued_step_id": null,
  "mission_key": "software-dev",
  "pending_decisions": {},
  "policy_snapshot": {
    "default_route": "same_llm_context",
    "extras": {},
    "strictness": "max"
  },
  "run_id": "aaaabbbbccccddddeeeeffff00001111",
  "template_hash": "00",
  "template_path": "/x/mission.yaml"
}`;

describe("state.json compatibility", () => {
  it("loads a reference-format file and writes it back byte-identically", () => {
    const r = decodeSnapshot(REFERENCE_STATE, "state.json");
    if (!r.ok) throw new Error(r.error.message);
    expect(r.snapshot.inputs["owner"]).toBe("renée 🚀");
    expect(r.snapshot.mission_id).toBe("01KT6HVH3QND4Q3KCGH2419N4J");
    expect(r.snapshot.pending_decisions["input:topic"]?.step_id).toBe("plan");
    expect(encodeSnapshot(r.snapshot)).toBe(REFERENCE_STATE);
  });

  it("round-trips through the file store (atomic write, no trailing newline)", () => {
    const { dir, cleanup } = tempDir();
    try {
      writeText(join(dir, "state.json"), REFERENCE_STATE);
      const s = readSnapshotFile(dir);
      writeSnapshotFile(dir, s);
      expect(readFileSync(join(dir, "state.json"), "utf8")).toBe(REFERENCE_STATE);
    } finally {
      cleanup();
    }
  });

  it("reads files without the identity fields as null and ignores unknown keys", () => {
    const r = decodeSnapshot(LEGACY_STATE, "state.json");
    if (!r.ok) throw new Error(r.error.message);
    expect(r.snapshot.mission_id).toBeNull();
    expect(r.snapshot.mission_slug).toBeNull();
    expect(r.snapshot.policy_snapshot.strictness).toBe("max");
    expect(r.snapshot.blocked_reason).toBe("Previous step 'plan' failed; manual intervention required.");
    const out = encodeSnapshot(r.snapshot);
    expect(out).not.toContain("future_field");
    expect(out).toContain('  "mission_id": null,\n');
    expect(out).toContain('  "mission_slug": null,\n');
  });

  it("names the file and field of an invalid state", () => {
    const r = decodeSnapshot('{"run_id": 7, "mission_key": "k"}', "/runs/x/state.json");
    expect(r.ok ? null : [r.error.code, r.error.message]).toEqual(["RUN_STATE_INVALID", "/runs/x/state.json: field 'run_id' must be a string"]);
    const bad = decodeSnapshot("{nope", "/runs/x/state.json");
    expect(bad.ok ? null : bad.error.message).toMatch(/^\/runs\/x\/state\.json: state is not valid JSON/);
  });
});
