/**
 * JSON exactly as the reference's Python `json` module reads and writes it, so rows and snapshots are
 * byte-compatible: keys sorted by code point, `", "`/`": "` separators for one-line rows, indent 2 for
 * snapshots, `ensure_ascii` escaping on demand, and numbers that keep their Python spelling
 * (a float stays a float: `1.0`, `1e-07`; integers beyond 2^53 stay exact).
 */

/** A float read from JSON; kept apart from integers so it is written back as Python writes floats. */
export class PyFloat {
  readonly value: number;
  constructor(value: number) {
    this.value = value;
  }
}

export type JsonValue = null | boolean | number | bigint | string | PyFloat | JsonArray | JsonObject;
export type JsonArray = readonly JsonValue[];
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

/**
 * A number token inside a container whose spelling JSON.parse would lose (a fraction, an exponent, or 16+ digits).
 * Cheap pre-check so ordinary rows take the fast path; a match inside a string only costs the slow path.
 */
const NEEDS_LEXEME = /[:,[]\s*-?(?:\d+\.\d+(?:[eE][+-]?\d+)?|\d+[eE][+-]?\d+|\d{16,})\s*[,}\]]/;

const reviveNumber = (_key: string, value: unknown, context?: { source?: string }): unknown => {
  if (typeof value !== "number" || context?.source === undefined) return value;
  const source = context.source;
  if (/[.eE]/.test(source)) return new PyFloat(value);
  if (!Number.isSafeInteger(value)) return BigInt(source);
  return value;
};

const CONSTANT_WORD = /NaN|Infinity/;

/**
 * Parses one JSON text as Python's `json.loads` does; throws SyntaxError like JSON.parse. Beyond JSON
 * that means the words `NaN`, `Infinity` and `-Infinity` (see `parseJsonWithConstants`).
 */
export const parseJson = (text: string): JsonValue => {
  let value: JsonValue;
  try {
    value = JSON.parse(text) as JsonValue;
  } catch (refused) {
    if (!CONSTANT_WORD.test(text)) throw refused;
    try {
      return parseJsonWithConstants(text);
    } catch {
      throw refused;
    }
  }
  // Only a document holding numbers can have lost a spelling; most rows hold none or a few integers.
  // NEEDS_LEXEME finds numbers inside a container; a document that is one number is revived directly.
  if (typeof value === "number") return reviveNumber("", value, { source: text.trim() }) as JsonValue;
  return hasNumber(value) && NEEDS_LEXEME.test(text) ? (JSON.parse(text, reviveNumber as never) as JsonValue) : value;
};

const hasNumber = (value: JsonValue): boolean => {
  if (typeof value === "number") return true;
  if (typeof value !== "object" || value === null) return false;
  if (Array.isArray(value)) {
    for (const item of value as JsonArray) if (hasNumber(item)) return true;
    return false;
  }
  const obj = value as JsonObject;
  for (const key in obj) if (hasNumber(obj[key] as JsonValue)) return true;
  return false;
};

export const isJsonObject = (value: JsonValue | undefined): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof PyFloat);

