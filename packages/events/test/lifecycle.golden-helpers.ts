import * as Either from "effect/Either";
import * as fs from "node:fs";
import * as path from "node:path";
import { decodeEvent, type Event } from "../src/index.ts";

/** The shared reference folder: `../shared` beside the repository root (the folder holding pnpm-workspace.yaml). */
export const sharedDir = (): string => {
  let dir = path.dirname(new URL(import.meta.url).pathname);
  while (!fs.existsSync(path.join(dir, "pnpm-workspace.yaml"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("repository root (pnpm-workspace.yaml) not found");
    dir = parent;
  }
  return path.resolve(dir, "../shared");
};

export interface GoldenCase {
  readonly file: string;
  readonly events: ReadonlyArray<unknown>;
  readonly expected: unknown;
}

/** Every golden case of one family (`status`, `lifecycle`), sorted by file name. */
export const loadGoldenCases = (family: string): ReadonlyArray<GoldenCase> => {
  const dir = path.join(sharedDir(), "golden", family);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => {
      const doc = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as { events: Array<unknown>; expected: unknown };
      return { file: `${family}/${f}`, events: doc.events, expected: doc.expected };
    });
};

/** Decodes golden envelopes; an envelope that does not decode is a failure naming file and index. */
export const decodeGoldenEvents = (c: GoldenCase): ReadonlyArray<Event> =>
  c.events.map((raw, i) => {
    const r = decodeEvent(raw);
    if (Either.isLeft(r)) throw new Error(`${c.file}: events[${i}] does not decode: ${JSON.stringify(r.left)}`);
    return r.right;
  });

const PAYLOAD_PREFIX = "payload validation failed:";

/**
 * The expected side's reason as the project renders it (parity.md rule 3): `Lane.X` / `MissionStatus.X` stand
 * for their values.
 */
export const normalizeExpectedReason = (reason: string): string =>
  reason.replace(/\b(?:Lane|MissionStatus)\.([A-Z_]+)\b/g, (_, name: string) => name.toLowerCase());

/** Compares a reason under parity.md rule 3 (a `payload validation failed:` reason is compared up to that prefix). */
export const reasonsMatch = (expected: string, actual: string): boolean => {
  const want = normalizeExpectedReason(expected);
  const at = want.indexOf(PAYLOAD_PREFIX);
  if (at >= 0) return actual.slice(0, at + PAYLOAD_PREFIX.length) === want.slice(0, at + PAYLOAD_PREFIX.length);
  return want === actual;
};

/**
 * Deep JSON comparison under parity.md: returns the first difference as `path: expected X, got Y`, or null.
 * Object key order is ignored; arrays compare in order; `reason` strings use `reasonsMatch`.
 */
export const firstDifference = (expected: unknown, actual: unknown, at = "$"): string | null => {
  const show = (v: unknown): string => JSON.stringify(v)?.slice(0, 300) ?? "undefined";
  if (typeof expected === "string" && typeof actual === "string" && at.endsWith(".reason")) {
    return reasonsMatch(expected, actual) ? null : `${at}: expected ${show(expected)}, got ${show(actual)}`;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${at}: expected an array, got ${show(actual)}`;
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
      if (i >= expected.length) return `${at}[${i}]: unexpected extra element ${show(actual[i])}`;
      if (i >= actual.length) return `${at}[${i}]: missing element ${show(expected[i])}`;
      const d = firstDifference(expected[i], actual[i], `${at}[${i}]`);
      if (d !== null) return d;
    }
    return null;
  }
  if (expected !== null && typeof expected === "object") {
    if (actual === null || typeof actual !== "object" || Array.isArray(actual))
      return `${at}: expected an object, got ${show(actual)}`;
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    for (const k of Object.keys(e)) {
      if (!(k in a)) return `${at}.${k}: missing, expected ${show(e[k])}`;
      const d = firstDifference(e[k], a[k], `${at}.${k}`);
      if (d !== null) return d;
    }
    for (const k of Object.keys(a)) if (!(k in e)) return `${at}.${k}: unexpected key with ${show(a[k])}`;
    return null;
  }
  return Object.is(expected, actual) ? null : `${at}: expected ${show(expected)}, got ${show(actual)}`;
};
