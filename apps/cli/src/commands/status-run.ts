import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import { resolve } from "node:path";
import { LANES, LogReadError, MissionStatus, type MissionStatusOptions, type StatusSnapshot } from "@spec-kitty/status";
import type { CommandSpec } from "../direct/parse.ts";
import { DomainFailure, InputFailure, UsageFailure } from "../failure.ts";
import { CliIO, printJson, printLine } from "../io.ts";

/**
 * Runs a status operation. Domain errors of @spec-kitty/status (they carry a stable `code`) become exit 1,
 * a corrupt log is an unreadable input (exit 2); with --json the error object also goes to stdout.
 */
export const runStatus = <A>(f: () => Promise<A>, json: boolean): Effect.Effect<A, DomainFailure | InputFailure, CliIO> =>
  Effect.tryPromise({ try: f, catch: (error) => error }).pipe(
    Effect.catchAll((error) => {
      const code = codeOf(error);
      const message = error instanceof Error ? error.message : String(error);
      const print = json ? printJson({ error: { code, message } }) : Effect.void;
      const failure = error instanceof LogReadError ? new InputFailure({ message }) : new DomainFailure({ message });
      return Effect.zipRight(print, Effect.fail(failure));
    }),
  );

/** Loads a mission, choosing the only one when no handle is given. */
export const loadMission = (repo: Option.Option<string>, handle: Option.Option<string>, json: boolean, options: MissionStatusOptions = {}) =>
  Effect.gen(function* () {
    const io = yield* CliIO;
    const root = Option.match(repo, { onNone: () => io.cwd, onSome: (dir) => resolve(io.cwd, dir) });
    if (Option.isSome(handle)) return yield* runStatus(() => MissionStatus.load(root, handle.value, options), json);
    const { kittySpecs, missions } = yield* runStatus(() => MissionStatus.missions(root), json);
    const [only, ...others] = missions;
    if (only === undefined) return yield* new DomainFailure({ message: `no missions under ${kittySpecs}` });
    if (others.length > 0) {
      return yield* new UsageFailure({
        message: `${missions.length} missions under ${kittySpecs}; choose one with --mission`,
        hint: `missions: ${missions.map((m) => m.dir).join(", ")}`,
      });
    }
    return yield* runStatus(() => MissionStatus.load(root, only.dir, options), json);
  });

const codeOf = (error: unknown): string =>
  typeof error === "object" && error !== null && "code" in error && typeof error.code === "string" ? error.code : "INTERNAL";

const WIDTH = 80;
const LANE_COLUMN = 14;

/** The board: one line per lane (work packages wrapped to 80 columns), in FSM order. */
export const renderBoard = (status: MissionStatus, snapshot: StatusSnapshot): string[] => {
  const byLane = lanesOf(snapshot);
  const destination = status.resolvedTopology.write;
  const where =
    destination.kind === "uncommitted"
      ? "not a git work tree"
      : destination.kind === "refused"
        ? `read-only: ${destination.branch} not checked out`
        : `commits to ${destination.branch}`;
  const total = Object.keys(snapshot.work_packages).length;
  const lines = [`${status.missionSlug}  (${status.topology}, ${where})`, `${total} work packages, ${snapshot.event_count} transitions`, ""];
  for (const [lane, wps] of Object.entries(byLane)) {
    if (lane === "uninitialized" && wps.length === 0) continue;
    const head = `${lane.padEnd(LANE_COLUMN)}${String(wps.length).padStart(3)}  `;
    let line = head;
    for (const wp of wps) {
      if (line.length + wp.length + 1 > WIDTH && line.trim() !== head.trim()) {
        lines.push(line.trimEnd());
        line = " ".repeat(head.length);
      }
      line += `${wp} `;
    }
    lines.push(line.trimEnd());
  }
  return lines;
};

/** Work package ids per display lane (plus annotation-only ones), naturally sorted. */
export const lanesOf = (snapshot: StatusSnapshot): Record<string, string[]> => {
  const lanes: Record<string, string[]> = Object.fromEntries([...LANES, "uninitialized"].map((lane) => [lane, []]));
  const ids = Object.keys(snapshot.work_packages).sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
  for (const id of ids) lanes[snapshot.work_packages[id]?.lane ?? "uninitialized"]?.push(id);
  return lanes;
};

/** What `spec-kitty status` is given, as its @effect/cli definition (status.ts) parses it. */
export interface BoardConfig {
  readonly mission: Option.Option<string>;
  readonly repo: Option.Option<string>;
  readonly json: boolean;
}

/** The same grammar for the direct path (ADR-0011). */
export const boardSpec: CommandSpec = {
  positionals: [],
  subcommands: ["materialize"],
  options: {
    mission: { kind: "text", flag: "mission" },
    repo: { kind: "text", flag: "repo" },
    json: { kind: "flag", flag: "json" },
  },
};

/** `spec-kitty status [--mission HANDLE] [--json]`: the board of a mission. */
export const runBoard = ({ mission, repo, json }: BoardConfig) =>
  Effect.gen(function* () {
    const status = yield* loadMission(repo, mission, json);
    const snapshot = yield* runStatus(() => status.snapshot(), json);
    if (json) {
      return yield* printJson({
        mission_slug: status.missionSlug,
        mission_id: status.missionId,
        mission_dir: status.missionDir,
        topology: status.topology,
        read_dir: status.readDir,
        destination_ref: "branch" in status.resolvedTopology.write ? status.resolvedTopology.write.branch : null,
        event_count: snapshot.event_count,
        materialized_at: snapshot.materialized_at,
        last_event_id: snapshot.last_event_id,
        summary: snapshot.summary,
        lanes: lanesOf(snapshot),
        work_packages: snapshot.work_packages,
      });
    }
    for (const line of renderBoard(status, snapshot)) yield* printLine(line);
  });
