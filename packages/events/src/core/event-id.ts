import * as ParseResult from "effect/ParseResult";
import * as Schema from "effect/Schema";

/** The id pattern the reference publishes in its JSON Schema (ULID, bare UUID, hyphenated UUID). */
export const EVENT_ID_PATTERN =
  "^[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{26}$|^[0-9a-fA-F]{32}$|^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$";

const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/i;
const UUID_HYPHENATED = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const UUID_BARE = /^[0-9a-f]{32}$/i;

/**
 * Canonical form of an event id, or `undefined` when the text is no id at all:
 * ULIDs upper-cased, UUIDs lower-cased and hyphenated 8-4-4-4-12. Dedup relies on this form, so two
 * spellings of one id are one event.
 */
export const normalizeEventId = (s: string): string | undefined => {
  switch (s.length) {
    case 26:
      return isUpperUlid(s) ? s : ULID.test(s) ? s.toUpperCase() : undefined;
    case 36:
      return isLowerUuid(s) ? s : UUID_HYPHENATED.test(s) ? s.toLowerCase() : undefined;
    case 32:
      return UUID_BARE.test(s) ? hyphenate(s.toLowerCase()) : undefined;
    default:
      return undefined;
  }
};

// Allocation-free checks for ids already in canonical form (the common case on every hot path).
const CROCKFORD_UPPER = new Uint8Array(128);
for (const c of "0123456789ABCDEFGHJKMNPQRSTVWXYZ") CROCKFORD_UPPER[c.charCodeAt(0)] = 1;

const isUpperUlid = (s: string): boolean => {
  for (let i = 0; i < 26; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || CROCKFORD_UPPER[c] !== 1) return false;
  }
  return true;
};

const isLowerUuid = (s: string): boolean => {
  for (let i = 0; i < 36; i++) {
    const c = s.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (c !== 45) return false;
    } else if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false;
  }
  return true;
};

const hyphenate = (h: string): string =>
  `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;

export const eventIdMessage = (s: string): string =>
  `invalid event id ${JSON.stringify(s)}: expected a 26-character ULID, a 36-character hyphenated UUID or a 32-character bare UUID`;

/** An event id as text on the wire, decoded to its canonical form. */
export const EventId: Schema.Schema<string, string> = Schema.transformOrFail(
  Schema.String.annotations({ jsonSchema: { type: "string", minLength: 26, maxLength: 36, pattern: EVENT_ID_PATTERN } }),
  Schema.String,
  {
    strict: true,
    decode: (s, _, ast) => {
      const id = normalizeEventId(s);
      return id === undefined ? ParseResult.fail(new ParseResult.Type(ast, s, eventIdMessage(s))) : ParseResult.succeed(id);
    },
    encode: (s) => ParseResult.succeed(s),
  },
).annotations({ identifier: "EventId" });

const UUID_URN = /^urn:uuid:/i;

/**
 * Canonical (lower-case, hyphenated) form of a project UUID, accepting the spellings a UUID parser
 * accepts: hyphenated, bare 32 hex digits, `{braced}` and `urn:uuid:` prefixed.
 */
export const normalizeUuid = (s: string): string | undefined => {
  let t = s;
  if (UUID_URN.test(t)) t = t.slice(9);
  else if (t.length === 38 && t.startsWith("{") && t.endsWith("}")) t = t.slice(1, -1);
  if (t.length === 36 && isLowerUuid(t)) return t;
  if (t.length === 36 && UUID_HYPHENATED.test(t)) return t.toLowerCase();
  if (t.length === 32 && UUID_BARE.test(t)) return hyphenate(t.toLowerCase());
  return undefined;
};

/** A UUID as text on the wire, decoded to its canonical lower-case hyphenated form. */
export const ProjectUuid: Schema.Schema<string, string> = Schema.transformOrFail(
  Schema.String.annotations({ jsonSchema: { type: "string", format: "uuid" } }),
  Schema.String,
  {
    strict: true,
    decode: (s, _, ast) => {
      const u = normalizeUuid(s);
      return u === undefined
        ? ParseResult.fail(new ParseResult.Type(ast, s, `invalid UUID ${JSON.stringify(s)}`))
        : ParseResult.succeed(u);
    },
    encode: (s) => ParseResult.succeed(s),
  },
).annotations({ identifier: "ProjectUuid" });
