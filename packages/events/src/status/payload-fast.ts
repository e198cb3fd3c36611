import { isLane } from "../lanes.ts";
import type { StatusTransitionPayload } from "./payload.ts";

/**
 * The decoded `StatusTransitionPayload` of the commonest payload shape, built without the generic decoder
 * (ADR-0009): canonical lanes, a non-blank text actor, JSON booleans, text-or-null reason and review_ref, no
 * evidence, no unknown keys. Any other shape (aliases, lenient scalars, object actors, evidence, anything
 * invalid) answers undefined and the caller decodes with the Schema. A property test holds every defined
 * answer equal, key order included, to the Schema's decoded value.
 */
export const fastDecodeStatusTransition = (u: unknown): StatusTransitionPayload | undefined => {
  if (typeof u !== "object" || u === null || Array.isArray(u)) return undefined;
  const p = u as Record<string, unknown>;
  for (const k of Reflect.ownKeys(p)) if (typeof k !== "string" || !KNOWN.has(k)) return undefined;
  const mission_slug = p["mission_slug"];
  const wp_id = p["wp_id"];
  if (typeof mission_slug !== "string" || mission_slug.length === 0 || typeof wp_id !== "string" || wp_id.length === 0) return undefined;
  const from = p["from_lane"];
  if (from !== undefined && from !== null && !isLane(from)) return undefined;
  const to = p["to_lane"];
  if (!isLane(to) || to === "approved" || to === "done") return undefined;
  const actor = p["actor"];
  if (typeof actor !== "string" || actor.trim() === "") return undefined;
  const rawForce = p["force"];
  if (rawForce !== undefined && typeof rawForce !== "boolean") return undefined;
  const force = rawForce ?? false;
  const reason = p["reason"] ?? null;
  const review_ref = p["review_ref"] ?? null;
  if ((reason !== null && typeof reason !== "string") || (review_ref !== null && typeof review_ref !== "string")) return undefined;
  if (force && (reason === null || reason.trim() === "")) return undefined;
  const execution_mode = p["execution_mode"];
  if (execution_mode !== "worktree" && execution_mode !== "direct_repo") return undefined;
  if (p["evidence"] !== undefined && p["evidence"] !== null) return undefined;
  return { mission_slug, wp_id, from_lane: from ?? null, to_lane: to, actor, force, reason, execution_mode, review_ref, evidence: null };
};

const KNOWN: ReadonlySet<string> = new Set(["mission_slug", "wp_id", "from_lane", "to_lane", "actor", "force", "reason", "execution_mode", "review_ref", "evidence"]);
