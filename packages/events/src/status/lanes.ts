import * as Either from "effect/Either";
import * as ParseResult from "effect/ParseResult";
import * as Schema from "effect/Schema";
import { isLane, LANE_ALIASES, LANES } from "../lanes.ts";
import { oneOfMessage } from "./fields.ts";

/** The canonical lanes (the list itself lives in the Schema-free `src/lanes.ts`, ADR-0016). */
export { DISPLAY_LANES, isLane, LANE_ALIASES, LANES, TERMINAL_LANES } from "../lanes.ts";

/** Strict lane vocabulary: exactly the canonical values, no aliases (what the published JSON Schema admits). */
export const Lane = Schema.Literal(...LANES).annotations({ identifier: "Lane", title: "Lane", ...oneOfMessage(LANES) });
export type Lane = typeof Lane.Type;

/** Lanes that exist for producers only and are never shown (genesis). */
export const NON_DISPLAY_LANES: ReadonlySet<Lane> = new Set<Lane>(["genesis"]);

/** The event type carrying a lane transition. */
export const WP_STATUS_CHANGED = "WPStatusChanged";

/** Error for a lane text that is neither canonical nor an alias; the message lists what is accepted. */
export class UnknownLaneError extends Schema.TaggedError<UnknownLaneError>()("UnknownLaneError", {
  value: Schema.String,
  message: Schema.String,
}) {}

/** Resolves a lane text (canonical value or alias) to its canonical lane. */
export const normalizeLane = (value: string): Either.Either<Lane, UnknownLaneError> => {
  if (isLane(value)) return Either.right(value);
  const alias = Object.hasOwn(LANE_ALIASES, value) ? LANE_ALIASES[value] : undefined;
  if (alias !== undefined) return Either.right(alias);
  return Either.left(
    new UnknownLaneError({
      value,
      message:
        `Unknown lane value: ${JSON.stringify(value)}. Valid values: ${LANES.join(", ")}. ` +
        `Aliases: ${Object.keys(LANE_ALIASES).join(", ")}`,
    }),
  );
};

/** Lane as the model layer reads it: canonical values plus the `doing` alias, decoded to the canonical lane. */
export const LaneWithAlias: Schema.Schema<Lane, string> = Schema.transformOrFail(Schema.String, Lane, {
  strict: true,
  decode: (s, _, ast) =>
    Either.match(normalizeLane(s), {
      onLeft: (e) => ParseResult.fail(new ParseResult.Type(ast, s, e.message)),
      onRight: (l) => ParseResult.succeed(l),
    }),
  encode: (l) => ParseResult.succeed(l),
}).annotations({ identifier: "LaneWithAlias" });

/** How a work package is executed. */
export const ExecutionMode = Schema.Literal("worktree", "direct_repo").annotations({
  identifier: "ExecutionMode",
  ...oneOfMessage(["worktree", "direct_repo"]),
});
export type ExecutionMode = typeof ExecutionMode.Type;

/** The four-lane vocabulary of V1 sync consumers. */
export const SyncLaneV1 = Schema.Literal("planned", "doing", "for_review", "done").annotations({
  identifier: "SyncLaneV1",
});
export type SyncLaneV1 = typeof SyncLaneV1.Type;

/** The V2 sync vocabulary: V1 plus an explicit `approved`. */
export const SyncLaneV2 = Schema.Literal("planned", "doing", "for_review", "approved", "done").annotations({
  identifier: "SyncLaneV2",
});
export type SyncLaneV2 = typeof SyncLaneV2.Type;

/** Canonical lane to V1 sync lane (total over Lane; note approved collapses to done). */
export const CANONICAL_TO_SYNC_V1: Readonly<Record<Lane, SyncLaneV1>> = {
  genesis: "planned",
  planned: "planned",
  claimed: "planned",
  in_progress: "doing",
  for_review: "for_review",
  in_review: "for_review",
  approved: "done",
  done: "done",
  blocked: "doing",
  canceled: "planned",
};

/** Canonical lane to V2 sync lane (total over Lane; approved is kept). */
export const CANONICAL_TO_SYNC_V2: Readonly<Record<Lane, SyncLaneV2>> = {
  ...CANONICAL_TO_SYNC_V1,
  approved: "approved",
};

/** Maps a canonical lane to its V1 sync lane. */
export const canonicalToSyncV1 = (lane: Lane): SyncLaneV1 => CANONICAL_TO_SYNC_V1[lane];

/** Maps a canonical lane to its V2 sync lane. */
export const canonicalToSyncV2 = (lane: Lane): SyncLaneV2 => CANONICAL_TO_SYNC_V2[lane];
