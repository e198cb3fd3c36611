import type { Event } from "./event.ts";

/**
 * The reducers' total order: Lamport clock, then the timestamp as `isoformat()` renders it, then the
 * event id, both compared as plain code-point strings (so offsets compare lexically, not chronologically,
 * exactly as the reference orders them).
 */
export const compareEvents = (a: Event, b: Event): number => {
  if (a.lamport_clock !== b.lamport_clock) return a.lamport_clock < b.lamport_clock ? -1 : 1;
  const ta = a.timestamp.iso;
  const tb = b.timestamp.iso;
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ia = a.event_id;
  const ib = b.event_id;
  return ia === ib ? 0 : ia < ib ? -1 : 1;
};

/**
 * Stable sort by `compareEvents`, then keep the first occurrence of each event id. Among duplicates the one
 * that sorts first survives; full ties keep input order. (JS `Array.prototype.sort` is stable.)
 */
export const sortAndDedup = (events: ReadonlyArray<Event>): ReadonlyArray<Event> => {
  const sorted = events.slice().sort(compareEvents);
  const seen = new Set<string>();
  const out: Array<Event> = [];
  for (const e of sorted) {
    if (seen.has(e.event_id)) continue;
    seen.add(e.event_id);
    out.push(e);
  }
  return out;
};
