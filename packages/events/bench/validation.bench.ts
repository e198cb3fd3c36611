/**
 * Validation throughput: the envelope fast path against the generic Effect Schema decoder it is checked
 * against, and the conformance validator (cutover gate + envelope + payload contract) on real streams.
 * Target (2-core machine): envelope + payload validation >= 250,000 events/s in-process.
 */
import * as Either from "effect/Either";
import * as Schema from "effect/Schema";
import * as fs from "node:fs";
import * as path from "node:path";
import { decodeEvent, Event, validateEvent } from "../src/index.ts";
import { type BenchRow, measure, sharedDir } from "./harness.ts";

const RUNS = 30;
const WARMUP = 5;

export const validationBench = (): { readonly title: string; readonly rows: ReadonlyArray<BenchRow> } => {
  const golden = path.join(sharedDir(), "golden");
  const stream: ReadonlyArray<Record<string, unknown>> = fs
    .readFileSync(path.join(golden, "bench", "collaboration-10k.events.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.length !== 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const cases: ReadonlyArray<{ event_type: string; payload: unknown }> = fs
    .readFileSync(path.join(golden, "validation", "shards-0-1.jsonl"), "utf8")
    .split("\n")
    .filter((l) => l.length !== 0)
    .map((l) => JSON.parse(l) as { event_type: string; payload: unknown });
  const schemaDecode = Schema.decodeUnknownEither(Event);

  const envelopeFast = () => {
    let ok = 0;
    for (const e of stream) if (Either.isRight(decodeEvent(e))) ok++;
    return ok;
  };
  const envelopeSchema = () => {
    let ok = 0;
    for (const e of stream) if (Either.isRight(schemaDecode(e))) ok++;
    return ok;
  };
  // What an ingress does per event: the envelope as a whole (cutover gate + envelope contract), then its payload.
  const conformStream = () => {
    let ok = 0;
    for (const e of stream) {
      const env = validateEvent(e, "Event");
      const payload = validateEvent(e["payload"], String(e["event_type"]));
      if (Either.isRight(env) && env.right.valid && Either.isRight(payload) && payload.right.valid) ok++;
    }
    if (ok !== stream.length) throw new Error(`only ${ok} of ${stream.length} events validated`);
    return ok;
  };
  const conformGolden = () => {
    let valid = 0;
    for (const c of cases) {
      const r = validateEvent(c.payload, c.event_type);
      if (Either.isRight(r) && r.right.valid) valid++;
    }
    return valid;
  };

  const rate = (n: number, label: string) => (ms: number) => `${Math.round((n / ms) * 1000).toLocaleString("en-US")} ${label}/s`;
  const rows: Array<BenchRow> = [
    measure("envelope decode, fast path", envelopeFast, { runs: RUNS, warmup: WARMUP, note: rate(stream.length, "events") }),
    measure("envelope decode, Effect Schema", envelopeSchema, { runs: 10, warmup: 2, note: rate(stream.length, "events") }),
    measure("validateEvent envelope + payload (10k stream)", conformStream, {
      runs: RUNS,
      warmup: WARMUP,
      note: (ms) => `${rate(stream.length, "events")(ms)} (target >= 250,000)`,
    }),
    measure(`validateEvent on ${cases.length} mixed golden cases`, conformGolden, { runs: RUNS, warmup: WARMUP, note: rate(cases.length, "cases") }),
  ];
  return { title: `validation: ${stream.length.toLocaleString("en-US")}-event stream and the validation golden`, rows };
};
