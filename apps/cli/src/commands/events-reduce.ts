import * as Effect from "effect/Effect";
import * as Either from "effect/Either";
import * as Option from "effect/Option";
import { resolve } from "node:path";
import {
  decodeRoster,
  encodeReducedCollaborationState,
  encodeReducedMissionState,
  encodeReducedStatus,
  reduceCollaborationEvents,
  reduceLifecycleEvents,
  reduceStatusEvents,
  renderPath,
  type Roster,
} from "@spec-kitty/events";
import type { CommandSpec } from "../direct/parse.ts";
import { DomainFailure, InputFailure } from "../failure.ts";
import { CliIO, printDiagnostic, printJson } from "../io.ts";
import { readEvents, readJsonFile } from "./events-input.ts";

export const FAMILIES = ["collaboration", "status", "lifecycle"] as const;
export const MODES = ["strict", "permissive"] as const;

/** What `events reduce` is given, as its @effect/cli definition (events.ts) parses it. */
export interface ReduceConfig {
  readonly family: (typeof FAMILIES)[number];
  readonly file: string;
  readonly mode: Option.Option<(typeof MODES)[number]>;
  readonly roster: Option.Option<string>;
}

/** The same grammar for the direct path (ADR-0011). */
export const reduceSpec: CommandSpec = {
  positionals: [{ name: "family", choices: FAMILIES }, { name: "file" }],
  options: { mode: { kind: "text", flag: "mode", choices: MODES }, roster: { kind: "text", flag: "roster" } },
};

/**
 * `spec-kitty events reduce FAMILY FILE [--mode] [--roster]`: reduces an event stream and prints the state as
 * one JSON document. A strict-mode failure prints `{"error":{"type","message"}}` on stdout and exits 1.
 */
export const runReduce = (args: ReduceConfig) =>
  Effect.gen(function* () {
    const io = yield* CliIO;
    const file = resolve(io.cwd, args.file);
    const modeValue = Option.getOrUndefined(args.mode);
    const rosterFile = Option.getOrUndefined(args.roster);
    if (args.family !== "collaboration" && (modeValue !== undefined || rosterFile !== undefined)) {
      yield* printDiagnostic(`note: --mode and --roster apply to the collaboration reducer only; ignored for ${args.family}`);
    }
    let seeded: Roster | null = null;
    if (args.family === "collaboration" && rosterFile !== undefined) {
      seeded = yield* loadRoster(resolve(io.cwd, rosterFile));
    }
    const events = yield* readEvents(file);
    if (args.family === "status") return yield* printJson(encodeReducedStatus(reduceStatusEvents(events)));
    if (args.family === "lifecycle") return yield* printJson(encodeReducedMissionState(reduceLifecycleEvents(events)));
    const reduced = reduceCollaborationEvents(events, { mode: modeValue ?? "strict", roster: seeded });
    if (Either.isRight(reduced)) return yield* printJson(encodeReducedCollaborationState(reduced.right));
    const error = reduced.left;
    yield* printJson({ error: { type: error._tag, message: error.message } });
    return yield* new DomainFailure({ message: `${error._tag}: ${error.message}` });
  });

const loadRoster = (file: string) =>
  Effect.gen(function* () {
    const raw = yield* readJsonFile(file);
    if (raw === null) return null;
    const decoded = decodeRoster(raw);
    if (Either.isLeft(decoded)) {
      const detail = decoded.left.map((i) => `${renderPath(i.path)}: ${i.message}`).join("; ");
      return yield* new InputFailure({ message: `${file}: not a valid roster (${detail})` });
    }
    return decoded.right;
  });
