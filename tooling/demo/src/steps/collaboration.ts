import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Demo } from "../demo.ts";
import { mission } from "./mission.ts";

interface CollaborationState {
  readonly participants: Record<string, { readonly participant_type: string; readonly display_name: string | null }>;
  readonly active_drivers: ReadonlyArray<string>;
  readonly focus_by_participant: Record<string, { readonly target_type: string; readonly target_id: string }>;
  readonly warnings: ReadonlyArray<{
    readonly warning_id: string;
    readonly warning_type: string;
    readonly participant_ids: ReadonlyArray<string>;
    readonly acknowledgements: Record<string, string>;
  }>;
  readonly comments: ReadonlyArray<unknown>;
  readonly anomalies: ReadonlyArray<unknown>;
  readonly event_count: number;
}

const PROJECT = "6f1f7c1e-0b8a-4c49-9a57-0d0c3f1b2a10";

/** Builds a small collaboration stream on the demo mission: three people join, two drive the same WP, a warning. */
const stream = (): ReadonlyArray<object> => {
  const events: Array<object> = [];
  const add = (type: string, payload: object) => {
    const n = events.length + 1;
    events.push({
      event_id: `01KTDEMC0000000000000000${String(n).padStart(2, "0")}`,
      event_type: type,
      aggregate_id: `mission/${mission.id}`,
      payload: { mission_id: mission.id, ...payload },
      timestamp: `2026-11-20T10:00:${String(n).padStart(2, "0")}Z`,
      build_id: "demo-checkout",
      node_id: "demo-node",
      lamport_clock: n,
      project_uuid: PROJECT,
      correlation_id: "01KTDEMR0N000000000000000A",
      schema_version: "3.0.0",
    });
  };
  const join = (id: string, type: string, name: string) =>
    add("ParticipantJoined", {
      participant_id: id,
      participant_identity: { participant_id: id, participant_type: type, display_name: name },
      auth_principal_id: `principal-${id}`,
    });
  join("alice", "human", "Alice");
  join("agent-1", "llm_context", "Implementer agent");
  join("bob", "human", "Bob");
  add("DriveIntentSet", { participant_id: "alice", intent: "active" });
  add("DriveIntentSet", { participant_id: "agent-1", intent: "active" });
  add("FocusChanged", { participant_id: "alice", focus_target: { target_type: "wp", target_id: "WP01" } });
  add("FocusChanged", { participant_id: "agent-1", focus_target: { target_type: "wp", target_id: "WP01" } });
  add("FocusChanged", { participant_id: "bob", focus_target: { target_type: "wp", target_id: "WP02" } });
  add("ConcurrentDriverWarning", {
    warning_id: "warn-wp01",
    participant_ids: ["alice", "agent-1"],
    focus_target: { target_type: "wp", target_id: "WP01" },
    severity: "warning",
  });
  add("WarningAcknowledged", { participant_id: "agent-1", warning_id: "warn-wp01", acknowledgement: "continue" });
  add("CommentPosted", { participant_id: "bob", comment_id: "c1", content: "WP02 needs the provider sandbox keys." });
  return events;
};

/** Reduces a collaboration stream with the CLI and prints what a team lead wants to know. */
export const collaborationSteps = (demo: Demo): void => {
  demo.banner("collaboration: reducing an event stream");
  const file = join(demo.root, "collaboration.events.jsonl");
  const events = stream();
  writeFileSync(file, `${events.map((event) => JSON.stringify(event)).join("\n")}\n`);
  demo.say(`${events.length} events written to collaboration.events.jsonl`);
  const result = demo.spec(["events", "reduce", "collaboration", "collaboration.events.jsonl", "--mode", "strict"], { quiet: true });
  const state = JSON.parse(result.stdout) as CollaborationState;
  const lines = [
    `participants: ${Object.entries(state.participants).map(([id, p]) => `${p.display_name ?? id} (${p.participant_type})`).join(", ")}`,
    `drivers:      ${state.active_drivers.join(", ") || "none"}`,
    `focus:        ${Object.entries(state.focus_by_participant).map(([id, f]) => `${id} -> ${f.target_type} ${f.target_id}`).join(", ")}`,
    ...state.warnings.map((w) => {
      const acked = Object.keys(w.acknowledgements);
      const open = w.participant_ids.filter((p) => !acked.includes(p));
      return `warning:      ${w.warning_id} ${w.warning_type} (${w.participant_ids.join(" + ")}); acknowledged by ${acked.join(", ") || "nobody"}, open for ${open.join(", ") || "nobody"}`;
    }),
    `comments:     ${state.comments.length}, anomalies: ${state.anomalies.length}, events reduced: ${state.event_count}`,
  ];
  demo.say(lines.join("\n"));
  if (state.active_drivers.length !== 2 || state.warnings.length !== 1 || state.anomalies.length !== 0) {
    throw new Error(`unexpected collaboration state: ${result.stdout}`);
  }
};
