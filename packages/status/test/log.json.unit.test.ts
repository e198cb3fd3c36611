import { FastCheck as fc } from "effect";
import { describe, expect, it } from "vitest";
import { dumpsIndented, dumpsLine, type JsonValue, parseJson, pyFloatRepr } from "../src/log/index.ts";
import { parseJsonWithConstants } from "../src/log/json.ts";
import { sanitizeForLog } from "../src/log/index.ts";

// Input and expected outputs produced by CPython's json module (json.loads, then json.dumps with
// sort_keys=True, and with indent=2 + ensure_ascii=False).
const SOURCE = "{\"b\": 1.0, \"a\": [1e-07, 1e16, 123456789012345678901234567890, -0.0, 0.0001, 1.5e300, 2.5], \"\\u00e9\": \"\\u00fc\\u2028\\u007f\\u0001\\\"\\\\\", \"\\ud83d\\ude00\": \"x\", \"\\uffff\": \"y\", \"z\": {}, \"y\": [], \"t\": true, \"n\": null}";
const PY_LINE = "{\"a\": [1e-07, 1e+16, 123456789012345678901234567890, -0.0, 0.0001, 1.5e+300, 2.5], \"b\": 1.0, \"n\": null, \"t\": true, \"y\": [], \"z\": {}, \"\\u00e9\": \"\\u00fc\\u2028\\u007f\\u0001\\\"\\\\\", \"\\uffff\": \"y\", \"\\ud83d\\ude00\": \"x\"}";
const PY_INDENT = "{\n  \"a\": [\n    1e-07,\n    1e+16,\n    123456789012345678901234567890,\n    -0.0,\n    0.0001,\n    1.5e+300,\n    2.5\n  ],\n  \"b\": 1.0,\n  \"n\": null,\n  \"t\": true,\n  \"y\": [],\n  \"z\": {},\n  \"\u00e9\": \"\u00fc\u2028\u007f\\u0001\\\"\\\\\",\n  \"\uffff\": \"y\",\n  \"\ud83d\ude00\": \"x\"\n}";

describe("Python-compatible JSON", () => {
  it("writes a one-line row as json.dumps(sort_keys=True) does", () => {
    expect(dumpsLine(parseJson(SOURCE))).toBe(PY_LINE);
  });

  it("writes status.json layout as json.dumps(sort_keys=True, indent=2, ensure_ascii=False) does", () => {
    expect(dumpsIndented(parseJson(SOURCE))).toBe(PY_INDENT);
  });

  it("orders integer-like keys as strings, as Python does (JS objects would put them first, numerically)", () => {
    const value = parseJson('{"9": {"b": 1, "a": 2}, "10": "x", "T1": "y"}');
    expect(dumpsIndented(value)).toBe('{\n  "10": "x",\n  "9": {\n    "a": 2,\n    "b": 1\n  },\n  "T1": "y"\n}');
    expect(dumpsLine(value)).toBe('{"10": "x", "9": {"a": 2, "b": 1}, "T1": "y"}');
  });

  it("spells floats as Python's repr", () => {
    expect([1.0, 0.1, 1e-5, 1.5e-5, 123456.789, 1e22, 12345678901234567.0, 0.00012].map(pyFloatRepr)).toEqual([
      "1.0", "0.1", "1e-05", "1.5e-05", "123456.789", "1e+22", "1.2345678901234568e+16", "0.00012",
    ]);
  });

  it("keeps the spelling of a number that is the whole document", () => {
    expect(["1.0", "-5e-324", " 2.50 ", "12345678901234567890"].map((t) => dumpsLine(parseJson(t)))).toEqual([
      "1.0", "-5e-324", "2.5", "12345678901234567890",
    ]);
  });

  it("does not mistake digits inside strings for floats", () => {
    const line = '{"at": "2026-06-01T10:00:00.500000+00:00", "n": 3, "reason": "took 1.5s: ok"}';
    expect(dumpsLine(parseJson(line))).toBe(line);
  });

  it("strips personal data at every depth and reduces session timestamps to a duration", () => {
    const clean = sanitizeForLog({
      hostname: "box",
      policy_metadata: { developer_email: "a@b", keep: [{ workspace_path: "/home/x", ok: 1 }] },
      session_started_at: "2026-06-01T10:00:00+00:00",
      session_ended_at: "2026-06-01T10:01:30.900000+00:00",
    });
    expect(clean).toEqual({ policy_metadata: { keep: [{ ok: 1 }] }, session_duration_s: 90 });
  });
});

describe("the NaN/Infinity grammar (parseJsonWithConstants)", () => {
  const canonical = (value: JsonValue) => dumpsLine(value);

  it("reads every JSON text as parseJson does", () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 4 }), (text) => {
        const ours = parseJsonWithConstants(text);
        const reference = parseJson(text);
        expect(ours).toEqual(reference);
        expect(canonical(ours)).toBe(canonical(reference));
      }),
      { numRuns: 400 },
    );
  });

  it("refuses exactly what JSON.parse refuses, for texts without those words", () => {
    const mutated = fc
      .tuple(fc.json({ maxDepth: 3 }), fc.nat(), fc.constantFrom("", " ", "{", "}", "[", "]", ",", ":", '"', "\\", "-", "0", "e", ".", "\u0001"))
      .map(([text, at, insert]) => {
        const i = at % (text.length + 1);
        return at % 2 === 0 ? text.slice(0, i) + insert + text.slice(i) : text.slice(0, i) + text.slice(i + 1);
      })
      .filter((text) => !/NaN|Infinity/.test(text));
    fc.assert(
      fc.property(mutated, (text) => {
        let nativeOk = true;
        try {
          JSON.parse(text);
        } catch {
          nativeOk = false;
        }
        let oursOk = true;
        try {
          parseJsonWithConstants(text);
        } catch {
          oursOk = false;
        }
        expect(oursOk).toBe(nativeOk);
      }),
      { numRuns: 1500 },
    );
  });

  it("reads the three words as floats and keeps them a float when written", () => {
    const value = parseJson('{"n": NaN, "p": Infinity, "m": [-Infinity, 1e400], "s": "NaN"}');
    expect(dumpsLine(value)).toBe('{"m": [-Infinity, Infinity], "n": NaN, "p": Infinity, "s": "NaN"}');
    expect(() => parseJson('{"n": nan}')).toThrow(SyntaxError);
    expect(() => parseJson('{"n": -NaN}')).toThrow(SyntaxError);
    expect(() => parseJson("[Infinity] x")).toThrow(SyntaxError);
  });
});
