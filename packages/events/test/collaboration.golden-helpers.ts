/**
 * Test helpers for the collaboration goldens: locating the shared reference folder, decoding golden
 * envelopes, normalising both sides under parity.md and naming the first difference.
 */
import * as Either from "effect/Either";
import * as fs from "node:fs";
import * as path from "node:path";
import { decodeEvent, decodeRoster, type Event, type Roster } from "../src/index.ts";

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

export interface CollaborationCase {
  readonly file: string;
  readonly mode: "strict" | "permissive";
  readonly roster: unknown;
  readonly events: ReadonlyArray<unknown>;
  readonly expected: unknown;
}

/** Every golden case under golden/collaboration, sorted by file name. */
export const loadCollaborationCases = (): ReadonlyArray<CollaborationCase> => {
  const dir = path.join(sharedDir(), "golden", "collaboration");
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()
    .map((f) => {
      const doc = JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")) as {
        args: { mode: "strict" | "permissive"; roster: unknown };
        events: Array<unknown>;
        expected: unknown;
      };
      return { file: `collaboration/${f}`, mode: doc.args.mode, roster: doc.args.roster, events: doc.events, expected: doc.expected };
    });
};

/** Decodes golden envelopes; one that does not decode fails naming the file and index. */
export const decodeEvents = (file: string, raw: ReadonlyArray<unknown>): ReadonlyArray<Event> =>
  raw.map((r, i) => {
    const d = decodeEvent(r);
    if (Either.isLeft(d)) throw new Error(`${file}: events[${i}] does not decode: ${JSON.stringify(d.left)}`);
    return d.right;
  });

/** Decodes a golden roster (`null` stays null); an invalid one fails naming the file. */
export const decodeGoldenRoster = (file: string, raw: unknown): Roster | null => {
  if (raw === null) return null;
  const d = decodeRoster(raw);
  if (Either.isLeft(d)) throw new Error(`${file}: roster does not decode: ${JSON.stringify(d.left)}`);
  return d.right;
};

const PAYLOAD_PREFIX = "payload validation failed:";

/** The expected side's reason as the project renders it: `Lane.X` / `MissionStatus.X` stand for their values. */
const normalizeExpectedReason = (reason: string): string =>
  reason.replace(/\b(?:Lane|MissionStatus)\.([A-Z_]+)\b/g, (_, name: string) => name.toLowerCase());

type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [k: string]: Json };

const sortStrings = (v: Json | undefined): Json | undefined =>
  Array.isArray(v) ? [...(v as ReadonlyArray<string>)].sort() : v;

/**
 * A reduced state as compared under parity.md: set-valued fields sorted; on the expected side, enum
 * renderings replaced by values and `payload validation failed:` reasons cut at that prefix (the actual
 * side's reason is cut at the same length when it starts with the prefix).
 */
export const normalizeState = (state: unknown, side: "expected" | "actual"): Json => {
  const s = JSON.parse(JSON.stringify(state)) as Record<string, Json>;
  if ("error" in s) return s;
  const drivers = sortStrings(s.active_drivers);
  if (drivers !== undefined) s.active_drivers = drivers;
  const byFocus = s.participants_by_focus;
  if (byFocus !== null && typeof byFocus === "object" && !Array.isArray(byFocus)) {
    s.participants_by_focus = Object.fromEntries(
      Object.entries(byFocus as Record<string, Json>).map(([k, v]) => [k, sortStrings(v) ?? null]),
    );
  }
  if (Array.isArray(s.anomalies)) {
    s.anomalies = (s.anomalies as ReadonlyArray<Record<string, Json>>).map((a) => {
      const reason = typeof a.reason === "string" ? a.reason : "";
      const normal = side === "expected" ? normalizeExpectedReason(reason) : reason;
      return { ...a, reason: normal.startsWith(PAYLOAD_PREFIX) ? PAYLOAD_PREFIX : normal };
    });
  }
  return s;
};

/** The first place two JSON values differ (object key order ignored), or undefined when deep-equal. */
export const firstDifference = (expected: Json | undefined, actual: Json | undefined, at = "$"): string | undefined => {
  if (expected === actual) return undefined;
  const show = (v: Json | undefined): string => (v === undefined ? "<missing>" : JSON.stringify(v));
  if (Array.isArray(expected) && Array.isArray(actual)) {
    const n = Math.max(expected.length, actual.length);
    for (let i = 0; i < n; i++) {
      const d = firstDifference(expected[i] as Json | undefined, actual[i] as Json | undefined, `${at}[${i}]`);
      if (d !== undefined) return d;
    }
    return undefined;
  }
  const isObj = (v: Json | undefined): v is { readonly [k: string]: Json } =>
    typeof v === "object" && v !== null && !Array.isArray(v);
  if (isObj(expected) && isObj(actual)) {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort();
    for (const k of keys) {
      const d = firstDifference(
        Object.hasOwn(expected, k) ? expected[k] : undefined,
        Object.hasOwn(actual, k) ? actual[k] : undefined,
        `${at}.${k}`,
      );
      if (d !== undefined) return d;
    }
    return undefined;
  }
  return `${at}: expected ${show(expected)}, got ${show(actual)}`;
};
