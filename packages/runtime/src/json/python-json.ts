/**
 * JSON text the way Python's `json.dumps(..., sort_keys=True)` writes it with the default `ensure_ascii=True`,
 * so files written here are byte-identical to the reference's. Two layouts exist:
 * - `dumpsIndented`: `indent=2` (separators "," + newline and ": "), used for state.json and feature-runs.json;
 * - `dumpsCompact`: no indent (separators ", " and ": "), used for JSONL side-log rows.
 */
export const dumpsIndented = (value: unknown): string => render(value, "", true);

export const dumpsCompact = (value: unknown): string => render(value, "", false);

/** Python sorts dict keys by code point; JavaScript's default sort compares UTF-16 units. */
export const compareCodePoints = (a: string, b: string): number => {
  const ai = a[Symbol.iterator]();
  const bi = b[Symbol.iterator]();
  for (;;) {
    const x = ai.next();
    const y = bi.next();
    if (x.done === true) return y.done === true ? 0 : -1;
    if (y.done === true) return 1;
    const cx = x.value.codePointAt(0) ?? 0;
    const cy = y.value.codePointAt(0) ?? 0;
    if (cx !== cy) return cx - cy;
  }
};

// Everything outside printable ASCII is escaped, DEL included, as Python's ensure_ascii does.
const NON_PRINTABLE_ASCII = /[^\x20-\x7e]/g;

const quote = (text: string): string =>
  JSON.stringify(text).replace(NON_PRINTABLE_ASCII, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);

const renderNumber = (n: number): string => {
  if (Number.isNaN(n)) return "NaN";
  if (n === Infinity) return "Infinity";
  if (n === -Infinity) return "-Infinity";
  return JSON.stringify(n);
};

const render = (value: unknown, indent: string, pretty: boolean): string => {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return quote(value);
  if (typeof value === "number") return renderNumber(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "bigint") return value.toString();
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const items = value.map((item: unknown) => render(item, inner, pretty));
    return pretty ? `[\n${inner}${items.join(`,\n${inner}`)}\n${indent}]` : `[${items.join(", ")}]`;
  }
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => compareCodePoints(a, b));
    if (entries.length === 0) return "{}";
    const items = entries.map(([k, v]) => `${quote(k)}: ${render(v, inner, pretty)}`);
    return pretty ? `{\n${inner}${items.join(`,\n${inner}`)}\n${indent}}` : `{${items.join(", ")}}`;
  }
  return quote(String(value));
};
