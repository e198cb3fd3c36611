import { isLane, validateTransition } from "@spec-kitty/events";

/**
 * A cheap acceptance check for the commonest payload, `WPStatusChanged` (ADR-0009's rule applied to the
 * server's ingest): it answers true only for payloads the events package's model Schema
 * (`WPStatusChangedModelPayload`: the payload Schema, then the lane rules) certainly accepts, and false for everything else, including many valid payloads
 * (forced moves, approved/done with evidence, lane aliases, lenient booleans, object actors). A false answer is
 * not a verdict: the caller then asks the Schema, which also names the exact violations. A property test
 * (`test/fast-status.prop.test.ts`) holds "true implies the Schema accepts" on generated and mutated payloads.
 */
export const fastStatusPayloadAccepted = (u: unknown): boolean => {
  if (typeof u !== "object" || u === null || Array.isArray(u)) return false;
  const p = u as Record<string, unknown>;
  // The Schema refuses keys it does not know (onExcessProperty: "error"), symbols included.
  for (const k of Reflect.ownKeys(p)) if (typeof k !== "string" || !KNOWN.has(k)) return false;
  const slug = p["mission_slug"];
  const wp = p["wp_id"];
  if (typeof slug !== "string" || slug.length === 0 || typeof wp !== "string" || wp.length === 0) return false;
  const from = p["from_lane"];
  if (from !== undefined && from !== null && !(typeof from === "string" && isLane(from))) return false;
  const to = p["to_lane"];
  // approved and done need evidence (checked by the Schema's rules): left to the Schema.
  if (typeof to !== "string" || !isLane(to) || to === "approved" || to === "done") return false;
  const actor = p["actor"];
  if (typeof actor !== "string" || actor.trim() === "") return false;
  // A forced move needs a reason (the Schema's rules) and lenient booleans are coerced: both left to the Schema.
  if (p["force"] !== undefined && p["force"] !== false) return false;
  if (!nullableText(p["reason"]) || !nullableText(p["review_ref"])) return false;
  const mode = p["execution_mode"];
  if (mode !== "worktree" && mode !== "direct_repo") return false;
  if (p["evidence"] !== undefined && p["evidence"] !== null) return false;
  // The model contract ends with the lane rules, on the decoded fields; for the shapes admitted above decoding
  // changes nothing but absent to null.
  return validateTransition({
    from_lane: from ?? null,
    to_lane: to,
    force: false,
    reason: (p["reason"] as string | null | undefined) ?? null,
    review_ref: (p["review_ref"] as string | null | undefined) ?? null,
  }).valid;
};

const KNOWN: ReadonlySet<string> = new Set(["mission_slug", "wp_id", "from_lane", "to_lane", "actor", "force", "reason", "execution_mode", "review_ref", "evidence"]);

const nullableText = (v: unknown): boolean => v === undefined || v === null || typeof v === "string";
