import { makeIssue, type ValidationIssue } from "./issues.ts";
import { pyRepr } from "./py-repr.ts";

/** Legacy keys that may not appear anywhere (at any depth) in a canonical envelope. */
export const FORBIDDEN_LEGACY_KEYS: ReadonlySet<string> = new Set([
  "feature_slug",
  "feature_number",
  "mission_key",
  "legacy_aggregate_id",
]);
/** Bumped whenever the membership of FORBIDDEN_LEGACY_KEYS changes. */
export const FORBIDDEN_LEGACY_KEYS_VERSION = "v1";

/**
 * Every forbidden key in a JSON value, depth first: an object's keys in order, each hit reported before
 * descending into its value; arrays by index. Only keys count: a string value equal to a forbidden name
 * is fine. Each issue carries the path to the key and `details.key`.
 */
export const findForbiddenKeys = (
  data: unknown,
  forbidden: ReadonlySet<string> = FORBIDDEN_LEGACY_KEYS,
): ReadonlyArray<ValidationIssue> => {
  const out: Array<ValidationIssue> = [];
  walk(data, [], forbidden, out);
  return out;
};

/** The first forbidden key issue, or undefined when the value is clean. */
export const firstForbiddenKey = (
  data: unknown,
  forbidden: ReadonlySet<string> = FORBIDDEN_LEGACY_KEYS,
): ValidationIssue | undefined => findForbiddenKeys(data, forbidden)[0];

/** True when any forbidden key occurs; cheaper than collecting the issues. */
export const hasForbiddenKeys = (data: unknown, forbidden: ReadonlySet<string> = FORBIDDEN_LEGACY_KEYS): boolean => {
  if (Array.isArray(data)) return data.some((x) => hasForbiddenKeys(x, forbidden));
  if (typeof data !== "object" || data === null) return false;
  for (const k in data) {
    if (forbidden.has(k)) return true;
    if (hasForbiddenKeys((data as Record<string, unknown>)[k], forbidden)) return true;
  }
  return false;
};

const walk = (
  data: unknown,
  path: ReadonlyArray<string | number>,
  forbidden: ReadonlySet<string>,
  out: Array<ValidationIssue>,
): void => {
  if (Array.isArray(data)) {
    data.forEach((x, i) => walk(x, [...path, i], forbidden, out));
    return;
  }
  if (typeof data !== "object" || data === null) return;
  for (const [k, v] of Object.entries(data)) {
    const here = [...path, k];
    if (forbidden.has(k)) {
      out.push(makeIssue("FORBIDDEN_KEY", here, `Forbidden legacy key ${pyRepr(k)} is not allowed`, { key: k }));
    }
    walk(v, here, forbidden, out);
  }
};
