import * as Either from "effect/Either";
import {
  compareEvents,
  decodeEvent,
  encodeReducedCollaborationState,
  encodeReducedMissionState,
  reduceCollaborationEvents,
  reduceLifecycleEvents,
  reduceStatusEvents,
  WP_STATUS_CHANGED,
  type Event,
} from "@spec-kitty/events";
import type { StoredEvent } from "../store/port.ts";
import { encodeStatus, type EncodedStatus } from "./status-encode.ts";

export type { EncodedStatus } from "./status-encode.ts";

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


/**
 * Which status partition an event belongs to. The status reducer folds each work package independently (its
 * state depends only on that WP's events), so the status view is reduced per WP and merged; an ingest only
 * re-reduces the WPs it touched.
 */
export const wpKey = (e: Event): string => {
  const wp = e.payload["wp_id"];
  return typeof wp === "string" && wp !== "" ? wp : "<unknown>";
};

/** One WP's status: the events package's reducer over that WP's events. */
export const reduceWp = (events: ReadonlyArray<Event>): EncodedStatus => encodeStatus(reduceStatusEvents(events));

/**
 * Merges per-WP results into the mission's status view: `wp_states` by WP id, `anomalies` with the payload
 * anomalies first and then the transition anomalies, each in event order, `event_count` summed, and the last
 * event in event order. Lanes and anomalies are exactly the reducer's over the whole mission; only the
 * interleaving of anomalies across WPs is defined here (by event order).
 */
export const mergeStatus = (parts: ReadonlyArray<EncodedStatus>, byId: ReadonlyMap<string, Event>): EncodedStatus => {
  const wpStates: Record<string, Record<string, unknown>> = {};
  const anomalies: Array<Record<string, unknown>> = [];
  let count = 0;
  let last: Event | undefined;
  for (const p of parts) {
    Object.assign(wpStates, p.wp_states);
    anomalies.push(...p.anomalies);
    count += p.event_count;
    const e = p.last_processed_event_id === null ? undefined : byId.get(p.last_processed_event_id);
    if (e !== undefined && (last === undefined || compareEvents(e, last) > 0)) last = e;
  }
  const parse = (a: Record<string, unknown>): number => (String(a["reason"]).startsWith("payload validation failed") ? 0 : 1);
  // Each anomaly's sort keys are looked up once, not on every comparison (the comparison itself is unchanged).
  const keyed = anomalies.map((a) => ({ a, p: parse(a), e: byId.get(String(a["event_id"])) }));
  keyed.sort((x, y) => {
    const k = x.p - y.p;
    if (k !== 0) return k;
    return x.e === undefined || y.e === undefined ? 0 : compareEvents(x.e, y.e);
  });
  const sortedStates: Record<string, Record<string, unknown>> = {};
  for (const k of Object.keys(wpStates).sort()) sortedStates[k] = wpStates[k]!;
  return { wp_states: sortedStates, anomalies: keyed.map((x) => x.a), event_count: count, last_processed_event_id: last?.event_id ?? null };
};

/** Status parts of a whole mission, from scratch. */
export const statusParts = (events: ReadonlyArray<Event>): Map<string, EncodedStatus> => {
  const byWp = new Map<string, Array<Event>>();
  for (const e of events) {
    if (e.event_type !== WP_STATUS_CHANGED) continue;
    const k = wpKey(e);
    let list = byWp.get(k);
    if (list === undefined) byWp.set(k, (list = []));
    list.push(e);
  }
  const out = new Map<string, EncodedStatus>();
  for (const [k, list] of byWp) out.set(k, reduceWp(list));
  return out;
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
 * Every view of one mission from its events (any order, duplicates removed by id), given the status parts
 * (`statusParts(events)` from scratch, or the maintainer's cached ones).
 */
export const viewsFrom = (events: ReadonlyArray<Event>, parts: ReadonlyMap<string, EncodedStatus>): Record<ViewKind, unknown> => {
  const byId = new Map(events.map((e) => [e.event_id, e] as const));
  const status = mergeStatus([...parts.values()], byId);
  // Work-package lanes are the status view's; the lifecycle view folds the mission's own events (creation,
  // phases, runs, closing), which keeps it cheap however many status changes a mission has.
  const lifecycle = reduceLifecycleEvents(events.filter((e) => e.event_type !== WP_STATUS_CHANGED));
  const collaboration = reduceCollaborationEvents(events, { mode: "permissive" });
  return {
    status,
    lifecycle: encodeReducedMissionState(lifecycle),
    collaboration: Either.isRight(collaboration) ? encodeReducedCollaborationState(collaboration.right) : { error: collaboration.left.message },
    board: board(events, status.wp_states, byId),
  };
};

/** Every view of one mission from scratch. */
export const computeViews = (events: ReadonlyArray<Event>): Record<ViewKind, unknown> => viewsFrom(events, statusParts(events));

/** The status board: one card per work package, ordered by WP id, with titles and dependencies from WPCreated. */
const board = (events: ReadonlyArray<Event>, wpStates: Record<string, Record<string, unknown>>, byId: ReadonlyMap<string, Event>): unknown => {
  const created = new Map<string, { title: string | null; depends: ReadonlyArray<string> }>();
  for (const e of events.filter((x) => x.event_type === "WPCreated").sort(compareEvents)) {
    const p = e.payload;
    const wp = typeof p["wp_id"] === "string" ? p["wp_id"] : undefined;
    if (wp === undefined) continue;
    const title = typeof p["wp_title"] === "string" ? p["wp_title"] : typeof p["title"] === "string" ? p["title"] : null;
    const deps = Array.isArray(p["depends_on"]) ? p["depends_on"].filter((d): d is string => typeof d === "string") : [];
    created.set(wp, { title, depends: deps });
  }
  const ids = [...new Set([...created.keys(), ...Object.keys(wpStates)])].sort();
  const cards: Array<BoardCard> = ids.map((wp) => {
    const s = wpStates[wp];
    const c = created.get(wp);
    const last = typeof s?.["last_event_id"] === "string" ? byId.get(s["last_event_id"]) : undefined;
    return {
      wp_id: wp,
      lane: typeof s?.["current_lane"] === "string" ? s["current_lane"] : "planned",
      title: c?.title ?? null,
      actor: actorName(last?.payload["actor"]),
      depends_on: c?.depends ?? [],
      last_event_id: typeof s?.["last_event_id"] === "string" ? s["last_event_id"] : null,
    };
  });
  const lanes: Record<string, Array<string>> = {};
  for (const c of cards) (lanes[c.lane] ??= []).push(c.wp_id);
  return { work_packages: cards, lanes };
};

const actorName = (a: unknown): string | null => {
  if (typeof a === "string") return a;
  if (typeof a === "object" && a !== null) {
    const o = a as Record<string, unknown>;
    for (const k of ["profile", "role", "display_name", "actor_id"]) if (typeof o[k] === "string" && o[k] !== "") return o[k];
    for (const v of Object.values(o)) if (typeof v === "string" && v !== "") return v;
  }
  return null;
};
