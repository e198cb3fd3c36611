/**
 * A synthetic 100,000-row log (2,000 work packages walking the lanes, with annotations, forced moves and
 * same-timestamp ties) parsed and reduced. Target: reduce <= 150 ms.
 */
import * as Either from "effect/Either";
import type { InnerStateChangedRow, LaneTransitionRow } from "../src/log/index.ts";
import { parseEventLog, serializeRow } from "../src/log/index.ts";
import { reduce } from "../src/reduce/index.ts";
import { type BenchRow, medianMs, row } from "./harness.ts";

const PATH = ["planned", "claimed", "in_progress", "for_review", "in_review", "in_progress", "for_review", "in_review", "approved", "done"] as const;

const ulid = (n: number): string => `01K${n.toString(32).toUpperCase().replace(/[ILOU]/g, "X").padStart(23, "0")}`;

export const syntheticLog = (rows: number): string => {
  const lines: string[] = [];
  const wps = 2000;
  for (let i = 0; lines.length < rows; i++) {
    const wp = `WP${String(i % wps).padStart(4, "0")}`;
    const step = Math.floor(i / wps);
    const second = Math.floor(i / 7); // shared timestamps across rows
    const at = `2026-06-01T${String(Math.floor(second / 3600) % 24).padStart(2, "0")}:${String(Math.floor(second / 60) % 60).padStart(2, "0")}:${String(second % 60).padStart(2, "0")}.${String(i % 1000000).padStart(6, "0")}+00:00`;
    if (i % 5 === 4) {
      const a: InnerStateChangedRow = {
        event_id: ulid(i), kind: "annotation", wp_id: wp, at, actor: "bench",
        delta: { subtasks: { [`T${step}`]: "done" }, note: `step ${step}`, model: "m" },
      };
      lines.push(serializeRow(a));
      continue;
    }
    const from = step === 0 ? "genesis" : PATH[(step - 1) % PATH.length];
    const to = PATH[step % PATH.length];
    const t: LaneTransitionRow = {
      event_id: ulid(i), mission_slug: "bench-mission", wp_id: wp, from_lane: from as never, to_lane: to as never, at,
      actor: step % 3 === 0 ? { role: "implementer", profile: "p", tool: "claude", model: null } : "agent",
      force: step % 11 === 0, execution_mode: "worktree", reason: null, review_ref: null, evidence: null,
      policy_metadata: to === "claimed" ? { agent: "claude", shell_pid: 1000 + i } : null, mission_id: "01KT6HVH3QND4Q3KCGH2419N4J",
    };
    lines.push(serializeRow(t));
  }
  return `${lines.join("\n")}\n`;
};

export const reduce100kBench = (): { title: string; rows: BenchRow[] } => {
  const text = syntheticLog(100_000);
  const parsed = Either.getOrThrow(parseEventLog(text));
  const total = parsed.transitions.length + parsed.annotations.length;
  if (total !== 100_000) throw new Error(`synthetic log has ${total} rows`);
  const reduceMs = medianMs(() => reduce(parsed), 15, 3);
  const parseMs = medianMs(() => parseEventLog(text), 7, 2);
  return {
    title: `synthetic log: ${total.toLocaleString("en")} rows (${parsed.transitions.length} transitions, ${parsed.annotations.length} annotations), ${(text.length / 1e6).toFixed(1)} MB`,
    rows: [
      row("reduce (parsed rows -> snapshot)", reduceMs, "ms", 150, 1),
      row("parse (text -> rows)", parseMs, "ms", null, 1),
      row("parse + reduce", parseMs + reduceMs, "ms", null, 1),
    ],
  };
};
