import { FastCheck as fc } from "effect";
import { describe, expect, it } from "vitest";
import { parsePyDateTime } from "../src/core/index.ts";

// An independent oracle: a regex for the accepted shapes plus range checks, and the renderings computed
// with JS Date for the calendar part.
const SHAPE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt _](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))?)?$/;

const oracle = (s: string): { iso: string; json: string; epochMicros: number } | undefined => {
  const m = SHAPE.exec(s);
  if (m === null) return undefined;
  const [y, mo, d, h = 0, mi = 0, sec = 0] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((x) => (x === undefined ? undefined : Number(x)));
  if (y === undefined || mo === undefined || d === undefined || y < 1 || mo < 1 || mo > 12) return undefined;
  const date = new Date(0);
  date.setUTCFullYear(y, mo - 1, d);
  date.setUTCHours(h, mi, sec, 0);
  if (date.getUTCDate() !== d || h > 23 || mi > 59 || sec > 59) return undefined;
  const us = m[7] === undefined ? 0 : Number(m[7].slice(0, 6).padEnd(6, "0"));
  let off: number | null = null;
  if (m[8] !== undefined) off = 0;
  else if (m[9] !== undefined) {
    if (Number(m[10]) > 23 || Number(m[11]) > 59) return undefined;
    off = (m[9] === "-" ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  }
  const body = date.toISOString().slice(0, 19).replace(/^\+0*/, "") + (us === 0 ? "" : "." + String(us).padStart(6, "0"));
  const offText =
    off === null ? "" : `${off < 0 ? "-" : "+"}${String(Math.floor(Math.abs(off) / 60)).padStart(2, "0")}:${String(Math.abs(off) % 60).padStart(2, "0")}`;
  return {
    iso: body + offText,
    json: off === 0 ? body + "Z" : body + offText,
    epochMicros: date.getTime() * 1000 + us - (off ?? 0) * 60_000_000,
  };
};

// mostly in range, sometimes not, so both verdicts are exercised
const d2 = fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 99 })).map((n) => String(n).padStart(2, "0"));
const candidates = fc.oneof(
  fc
    .tuple(
      fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, "0")),
      d2,
      d2,
      fc.constantFrom("T", "t", " ", "_", "T", "x"),
      d2,
      d2,
      fc.option(d2),
      fc.option(fc.stringMatching(/^[.,]\d{0,9}$/)),
      fc.option(fc.oneof(fc.constantFrom("Z", "z", "Q"), fc.tuple(fc.constantFrom("+", "-"), d2, fc.constantFrom(":", ""), d2).map((p) => p.join("")))),
      fc.boolean(),
    )
    .map(([y, mo, d, sep, h, mi, s, frac, off, dateOnly]) =>
      dateOnly ? `${y}-${mo}-${d}` : `${y}-${mo}-${d}${sep}${h}:${mi}${s === null ? "" : `:${s}${frac ?? ""}`}${off ?? ""}`,
    ),
  fc.string({ maxLength: 30 }),
);

describe("timestamp parser agrees with an independent oracle", () => {
  it("same verdict and the same renderings", () => {
    fc.assert(
      fc.property(candidates, (s) => {
        if (/^-?[0-9]+(\.[0-9]+)?$/.test(s)) return; // unix-seconds text has its own unit tests
        const r = parsePyDateTime(s);
        const o = oracle(s);
        if (o === undefined) expect(typeof r).toBe("string");
        else expect(typeof r === "string" ? r : { iso: r.iso, json: r.json, epochMicros: r.epochMicros }).toEqual(o);
      }),
      { numRuns: 5000 },
    );
  });
});
