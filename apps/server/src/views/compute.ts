import * as Either from "effect/Either";
import {
  decodeEvent,
  encodeReducedCollaborationState,
  encodeReducedMissionState,
  encodeReducedStatus,
  reduceCollaborationEvents,
  reduceLifecycleEvents,
  reduceStatusEvents,
  type Event,
} from "@spec-kitty/events";
import type { StoredEvent } from "../store/port.ts";

/** The view kinds kept per mission. */
export const VIEW_KINDS = ["board", "collaboration", "lifecycle", "status"] as const;
export type ViewKind = (typeof VIEW_KINDS)[number];

/** Decodes a stored event's canonical envelope for the reducers; undefined when it does not decode. */
export const decodeStored = (e: StoredEvent): Event | undefined => {
  if (e.canonical === null || e.verdict !== "valid") return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(e.canonical);
  } catch {
    return undefined;
  }
  const r = decodeEvent(parsed);
  return Either.isRight(r) ? r.right : undefined;
};

export interface BoardCard {
  readonly wp_id: string;
  readonly lane: string;
  readonly title: string | null;
  readonly actor: string | null;
  readonly depends_on: ReadonlyArray<string>;
  readonly last_event_id: string | null;
}

/**
 * Every view of one mission from its events (any order, duplicates allowed): the reducers sort and dedup
 * by (Lamport clock, timestamp, event id), so the result depends only on the set of events.
 */
export const computeViews = (events: ReadonlyArray<Event>): Record<ViewKind, unknown> => {
  const status = reduceStatusEvents(events);
  const lifecycle = reduceLifecycleEvents(events);
  const collaboration = reduceCollaborationEvents(events, { mode: "permissive" });
  const statusJson = encodeReducedStatus(status) as { wp_states?: Record<string, Record<string, unknown>> };
  return {
    status: statusJson,
    lifecycle: encodeReducedMissionState(lifecycle),
    collaboration: Either.isRight(collaboration)
      ? encodeReducedCollaborationState(collaboration.right)
      : { error: collaboration.left.message },
    board: board(events, statusJson.wp_states ?? {}),
  };
};

/** The status board: one card per work package, ordered by WP id, with titles and dependencies from WPCreated. */
const board = (events: ReadonlyArray<Event>, wpStates: Record<string, Record<string, unknown>>): unknown => {
  const created = new Map<string, { title: string | null; depends: ReadonlyArray<string> }>();
  for (const e of [...events].sort(byOrder)) {
    if (e.event_type !== "WPCreated") continue;
    const p = e.payload;
    const wp = typeof p["wp_id"] === "string" ? p["wp_id"] : undefined;
    if (wp === undefined) continue;
    const title = typeof p["wp_title"] === "string" ? p["wp_title"] : typeof p["title"] === "string" ? p["title"] : null;
    const deps = Array.isArray(p["depends_on"]) ? p["depends_on"].filter((d): d is string => typeof d === "string") : [];
    created.set(wp, { title, depends: deps });
  }
  const byId = new Map(events.map((e) => [e.event_id, e] as const));
  const ids = [...new Set([...created.keys(), ...Object.keys(wpStates)])].sort();
  const cards: Array<BoardCard> = ids.map((wp) => {
    const s = wpStates[wp];
    const c = created.get(wp);
    const last = typeof s?.["last_event_id"] === "string" ? byId.get(s["last_event_id"]) : undefined;
    const actor = actorName(last?.payload["actor"]);
    return {
      wp_id: wp,
      lane: typeof s?.["current_lane"] === "string" ? s["current_lane"] : "planned",
      title: c?.title ?? null,
      actor,
      depends_on: c?.depends ?? [],
      last_event_id: typeof s?.["last_event_id"] === "string" ? s["last_event_id"] : null,
    };
  });
  const lanes: Record<string, Array<string>> = {};
  for (const c of cards) (lanes[c.lane] ??= []).push(c.wp_id);
  return { work_packages: cards, lanes };
};

const byOrder = (a: Event, b: Event): number =>
  a.lamport_clock - b.lamport_clock || (a.timestamp.iso < b.timestamp.iso ? -1 : a.timestamp.iso > b.timestamp.iso ? 1 : 0) || (a.event_id < b.event_id ? -1 : a.event_id > b.event_id ? 1 : 0);

const actorName = (a: unknown): string | null => {
  if (typeof a === "string") return a;
  if (typeof a === "object" && a !== null) {
    const o = a as Record<string, unknown>;
    for (const k of ["profile", "role", "display_name", "actor_id"]) if (typeof o[k] === "string" && o[k] !== "") return o[k];
    for (const v of Object.values(o)) if (typeof v === "string" && v !== "") return v;
  }
  return null;
};
