import * as ParseResult from "effect/ParseResult";
import * as Schema from "effect/Schema";

/**
 * A Python `datetime` as the reference holds it, with both of its text renderings precomputed:
 * `iso` is `datetime.isoformat()` (the reducers' sort key), `json` is the JSON dump of the model layer
 * (UTC as `Z`). Keeping the offset and microseconds matters: JS `Date` keeps neither.
 */
export interface PyDateTime {
  /** `2026-01-15T10:00:00+00:00`; `.ffffff` only when microseconds are non-zero; naive has no offset. */
  readonly iso: string;
  /** `2026-01-15T10:00:00Z` for UTC, other offsets kept (`+02:00`), naive without offset. */
  readonly json: string;
  /** The instant in microseconds since the epoch (a naive value is read as UTC). */
  readonly epochMicros: number;
  /** Offset from UTC in minutes; `null` for a naive value. */
  readonly offsetMinutes: number | null;
}

/**
 * Parses a timestamp as the reference's model layer does (lax): RFC 3339-like text with `T`, `t`, `_` or a
 * space between date and time, optional seconds and fraction (more than 6 digits truncated), `Z`/`z` or
 * `±HH:MM`/`±HHMM` offsets or none (naive), a bare date (naive midnight), or unix seconds as a number or
 * numeric text (values beyond 2e10 are read as milliseconds, as the reference does). Returns an error
 * message on failure.
 */
export const parsePyDateTime = (input: string | number): PyDateTime | string => {
  if (typeof input === "number") return fromUnix(input);
  const parsed = parseText(input);
  if (typeof parsed !== "string") return parsed;
  if (NUMERIC.test(input)) return fromUnix(Number(input));
  return parsed;
};

/** Builds a PyDateTime from its fields; `offsetMinutes` null = naive. Fields are assumed in range. */
export const makePyDateTime = (
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  micro: number,
  offsetMinutes: number | null,
): PyDateTime =>
  build(
    pad(year, 4) + "-" + pad2(month) + "-" + pad2(day) + "T" + pad2(hour) + ":" + pad2(minute) + ":" + pad2(second),
    year,
    month,
    day,
    hour,
    minute,
    second,
    micro,
    offsetMinutes,
  );

