import { useMemo, useState } from "preact/hooks";
import type { StoredEvent } from "../api/types.ts";
import { eventActor, timestamp, wpOf } from "./format.ts";

/** Events in Lamport order; ties broken by node id, then by arrival. */
export const lamportOrder = (events: ReadonlyArray<StoredEvent>): Array<StoredEvent> =>
  events
    .map((event, index) => ({ event, index }))
    .sort(
      (a, b) =>
        a.event.envelope.lamport_clock - b.event.envelope.lamport_clock ||
        a.event.envelope.node_id.localeCompare(b.event.envelope.node_id) ||
        a.index - b.index,
    )
    .map(({ event }) => event);

export interface TimelineFilter {
  readonly type: string;
  readonly wp: string;
  readonly actor: string;
}

const ALL = "";

interface Row {
  readonly event: StoredEvent;
  readonly wp: string | null;
  readonly actor: string;
}

const rowOf = (event: StoredEvent): Row => ({
  event,
  wp: wpOf(event.envelope.payload, event.envelope.aggregate_id, event.envelope.aggregate_type),
  actor: eventActor(event.envelope.payload, event.envelope.node_id),
});

export const applyFilter = (rows: ReadonlyArray<Row>, filter: TimelineFilter): ReadonlyArray<Row> =>
  rows.filter(
    (r) =>
      (filter.type === ALL || r.event.envelope.event_type === filter.type) &&
      (filter.wp === ALL || r.wp === filter.wp) &&
      (filter.actor === ALL || r.actor === filter.actor),
  );

const distinct = (values: Iterable<string | null>): Array<string> =>
  [...new Set([...values].filter((v): v is string => v !== null))].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));

/** Rows rendered at most; the count above the list says how many matched. */
export const TIMELINE_RENDER_LIMIT = 1_000;

/** Every event of a mission in Lamport order, filterable by type, work package and actor. */
export const Timeline = ({ events }: { readonly events: ReadonlyArray<StoredEvent> }) => {
  const [filter, setFilter] = useState<TimelineFilter>({ type: ALL, wp: ALL, actor: ALL });
  const rows = useMemo(() => lamportOrder(events).map(rowOf), [events]);
  const types = useMemo(() => distinct(rows.map((r) => r.event.envelope.event_type)), [rows]);
  const wps = useMemo(() => distinct(rows.map((r) => r.wp)), [rows]);
  const actors = useMemo(() => distinct(rows.map((r) => r.actor)), [rows]);
  const shown = applyFilter(rows, filter);
  const select = (key: keyof TimelineFilter, label: string, options: ReadonlyArray<string>) => (
    <label class="filter">
      {label}
      <select
        name={key}
        value={filter[key]}
        onChange={(e) => setFilter({ ...filter, [key]: (e.currentTarget as HTMLSelectElement).value })}
      >
        <option value={ALL}>All</option>
        {options.map((o) => (
          <option value={o} key={o}>
            {o}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <section class="timeline" aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      <div class="filters" role="group" aria-label="Filter events">
        {select("type", "Type", types)}
        {select("wp", "Work package", wps)}
        {select("actor", "Actor", actors)}
      </div>
      <p class="count" aria-live="polite">
        {shown.length} of {rows.length} events
      </p>
      <ol class="events">
        {shown.slice(-TIMELINE_RENDER_LIMIT).map((row) => (
          <li class="event" key={row.event.envelope.event_id} data-event-type={row.event.envelope.event_type}>
            <span class="lamport" title="Lamport clock">
              {row.event.envelope.lamport_clock}
            </span>
            <span class="etype">{row.event.envelope.event_type}</span>
            {row.wp !== null && <span class="badge">{row.wp}</span>}
            <span class="actor">{row.actor}</span>
            <time dateTime={row.event.envelope.timestamp}>{timestamp(row.event.envelope.timestamp)}</time>
            <details>
              <summary>Raw envelope</summary>
              <pre>{JSON.stringify(row.event.envelope, null, 2)}</pre>
            </details>
          </li>
        ))}
      </ol>
    </section>
  );
};
