import { type JsonArray, type JsonObject, type JsonValue, PyFloat, pyFloatRepr } from "./json.ts";

/**
 * Python's `repr()` of a JSON-decoded value. The reference coerces malformed actors with `str()` and
 * quotes values in messages with `repr()`; reproducing both keeps rows and messages identical.
 */
export const pyRepr = (value: JsonValue): string => {
  if (value === null) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return Number.isInteger(value) ? String(value) : pyFloatRepr(value);
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "string") return quote(value);
  if (value instanceof PyFloat) return pyFloatRepr(value.value);
  if (Array.isArray(value)) return `[${(value as JsonArray).map(pyRepr).join(", ")}]`;
  const obj = value as JsonObject;
  return `{${Object.keys(obj)
    .map((k) => `${quote(k)}: ${pyRepr(obj[k] as JsonValue)}`)
    .join(", ")}}`;
};

/** Python's `str()`: a string is itself, anything else its repr. */
export const pyStr = (value: JsonValue): string => (typeof value === "string" ? value : pyRepr(value));

const quote = (s: string): string => {
  const q = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = q;
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === "\\") out += "\\\\";
    else if (ch === q) out += `\\${q}`;
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (c < 0x20 || c === 0x7f) out += `\\x${c.toString(16).padStart(2, "0")}`;
    else out += ch;
  }
  return out + q;
};