/** Python's `repr(float)`: shortest round-trip digits, exponent form below 1e-4 and from 1e16. */
export const pyFloatRepr = (x: number): string => {
  if (Number.isNaN(x)) return "NaN";
  if (x === Infinity) return "Infinity";
  if (x === -Infinity) return "-Infinity";
  if (x === 0) return Object.is(x, -0) ? "-0.0" : "0.0";
  const [mantissa = "", expText = "0"] = x.toExponential().split("e");
  const exponent = Number(expText);
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  const sign = negative ? "-" : "";
  if (exponent < -4 || exponent >= 16) {
    const body = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const expSign = exponent < 0 ? "-" : "+";
    return `${sign}${body}e${expSign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  if (exponent < 0) return `${sign}0.${"0".repeat(-exponent - 1)}${digits}`;
  const intLen = exponent + 1;
  if (digits.length <= intLen) return `${sign}${digits}${"0".repeat(intLen - digits.length)}.0`;
  return `${sign}${digits.slice(0, intLen)}.${digits.slice(intLen)}`;
};

/** Python orders str keys by code point; UTF-16 order differs only around surrogates. */
export const compareKeys = (a: string, b: string): number => {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca !== cb) {
      if (ca >= 0xd800 || cb >= 0xd800) {
        const pa = a.codePointAt(i) ?? ca;
        const pb = b.codePointAt(i) ?? cb;
        // A surrogate (astral code point) sorts above every BMP character, including U+E000..U+FFFF.
        const ka = ca >= 0xd800 && ca <= 0xdfff ? pa + 0x110000 : ca;
        const kb = cb >= 0xd800 && cb <= 0xdfff ? pb + 0x110000 : cb;
        return ka - kb;
      }
      return ca - cb;
    }
  }
  return a.length - b.length;
};

const SURROGATE = /[\uD800-\uDFFF]/;

/** Keys in Python's order; the native sort (UTF-16 order) agrees with it unless a key has a surrogate. */
export const sortedKeys = (obj: JsonObject): string[] => {
  const keys: string[] = [];
  for (const k of Object.keys(obj)) if (obj[k] !== undefined) keys.push(k);
  keys.sort();
  return SURROGATE.test(keys.join("")) ? keys.sort(compareKeys) : keys;
};

const HEX = "0123456789abcdef";
const SIMPLE_ASCII = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;

/** Python `json.dumps` string with ensure_ascii=True: everything outside space..~ is \u-escaped. */
const quoteAscii = (s: string): string => {
  if (SIMPLE_ASCII.test(s)) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += "\\\\";
    else if (c >= 0x20 && c <= 0x7e) out += s[i];
    else if (c === 0x0a) out += "\\n";
    else if (c === 0x0d) out += "\\r";
    else if (c === 0x09) out += "\\t";
    else if (c === 0x08) out += "\\b";
    else if (c === 0x0c) out += "\\f";
    else out += `\\u${HEX[(c >> 12) & 15]}${HEX[(c >> 8) & 15]}${HEX[(c >> 4) & 15]}${HEX[c & 15]}`;
  }
  return `${out}"`;
};

/** What `JSON.stringify` would escape in a string: quote, backslash, controls, and lone surrogates. */
const NEEDS_ESCAPE = /["\\\x00-\x1f\uD800-\uDFFF]/;

/**
 * Python `json.dumps` string with ensure_ascii=False: only quote, backslash and controls are escaped.
 * Most strings need no escape, and a regex test is cheaper than a call into the native serializer.
 */
export const quoteUnicode = (s: string): string => (NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`);

const scalar = (value: JsonValue, quote: (s: string) => string): string | undefined => {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return quote(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      return Number.isInteger(value) ? String(value) : pyFloatRepr(value);
    case "bigint":
      return value.toString();
    default:
      return value instanceof PyFloat ? pyFloatRepr(value.value) : undefined;
  }
};

/** `json.dumps(value, sort_keys=True)` with Python's default separators `", "` and `": "`. */
export const dumpsLine = (value: JsonValue, ensureAscii = true): string => {
  const quote = ensureAscii ? quoteAscii : quoteUnicode;
  const walk = (v: JsonValue): string => {
    const s = scalar(v, quote);
    if (s !== undefined) return s;
    if (Array.isArray(v)) return `[${(v as JsonArray).map(walk).join(", ")}]`;
    const obj = v as JsonObject;
    const keys = sortedKeys(obj);
    if (keys.length === 0) return "{}";
    let out = "{";
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i] as string;
      if (i > 0) out += ", ";
      out += `${quote(k)}: ${walk(obj[k] as JsonValue)}`;
    }
    return `${out}}`;
  };
  return walk(value);
};

/** `json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False)`: the status.json layout. */
export const dumpsIndented = (value: JsonValue): string => {
  // Fast path: a key-sorted clone through the native serializer, which lays out indent=2 exactly as
  // Python does. Values it would spell differently (floats, big integers, integer-like keys that JS
  // objects reorder, lone surrogates) send the whole document to the exact walker below.
  const clone = sortedClone(value);
  if (clone !== UNSUPPORTED) return JSON.stringify(clone, null, 2);
  return dumpsIndentedExact(value);
};

const UNSUPPORTED = Symbol("unsupported");
const INDEX_LIKE = /^(?:0|[1-9]\d*)$/;
const LONE_SURROGATE = /[\uD800-\uDFFF]/;

const sortedClone = (value: JsonValue): unknown => {
  if (value === null || typeof value === "boolean") return value;
  if (typeof value === "string") return LONE_SURROGATE.test(value) ? UNSUPPORTED : value;
  if (typeof value === "number") return Number.isInteger(value) ? value : UNSUPPORTED;
  if (typeof value !== "object" || value instanceof PyFloat) return UNSUPPORTED;
  if (Array.isArray(value)) {
    const arr = value as JsonArray;
    const out: unknown[] = new Array(arr.length);
    for (let i = 0; i < arr.length; i++) {
      const c = sortedClone(arr[i] as JsonValue);
      if (c === UNSUPPORTED) return UNSUPPORTED;
      out[i] = c;
    }
    return out;
  }
  const obj = value as JsonObject;
  const keys = sortedKeys(obj);
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    if (INDEX_LIKE.test(key) || LONE_SURROGATE.test(key)) return UNSUPPORTED;
    const c = sortedClone(obj[key] as JsonValue);
    if (c === UNSUPPORTED) return UNSUPPORTED;
    out[key] = c;
  }
  return out;
};

/** The exact walker: every value spelled as Python spells it. */
export const dumpsIndentedExact = (value: JsonValue): string => dumpsIndentedAt(value, "");

/**
 * The exact walker's text for a value nested at indentation `pad` (its first line is not indented; the
 * following ones are), so a writer of a known document shape can splice generic values into it.
 */
export const dumpsIndentedAt = (value: JsonValue, pad: string): string => {
  const s = scalar(value, quoteUnicode);
  if (s !== undefined) return s;
  const inner = `${pad}  `;
  if (Array.isArray(value)) {
    const arr = value as JsonArray;
    if (arr.length === 0) return "[]";
    let out = "[";
    for (let i = 0; i < arr.length; i++) out += `${i === 0 ? "\n" : ",\n"}${inner}${dumpsIndentedAt(arr[i] as JsonValue, inner)}`;
    return `${out}\n${pad}]`;
  }
  const obj = value as JsonObject;
  const keys = sortedKeys(obj);
  if (keys.length === 0) return "{}";
  let out = "{";
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i] as string;
    out += `${i === 0 ? "\n" : ",\n"}${inner}${quoteUnicode(k)}: ${dumpsIndentedAt(obj[k] as JsonValue, inner)}`;
  }
  return `${out}\n${pad}}`;
};

/**
 * Python's `json.loads` accepts three words JSON does not: `NaN`, `Infinity` and `-Infinity` (and its
 * `json.dumps` writes them for such floats). A row holding one is valid to the reference, so it must be
 * valid here. `JSON.parse` refuses it; this parser reads the whole Python grammar and is used only
 * when `JSON.parse` has refused a text that contains one of those words. Numbers come out as
 * `parseJson` makes them: a float as `PyFloat`, an integer beyond 2^53 as `bigint`.
 */
export const parseJsonWithConstants = (text: string): JsonValue => {
  const parser = new ConstantsParser(text);
  parser.skipSpace();
  const value = parser.value();
  parser.skipSpace();
  if (parser.pos !== text.length) throw parser.fail("unexpected text after the JSON value");
  return value;
};

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;

class ConstantsParser {
  pos = 0;
  private depth = 0;
  private readonly text: string;
  constructor(text: string) {
    this.text = text;
  }

  fail(what: string): SyntaxError {
    return new SyntaxError(`${what} at position ${this.pos}`);
  }

  skipSpace(): void {
    const t = this.text;
    let c = t.charCodeAt(this.pos);
    while (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) c = t.charCodeAt(++this.pos);
  }

  private word(word: string, value: JsonValue): JsonValue {
    if (!this.text.startsWith(word, this.pos)) throw this.fail("unexpected token");
    this.pos += word.length;
    return value;
  }

  value(): JsonValue {
    const c = this.text.charCodeAt(this.pos);
    switch (c) {
      case 0x7b:
        return this.object();
      case 0x5b:
        return this.array();
      case 0x22:
        return this.string();
      case 0x6e:
        return this.word("null", null);
      case 0x74:
        return this.word("true", true);
      case 0x66:
        return this.word("false", false);
      case 0x4e:
        return this.word("NaN", new PyFloat(Number.NaN));
      case 0x49:
        return this.word("Infinity", new PyFloat(Number.POSITIVE_INFINITY));
      default:
        if (c === 0x2d && this.text.startsWith("-Infinity", this.pos)) {
          return this.word("-Infinity", new PyFloat(Number.NEGATIVE_INFINITY));
        }
        return this.number();
    }
  }

  private number(): JsonValue {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (match === null) throw this.fail("unexpected token");
    this.pos += match[0].length;
    const lexeme = match[0];
    if (match[1] !== undefined || match[2] !== undefined) return new PyFloat(Number(lexeme));
    const n = Number(lexeme);
    return Number.isSafeInteger(n) ? n : BigInt(lexeme);
  }

  /** A string token, decoded by JSON.parse itself so escapes and control characters are judged alike. */
  private string(): string {
    const t = this.text;
    const start = this.pos;
    let i = start + 1;
    for (;;) {
      const quote = t.indexOf('"', i);
      if (quote < 0) throw this.fail("unterminated string");
      let backslashes = 0;
      for (let k = quote - 1; k > start && t.charCodeAt(k) === 0x5c; k--) backslashes++;
      i = quote + 1;
      if (backslashes % 2 === 0) break;
    }
    this.pos = i;
    return JSON.parse(t.slice(start, i)) as string;
  }

  private nest(): void {
    // Deeper than any real row; keeps a hostile line from exhausting the stack.
    if (++this.depth > 512) throw this.fail("nesting too deep");
  }

  private array(): JsonValue {
    this.nest();
    this.pos++;
    const items: JsonValue[] = [];
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === 0x5d) {
      this.pos++;
      this.depth--;
      return items;
    }
    for (;;) {
      this.skipSpace();
      items.push(this.value());
      this.skipSpace();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 0x5d) break;
      if (c !== 0x2c) throw this.fail("expected ',' or ']'");
    }
    this.depth--;
    return items;
  }

  private object(): JsonValue {
    this.nest();
    this.pos++;
    const obj: Record<string, JsonValue> = {};
    this.skipSpace();
    if (this.text.charCodeAt(this.pos) === 0x7d) {
      this.pos++;
      this.depth--;
      return obj;
    }
    for (;;) {
      this.skipSpace();
      if (this.text.charCodeAt(this.pos) !== 0x22) throw this.fail("expected a property name");
      const key = this.string();
      this.skipSpace();
      if (this.text.charCodeAt(this.pos++) !== 0x3a) throw this.fail("expected ':'");
      this.skipSpace();
      // As JSON.parse (and a Python dict) does: an own property whatever the key, the last value winning.
      Object.defineProperty(obj, key, { value: this.value(), writable: true, enumerable: true, configurable: true });
      this.skipSpace();
      const c = this.text.charCodeAt(this.pos++);
      if (c === 0x7d) break;
      if (c !== 0x2c) throw this.fail("expected ',' or '}'");
    }
    this.depth--;
    return obj;
  }
}
