/**
 * Collaboration benchmarks on the reference's 10,000-event stream (50 participants), reduced permissively
 * with its roster, as the reference's own benchmark does.
 * Targets (2-core machine): decode + validate + reduce <= 40 ms median, reduce alone <= 8 ms.
 * Reference: 138 ms in-process decode + reduce (pydantic-core).
 */
import * as Either from "effect/Either";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  type Event,
  type Roster,
  decodeEvent,
  decodeRoster,
  encodeReducedCollaborationState,
  isValidCollaborationPayload,
  reduceCollaborationEvents,
} from "../src/index.ts";
import { type BenchRow, measure, sharedDir } from "./harness.ts";

const RUNS = 40;
const WARMUP = 10;

export const collaborationBench = (): { readonly title: string; readonly rows: ReadonlyArray<BenchRow> } => {
  const dir = path.join(sharedDir(), "golden", "bench");
  const text = fs.readFileSync(path.join(dir, "collaboration-10k.events.jsonl"), "utf8");
  const rosterResult = decodeRoster(JSON.parse(fs.readFileSync(path.join(dir, "collaboration-10k.roster.json"), "utf8")));
  if (Either.isLeft(rosterResult)) throw new Error("collaboration-10k.roster.json does not decode");
  const roster: Roster = rosterResult.right;
  const lines = text.split("\n").filter((l) => l.length !== 0);
  const raw: ReadonlyArray<unknown> = lines.map((l) => JSON.parse(l) as unknown);
  const n = raw.length;

  /** Envelope decode + payload verdict for every event; throws on the first invalid one (the stream is valid). */
  const decodeAndValidate = (values: ReadonlyArray<unknown>): Array<Event> => {
    const out: Array<Event> = new Array<Event>(values.length);
    for (let i = 0; i < values.length; i++) {
      const d = decodeEvent(values[i]);
      if (Either.isLeft(d)) throw new Error(`event ${i} does not decode`);
      if (isValidCollaborationPayload(d.right.event_type, d.right.payload) === false) {
        throw new Error(`event ${i}: invalid ${d.right.event_type} payload`);
      }
      out[i] = d.right;
    }
    return out;
  };
  const reduce = (events: ReadonlyArray<Event>) => {
    const r = reduceCollaborationEvents(events, { mode: "permissive", roster });
    if (Either.isLeft(r)) throw new Error(r.left.message);
    return r.right;
  };
  const parseLines = (): Array<unknown> => {
    const out: Array<unknown> = [];
    for (const line of text.split("\n")) if (line.length !== 0) out.push(JSON.parse(line));
    return out;
  };

  const decoded = decodeAndValidate(raw);
  const state = reduce(decoded);
  const perSecond = (ms: number): string => `${Math.round((n / ms) * 1000).toLocaleString("en-US")} events/s`;
  const opts = (note?: (ms: number) => string) => (note === undefined ? { runs: RUNS, warmup: WARMUP } : { runs: RUNS, warmup: WARMUP, note });

  const rows: Array<BenchRow> = [
    measure("decode + validate + reduce (parsed JSON)", () => reduce(decodeAndValidate(raw)), opts(() => "target <= 40 ms")),
    measure("reduce alone (decoded events)", () => reduce(decoded), opts(() => "target <= 8 ms")),
    measure("envelope + payload validation", () => decodeAndValidate(raw), opts((ms) => `${perSecond(ms)} (target >= 250,000)`)),
    measure("JSON.parse of the JSONL text", parseLines, opts()),
    measure("parse + decode + validate + reduce (JSONL text)", () => reduce(decodeAndValidate(parseLines())), opts()),
    measure("encode reduced state to JSON value", () => encodeReducedCollaborationState(state), opts()),
  ];
  return { title: `collaboration: ${n.toLocaleString("en-US")} events, 50 participants, permissive with roster`, rows };
};
