import {
  compareEvents,
  encodeDoneEvidence,
  reduceStatusEvents,
  type Event,
  type ReducedStatus,
} from "@spec-kitty/events";
import type { EncodedStatus } from "./compute.ts";
import { encodeStatus } from "./status-encode.ts";

/**
 * One work package's status, kept incrementally (ADR-0014). The events package's reducer has no "resume from
 * state" entry, so new events are folded by reducing them after a seed event that recreates the current state
 * (a forced move from nothing into the current lane, with the same event id, time and done evidence). That is
 * exact when every new event has a higher Lamport clock than every event seen so far (the reducer groups
 * concurrent events by clock and checks them against the group's start). Anything else — out-of-order
 * arrival, a state the seed cannot recreate — falls back to reducing all of the WP's events again.
 */
export class WpStatus {
  private readonly events: Array<Event> = [];
  private maxLamport = -1;
  private reduced: ReducedStatus | undefined;
  private encoded: EncodedStatus | undefined;

  /** Number of full reductions (for tests and metrics). */
  fullReductions = 0;

  get result(): EncodedStatus {
    if (this.encoded === undefined) this.encoded = encodeStatus(this.current());
    return this.encoded;
  }

  private current(): ReducedStatus {
    if (this.reduced === undefined) {
      this.fullReductions++;
      this.reduced = reduceStatusEvents(this.events);
    }
    return this.reduced;
  }

  add(news: ReadonlyArray<Event>): void {
    if (news.length === 0) return;
    const inOrder = news.every((e) => e.lamport_clock > this.maxLamport);
    const before = this.reduced;
    for (const e of news) {
      this.events.push(e);
      if (e.lamport_clock > this.maxLamport) this.maxLamport = e.lamport_clock;
    }
    this.encoded = undefined;
    this.reduced = inOrder && before !== undefined ? fold(before, news) : undefined;
  }
}

const fold = (before: ReducedStatus, news: ReadonlyArray<Event>): ReducedStatus | undefined => {
  const states = Object.values(before.wp_states);
  if (states.length > 1) return undefined;
  const state = states[0];
  let seed: Event | undefined;
  if (state !== undefined) {
    // approved keeps no evidence in the state, yet its payload needs some: the seed cannot recreate it.
    if (state.current_lane === "approved" || (state.current_lane === "done" && state.evidence === null)) return undefined;
    const template = news[0]!;
    seed = {
      ...template,
      event_id: state.last_event_id,
      lamport_clock: -1,
      timestamp: state.last_transition_at,
      payload: {
        ...template.payload,
        wp_id: state.wp_id,
        from_lane: null,
        to_lane: state.current_lane,
        actor: "seed",
        force: true,
        reason: "seed",
        execution_mode: "worktree",
        review_ref: null,
        evidence: state.evidence === null ? null : encodeDoneEvidence(state.evidence),
      },
    };
  }
  const part = reduceStatusEvents(seed === undefined ? news : [seed, ...news]);
  if (seed !== undefined && part.anomalies.some((a) => a.event_id === seed.event_id)) return undefined;
  const lastEvent = news.reduce((m, e) => (compareEvents(e, m) > 0 ? e : m), news[0]!);
  return {
    wp_states: Object.keys(part.wp_states).length > 0 ? part.wp_states : before.wp_states,
    anomalies: [...before.anomalies, ...part.anomalies],
    event_count: before.event_count + news.length,
    last_processed_event_id: lastEvent.event_id,
  };
};
