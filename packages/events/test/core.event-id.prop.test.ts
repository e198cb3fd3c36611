import { FastCheck as fc } from "effect";
import { describe, expect, it } from "vitest";
import { normalizeEventId, normalizeUuid } from "../src/core/index.ts";

// The reference algorithm, written with regexes only, as the oracle for the allocation-free fast paths.
const oracleId = (s: string): string | undefined => {
  if (s.length === 26) return /^[0-9A-HJKMNP-TV-Z]{26}$/i.test(s) ? s.toUpperCase() : undefined;
  if (s.length === 36) return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s) ? s.toLowerCase() : undefined;
  if (s.length === 32 && /^[0-9a-f]{32}$/i.test(s)) {
    const h = s.toLowerCase();
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
  return undefined;
};

const chars = fc.constantFrom(..."0123456789abcdefABCDEFhjkmnpqrstvwxyzHJKMNPQRSTVWXYZiloulIOU-g_ ".split(""));
const idLike = fc.oneof(
  fc.array(chars, { minLength: 26, maxLength: 26 }).map((a) => a.join("")),
  fc.array(chars, { minLength: 32, maxLength: 32 }).map((a) => a.join("")),
  fc.uuid().map((u) => u.toUpperCase()),
  fc.uuid().chain((u) => fc.nat({ max: 35 }).chain((i) => chars.map((c) => u.slice(0, i) + c + u.slice(i + 1)))),
  fc.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
  fc.stringMatching(/^[0-9A-HJKMNP-TV-Z]{25}[a-zIiLlOoUu]$/),
);

describe("id normalisation fast paths agree with the reference algorithm", () => {
  it("normalizeEventId", () => {
    fc.assert(fc.property(idLike, (s) => {
        expect(normalizeEventId(s)).toBe(oracleId(s));
      }), { numRuns: 5000 });
  });
  it("normalizeUuid on plain UUID spellings", () => {
    fc.assert(
      fc.property(idLike, (s) => {
        if (s.length === 36 || s.length === 32) expect(normalizeUuid(s)).toBe(oracleId(s));
      }),
      { numRuns: 3000 },
    );
  });
});
