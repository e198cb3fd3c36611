import * as Either from "effect/Either";
import { GUARDS, type GuardInput } from "./guards.ts";
import { type DisplayLane, type Lane, isDisplayLane, isLane, resolveLaneAlias, UNINITIALIZED } from "./lanes.ts";
import { edgeGuard } from "./table.ts";

/** Why a transition was refused: a stable machine code and the reference's human message. */
export interface TransitionRejection {
  readonly code: "UNKNOWN_LANE" | "ILLEGAL_TRANSITION" | "FORCE_REQUIRES_ACTOR_AND_REASON" | "GUARD_FAILED";
  readonly message: string;
}

/** The resolved lanes of an accepted transition. */
export interface AcceptedTransition {
  readonly from: Lane;
  readonly to: DisplayLane;
  /** True when the request was forced: the edge and its guard were not consulted. */
  readonly forced: boolean;
}

export const FORCE_MESSAGE = "Force transitions require actor and reason";

const blank = (value: string | null | undefined): boolean => value === null || value === undefined || value.trim() === "";

const reject = (code: TransitionRejection["code"], message: string) =>
  Either.left<TransitionRejection>({ code, message });

/**
 * Decides whether a work package may move `from -> to` (aliases resolved). Order matters and follows
 * the reference: unknown lanes, then `genesis`/`uninitialized` as a target, then the table; force
 * overrides both a missing edge and a failing guard but always needs a non-blank actor and reason.
 */
export const validateTransition = (
  from: string,
  to: string,
  guard: GuardInput = {},
): Either.Either<AcceptedTransition, TransitionRejection> => {
  const resolvedFrom = resolveLaneAlias(from);
  const resolvedTo = resolveLaneAlias(to);
  if (!isLane(resolvedFrom) && resolvedFrom !== UNINITIALIZED) return reject("UNKNOWN_LANE", `Unknown lane: ${from}`);
  if (!isLane(resolvedTo) && resolvedTo !== UNINITIALIZED) return reject("UNKNOWN_LANE", `Unknown lane: ${to}`);
  // genesis and the read sentinel are never targets, and the sentinel is never a source: not even force moves them.
  if (!isDisplayLane(resolvedTo) || resolvedFrom === UNINITIALIZED) {
    return reject("ILLEGAL_TRANSITION", `Illegal transition: ${resolvedFrom} -> ${resolvedTo}`);
  }
  const fromLane: Lane = resolvedFrom as Lane;
  const forceAllowed = !blank(guard.actor) && !blank(guard.reason);
  if (guard.force === true) {
    if (!forceAllowed) return reject("FORCE_REQUIRES_ACTOR_AND_REASON", FORCE_MESSAGE);
    return Either.right({ from: fromLane, to: resolvedTo, forced: true });
  }
  const guardId = edgeGuard(fromLane, resolvedTo);
  if (guardId === undefined) return reject("ILLEGAL_TRANSITION", `Illegal transition: ${fromLane} -> ${resolvedTo}`);
  const problem = GUARDS[guardId].check(guard, fromLane, resolvedTo);
  if (problem !== null) return reject("GUARD_FAILED", problem);
  return Either.right({ from: fromLane, to: resolvedTo, forced: false });
};
