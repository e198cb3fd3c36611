import * as Args from "@effect/cli/Args";
import * as Command from "@effect/cli/Command";
import * as Options from "@effect/cli/Options";
import * as Effect from "effect/Effect";
import * as Either from "effect/Either";
import { resolve } from "node:path";
import { isKnownEventType, KNOWN_EVENT_TYPES, pyRepr, renderPath, validateEvent } from "@spec-kitty/events";
import { DomainFailure, UsageFailure } from "../failure.ts";
import { CliIO, printJson, printLine } from "../io.ts";
import { readJsonFile, readJsonLines } from "./events-input.ts";
import { FAMILIES, MODES, runReduce } from "./events-reduce.ts";

const family = Args.choice(
  FAMILIES.map((f) => [f, f] as const),
  { name: "FAMILY" },
).pipe(Args.withDescription("which reducer: collaboration, status or lifecycle"));
const eventsFile = Args.text({ name: "FILE" }).pipe(Args.withDescription("a JSONL file, one event envelope per line"));
const mode = Options.choice("mode", MODES).pipe(
  Options.withDescription("collaboration only: strict (default) fails on the first unknown participant; permissive records anomalies"),
  Options.optional,
);
const roster = Options.text("roster").pipe(
  Options.withDescription("collaboration only: a JSON file {participant_id: identity} of participants already joined"),
  Options.optional,
);

/** The configuration of `events reduce` (its direct-path grammar is `reduceSpec`). */
export const reduceConfig = { family, file: eventsFile, mode, roster };

const reduceCommand = Command.make("reduce", reduceConfig, runReduce).pipe(
  Command.withDescription(
    "Reduce a JSONL event stream with the collaboration, status or lifecycle reducer and print the state as JSON.",
  ),
);

/**
 * `spec-kitty events conform FILE`: judges each line `{"event_type", "payload"}` and prints one JSON verdict
 * per line, in order. Exit 0 once every line is judged, whatever the verdicts.
 */
const conformCommand = Command.make(
  "conform",
  { file: Args.text({ name: "FILE" }).pipe(Args.withDescription('a JSONL file of {"event_type": T, "payload": {...}} lines')) },
  (args) =>
    Effect.gen(function* () {
      const io = yield* CliIO;
      const lines = yield* readJsonLines(resolve(io.cwd, args.file));
      const out: Array<string> = [];
      for (const { line, value } of lines) out.push(JSON.stringify(conformLine(line, value)));
      if (out.length > 0) yield* Effect.sync(() => io.stdout(`${out.join("\n")}\n`));
    }),
).pipe(Command.withDescription("Validate each {event_type, payload} line of a JSONL file; print one JSON verdict per line."));

interface Verdict {
  readonly line: number;
  readonly event_type: unknown;
  readonly valid: boolean;
  readonly violations: ReadonlyArray<{ code: string; path: ReadonlyArray<string | number>; message: string }>;
}

const conformLine = (line: number, value: unknown): Verdict => {
  const record = typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  const eventType = record?.["event_type"];
  const invalid = (path: ReadonlyArray<string | number>, message: string): Verdict => ({
    line,
    event_type: eventType ?? null,
    valid: false,
    violations: [{ code: "ENVELOPE_SHAPE_INVALID", path, message }],
  });
  if (record === undefined) return invalid([], 'line must be a JSON object {"event_type", "payload"}');
  if (typeof eventType !== "string") return invalid(["event_type"], "event_type must be text");
  const r = validateEvent(record["payload"], eventType);
  if (Either.isLeft(r)) return invalid(["event_type"], r.left.message);
  return {
    line,
    event_type: eventType,
    valid: r.right.valid,
    violations: r.right.violations.map((v) => ({ code: v.code, path: v.path, message: v.message })),
  };
};

const eventType = Options.text("event-type").pipe(
  Options.withDescription("the contract to check against: an event type such as WPStatusChanged, or Event for a whole envelope"),
);
const json = Options.boolean("json").pipe(Options.withDescription("print one JSON object instead of text"));

/**
 * `spec-kitty events validate FILE --event-type T [--json]`: checks one payload (or one envelope) against a
 * contract. Exit 0 when valid, 1 when not; the verdict and every violation go to stdout.
 */
const validateCommand = Command.make(
  "validate",
  { file: Args.text({ name: "FILE" }).pipe(Args.withDescription("a JSON file holding one payload or one envelope")), eventType, json },
  (args) =>
    Effect.gen(function* () {
      const io = yield* CliIO;
      if (!isKnownEventType(args.eventType)) {
        return yield* new UsageFailure({
          message: `unknown event type ${pyRepr(args.eventType)}`,
          hint: `known types: ${KNOWN_EVENT_TYPES.join(", ")}`,
        });
      }
      const file = resolve(io.cwd, args.file);
      const value = yield* readJsonFile(file);
      const r = validateEvent(value, args.eventType);
      if (Either.isLeft(r)) return yield* new UsageFailure({ message: r.left.message });
      const result = r.right;
      if (args.json) {
        yield* printJson({
          event_type: result.event_type,
          valid: result.valid,
          violations: result.violations.map((v) => ({ code: v.code, path: v.path, message: v.message })),
        });
      } else {
        yield* printLine(`${result.valid ? "valid" : "invalid"}: ${args.file} as ${result.event_type}${result.envelope ? " (payload of an envelope)" : ""}`);
        for (const v of result.violations) yield* printLine(`  ${renderPath(v.path)}: ${v.message} [${v.code}]`);
      }
      if (!result.valid) {
        const n = result.violations.length;
        return yield* new DomainFailure({ message: `${file}: not a valid ${result.event_type} (${n} violation${n === 1 ? "" : "s"})` });
      }
    }),
).pipe(Command.withDescription("Check one payload or envelope (a JSON file) against an event contract."));

/** `spec-kitty events ...`: the event contracts on the command line (reduce, conform, validate). */
export const eventsCommand = Command.make("events").pipe(
  Command.withDescription("Event contracts: reduce streams, judge payloads against the contracts."),
  Command.withSubcommands([reduceCommand, conformCommand, validateCommand]),
);