// `seconds` is the rendered "YYYY-MM-DDTHH:MM:SS" part; the fraction and offset are appended here.
const build = (
  seconds: string,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  micro: number,
  offsetMinutes: number | null,
): PyDateTime => {
  const base = micro === 0 ? seconds : seconds + "." + pad(micro, 6);
  const offsetText = offsetMinutes === null ? "" : offsetMinutes === 0 ? "+00:00" : renderOffset(offsetMinutes);
  const local = (daysFromCivil(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second) * 1_000_000 + micro;
  return {
    iso: base + offsetText,
    json: offsetMinutes === 0 ? base + "Z" : base + offsetText,
    epochMicros: local - (offsetMinutes ?? 0) * 60_000_000,
    offsetMinutes,
  };
};

/** Timestamp text or unix seconds on the wire, decoded to a PyDateTime; encodes to the JSON rendering. */
export const PyDateTimeFromInput: Schema.Schema<PyDateTime, string | number> = Schema.transformOrFail(
  Schema.Union(Schema.String, Schema.Number),
  Schema.declare((u): u is PyDateTime => isPyDateTime(u), { identifier: "PyDateTime" }),
  {
    strict: true,
    decode: (input, _, ast) => {
      const r = parsePyDateTime(input);
      return typeof r === "string" ? ParseResult.fail(new ParseResult.Type(ast, input, r)) : ParseResult.succeed(r);
    },
    encode: (dt) => ParseResult.succeed(dt.json),
  },
).annotations({ identifier: "PyDateTimeFromInput", jsonSchema: { type: "string", format: "date-time" } });

/** The same, for contracts whose JSON Schema only admits text (the envelope's `timestamp`). */
export const PyDateTimeFromString: Schema.Schema<PyDateTime, string> = Schema.transformOrFail(
  Schema.String,
  Schema.declare((u): u is PyDateTime => isPyDateTime(u), { identifier: "PyDateTime" }),
  {
    strict: true,
    decode: (input, _, ast) => {
      const r = parsePyDateTime(input);
      return typeof r === "string" ? ParseResult.fail(new ParseResult.Type(ast, input, r)) : ParseResult.succeed(r);
    },
    encode: (dt) => ParseResult.succeed(dt.json),
  },
).annotations({ identifier: "PyDateTimeFromString", jsonSchema: { type: "string", format: "date-time" } });

export const isPyDateTime = (u: unknown): u is PyDateTime =>
  typeof u === "object" &&
  u !== null &&
  typeof (u as PyDateTime).iso === "string" &&
  typeof (u as PyDateTime).json === "string" &&
  typeof (u as PyDateTime).epochMicros === "number";

// ---------------------------------------------------------------------------------------------------------

const NUMERIC = /^-?[0-9]+(\.[0-9]+)?$/;
// unix values above this magnitude are milliseconds (the reference's parser rule)
const MS_WATERSHED = 20_000_000_000;
const MIN_EPOCH_SECONDS = -62_135_596_800; // 0001-01-01T00:00:00
const MAX_EPOCH_SECONDS = 253_402_300_799; // 9999-12-31T23:59:59

// A hand-rolled scanner (this runs once per event on every hot path; a capture-group regex costs ~5x more).
const parseText = (s: string): PyDateTime | string => {
  const bad = (why: string) => `invalid datetime ${JSON.stringify(s)}: ${why}`;
  const n = s.length;
  if (n < 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return bad(EXPECTED);
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  if (year < 0 || month < 0 || day < 0) return bad(EXPECTED);
  if (year < 1) return bad("year out of range");
  if (month < 1 || month > 12) return bad("month out of range");
  if (day < 1 || day > daysInMonth(year, month)) return bad("day out of range");
  if (n === 10) return makePyDateTime(year, month, day, 0, 0, 0, 0, null);
  const sep = s.charCodeAt(10);
  // T, t, space, _
  if (sep !== 84 && sep !== 116 && sep !== 32 && sep !== 95) return bad(EXPECTED);
  if (n < 16 || s.charCodeAt(13) !== 58) return bad(EXPECTED);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  if (hour < 0 || minute < 0) return bad(EXPECTED);
  let i = 16;
  let second = 0;
  let micro = 0;
  if (i < n && s.charCodeAt(i) === 58) {
    second = digits(s, i + 1, 2);
    if (second < 0) return bad(EXPECTED);
    i += 3;
    const c = s.charCodeAt(i);
    if (i < n && (c === 46 || c === 44)) {
      const start = ++i;
      while (i < n && isDigit(s.charCodeAt(i))) i++;
      if (i === start) return bad(EXPECTED);
      // more than 6 digits are truncated; fewer are right-padded
      let us = 0;
      for (let k = 0; k < 6; k++) us = us * 10 + (start + k < i ? s.charCodeAt(start + k) - 48 : 0);
      micro = us;
    }
  }
  if (hour > 23 || minute > 59 || second > 59) return bad("time out of range");
  let offset: number | null = null;
  if (i < n) {
    const c = s.charCodeAt(i);
    if ((c === 90 || c === 122) && i + 1 === n) offset = 0;
    else if (c === 43 || c === 45) {
      const oh = digits(s, i + 1, 2);
      const colon = s.charCodeAt(i + 3) === 58 ? 1 : 0;
      const om = digits(s, i + 3 + colon, 2);
      if (oh < 0 || om < 0 || i + 5 + colon !== n) return bad(EXPECTED);
      if (oh > 23 || om > 59) return bad("offset out of range");
      offset = (c === 45 ? -1 : 1) * (oh * 60 + om);
    } else return bad(EXPECTED);
  }
  // The common spelling ("YYYY-MM-DDTHH:MM:SS...") already is the rendered prefix: reuse it.
  const rendered = sep === 84 && n >= 19 && s.charCodeAt(16) === 58 ? s.slice(0, 19) : undefined;
  return rendered === undefined
    ? makePyDateTime(year, month, day, hour, minute, second, micro, offset)
    : build(rendered, year, month, day, hour, minute, second, micro, offset);
};

const EXPECTED = "expected ISO 8601 text or unix seconds";

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** The value of `len` ASCII digits at `at`, or -1 when any is missing or not a digit. */
const digits = (s: string, at: number, len: number): number => {
  if (at + len > s.length) return -1;
  let v = 0;
  for (let k = at; k < at + len; k++) {
    const c = s.charCodeAt(k);
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
  }
  return v;
};

const fromUnix = (value: number): PyDateTime | string => {
  if (!Number.isFinite(value)) return `invalid datetime ${String(value)}: not a finite number`;
  let seconds = value;
  if (Math.abs(seconds) > MS_WATERSHED) seconds = seconds / 1000;
  let whole = Math.floor(seconds);
  let micro = Math.round((seconds - whole) * 1_000_000);
  if (micro === 1_000_000) {
    whole += 1;
    micro = 0;
  }
  if (whole < MIN_EPOCH_SECONDS || whole > MAX_EPOCH_SECONDS) return `invalid datetime ${String(value)}: out of range`;
  const days = Math.floor(whole / 86_400);
  const rest = whole - days * 86_400;
  const { year, month, day } = civilFromDays(days);
  return makePyDateTime(year, month, day, Math.floor(rest / 3600), Math.floor((rest % 3600) / 60), rest % 60, micro, 0);
};

const pad = (n: number, width: number): string => String(n).padStart(width, "0");
const pad2 = (n: number): string => (n < 10 ? "0" + n : "" + n);

const renderOffset = (minutes: number): string => {
  const sign = minutes < 0 ? "-" : "+";
  const a = Math.abs(minutes);
  return `${sign}${pad(Math.floor(a / 60), 2)}:${pad(a % 60, 2)}`;
};

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

const daysInMonth = (y: number, m: number): number =>
  m === 2 ? (isLeap(y) ? 29 : 28) : m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;

// Howard Hinnant's days_from_civil / civil_from_days: exact proleptic Gregorian arithmetic.
const daysFromCivil = (y0: number, m: number, d: number): number => {
  const y = m <= 2 ? y0 - 1 : y0;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
};

const civilFromDays = (z0: number): { year: number; month: number; day: number } => {
  const z = z0 + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
};
