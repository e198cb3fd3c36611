import { BOARD_LANES, laneLabel } from "../api/lanes.ts";
import type { BoardCard, DisplayLane, MissionBoard } from "../api/types.ts";
import { durationSince } from "./format.ts";

/** Cards per lane in FSM order, each lane sorted by work-package id; unknown lanes are dropped. */
export const groupByLane = (cards: ReadonlyArray<BoardCard>): ReadonlyMap<DisplayLane, ReadonlyArray<BoardCard>> => {
  const lanes = new Map<DisplayLane, Array<BoardCard>>(BOARD_LANES.map((lane) => [lane, []]));
  for (const card of cards) lanes.get(card.lane)?.push(card);
  for (const list of lanes.values()) list.sort((a, b) => a.wp_id.localeCompare(b.wp_id, undefined, { numeric: true }));
  return lanes;
};

export interface BoardProps {
  readonly board: MissionBoard;
  /** The time the durations are measured to (ms since the epoch). */
  readonly now: number;
}

/** The lane board: one column per display lane, one card per work package. */
export const Board = ({ board, now }: BoardProps) => {
  const lanes = groupByLane(board.cards);
  return (
    <div class="board" role="region" aria-label={`Lane board of ${board.friendly_name ?? board.mission_slug}`}>
      {BOARD_LANES.map((lane) => {
        const cards = lanes.get(lane) ?? [];
        return (
          <section class="lane" data-lane={lane} aria-labelledby={`lane-${lane}`} key={lane}>
            <h3 id={`lane-${lane}`} class="lane-title">
              {laneLabel(lane)} <span class="count" aria-label={`${cards.length} work packages`}>{cards.length}</span>
            </h3>
            <ul class="cards">
              {cards.map((card) => (
                <Card card={card} now={now} key={card.wp_id} />
              ))}
            </ul>
          </section>
        );
      })}
    </div>
  );
};

const Card = ({ card, now }: { readonly card: BoardCard; readonly now: number }) => {
  const depsId = `deps-${card.wp_id}`;
  const hasDeps = card.dependencies.length > 0;
  return (
    <li
      class="card"
      data-wp={card.wp_id}
      data-lane={card.lane}
      tabIndex={0}
      aria-label={`${card.wp_id} ${card.title ?? ""}, ${laneLabel(card.lane)}`}
      aria-describedby={hasDeps ? depsId : undefined}
    >
      <div class="card-head">
        <span class="wp-id">{card.wp_id}</span>
        {card.review_state !== null && <span class="badge review">{card.review_state}</span>}
      </div>
      <div class="card-title">{card.title ?? "(untitled)"}</div>
      <dl class="card-meta">
        <dt>Actor</dt>
        <dd>{card.actor ?? "—"}</dd>
        <dt>In lane</dt>
        <dd>{durationSince(card.entered_lane_at, now)}</dd>
      </dl>
      {card.blocked_reason !== null && <p class="blocked-reason">{card.blocked_reason}</p>}
      {hasDeps && (
        <div class="deps" id={depsId} role="tooltip">
          Depends on {card.dependencies.join(", ")}
        </div>
      )}
    </li>
  );
};
