/**
 * Timestamps of log rows: ISO-8601 UTC with microseconds and a `+00:00` offset, the reference's form
 * (`2026-06-03T12:05:54.581038+00:00`). One fixed width keeps plain string order equal to time order.
 */

/** Now, with the sub-millisecond part from the monotonic high-resolution clock. */
export const nowIsoMicros = (): string => formatMicros(Math.floor((performance.timeOrigin + performance.now()) * 1000));

/** Microseconds since the epoch as `YYYY-MM-DDTHH:MM:SS.ffffff+00:00`. */
export const formatMicros = (micros: number): string => {
  const ms = Math.floor(micros / 1000);
  const iso = new Date(ms).toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const fraction = String(micros - Math.floor(micros / 1_000_000) * 1_000_000).padStart(6, "0");
  return `${iso.slice(0, 19)}.${fraction}+00:00`;
};

const ISO = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?(Z|[+-]\d\d:\d\d)$/;

/** Microseconds since the epoch of an ISO-8601 timestamp, or null when it is not one. */
export const parseMicros = (iso: string): number | null => {
  const match = ISO.exec(iso);
  if (match === null) return null;
  const base = Date.parse(`${match[1]}${match[3] === "Z" ? "Z" : match[3]}`);
  if (Number.isNaN(base)) return null;
  return base * 1000 + Number((match[2] ?? "").padEnd(6, "0") || "0");
};

/**
 * A timestamp for a new row: `now`, unless that would not sort after `floor` (a clock step back, or
 * two rows in one microsecond), then one microsecond after `floor`. Keeps a work package's rows in
 * the order they were appended.
 */
export const stampAfter = (now: string, floor: string | null): string => {
  if (floor === null) return now;
  const nowMicros = parseMicros(now);
  const floorMicros = parseMicros(floor);
  if (nowMicros === null || floorMicros === null) return now;
  return nowMicros > floorMicros ? formatMicros(nowMicros) : formatMicros(floorMicros + 1);
};
