/**
 * Python semantics over JSON values, for the places where the reference applies `repr()` or `==` to payload
 * values it never validated (e.g. a numeric `step_id`): `repr` as CPython prints it, equality as Python
 * compares (`True == 1 == 1.0`), and the type names Python reports.
 */
import { pyRepr } from "../core/index.ts";

/** Python `repr()` of a JSON value (strings quoted as `pyRepr` does). */
export const pyReprValue = (value: unknown): string => {
  if (typeof value === "string") return pyRepr(value);
  if (value === null || value === undefined) return "None";
  if (value === true) return "True";
  if (value === false) return "False";
  if (typeof value === "number") return reprNumber(value);
  if (Array.isArray(value)) return `[${value.map(pyReprValue).join(", ")}]`;
  if (typeof value === "object") {
    const parts = Object.entries(value).map(([k, v]) => `${pyRepr(k)}: ${pyReprValue(v)}`);
    return `{${parts.join(", ")}}`;
  }
  return String(value);
};

/** Python `==` between JSON values. */
export const pyEquals = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  const na = numeric(a);
  const nb = numeric(b);
  if (na !== undefined || nb !== undefined) return na !== undefined && na === nb;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!pyEquals(a[i], b[i])) return false;
    return true;
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    for (const k of ka) if (!Object.hasOwn(b, k) || !pyEquals(a[k], b[k])) return false;
    return true;
  }
  return false;
};

/** Whether Python could use the value as a dict key (JSON arrays and objects are unhashable). */
export const isPyHashable = (value: unknown): boolean => typeof value !== "object" || value === null;

/** The Python type name of a JSON value, as `TypeError` messages show it. */
export const pyTypeName = (value: unknown): string => {
  if (typeof value === "string") return "str";
  if (value === null || value === undefined) return "NoneType";
  if (typeof value === "boolean") return "bool";
  if (typeof value === "number") return Number.isInteger(value) ? "int" : "float";
  if (Array.isArray(value)) return "list";
  return "dict";
};

const isObject = (u: unknown): u is Record<string, unknown> =>
  typeof u === "object" && u !== null && !Array.isArray(u);

const numeric = (u: unknown): number | undefined =>
  typeof u === "number" ? u : typeof u === "boolean" ? (u ? 1 : 0) : undefined;

// JSON text does not survive parsing with its int/float distinction; integral values print as Python ints.
const reprNumber = (n: number): string => {
  if (Number.isNaN(n)) return "nan";
  if (!Number.isFinite(n)) return n > 0 ? "inf" : "-inf";
  if (Number.isInteger(n)) return Math.abs(n) < 1e16 ? String(n) : BigInt(n).toString();
  return reprFloat(n);
};

// CPython's float repr: shortest round-trip digits, positional for 1e-4 <= |x| < 1e16, else d.ddde±XX.
const reprFloat = (n: number): string => {
  const [mantissa = "0", expText = "0"] = n.toExponential().split("e");
  const exp = Number(expText);
  const negative = mantissa.startsWith("-");
  const digits = mantissa.replace("-", "").replace(".", "");
  const sign = negative ? "-" : "";
  if (exp >= -4 && exp < 16) {
    const point = exp + 1;
    if (point <= 0) return `${sign}0.${"0".repeat(-point)}${digits}`;
    if (point >= digits.length) return `${sign}${digits}${"0".repeat(point - digits.length)}.0`;
    return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  }
  const body = digits.length === 1 ? digits : `${digits[0]}.${digits.slice(1)}`;
  const expSign = exp < 0 ? "-" : "+";
  return `${sign}${body}e${expSign}${String(Math.abs(exp)).padStart(2, "0")}`;
};
