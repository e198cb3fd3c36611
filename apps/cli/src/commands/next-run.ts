import {
  type BridgeDecision,
  decideNext,
  defaultPorts,
  findRepoRoot,
  MissionRuntimeError,
  STEP_RESULTS,
  statusWorkPackageLanes,
  TemplateError,
} from "@spec-kitty/runtime";
import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import { resolve } from "node:path";
import type { CommandSpec } from "../direct/parse.ts";
import { DomainFailure, UsageFailure } from "../failure.ts";
import { commandEmission } from "../emission.ts";
import { CliIO, printDiagnostic, printJson, printLine } from "../io.ts";

/** The repository to work in: --repo, else the git repository around the working directory. Fails with exit 1. */
export const repoRootOf = (repoOption: Option.Option<string>) =>
  Effect.flatMap(CliIO, (io) => {
    if (Option.isSome(repoOption)) return Effect.succeed(resolve(io.cwd, repoOption.value));
    const root = findRepoRoot(io.cwd);
    return root === null
      ? Effect.fail(new DomainFailure({ message: `not inside a git repository: ${io.cwd}`, hint: "run from the repository or pass --repo DIR" }))
      : Effect.succeed(root);
  });

/** Runtime errors are domain failures (exit 1); with --json the error also goes to stdout as an object. */
const toFailure = (error: unknown, asJson: boolean): Effect.Effect<never, DomainFailure, CliIO> => {
  const known = error instanceof MissionRuntimeError || error instanceof TemplateError;
  const code = known ? error.code : "INTERNAL";
  const message = known ? error.message : error instanceof Error ? error.message : String(error);
  const print = asJson ? printJson({ error: { code, message } }) : Effect.void;
  return Effect.zipRight(print, Effect.fail(new DomainFailure({ message })));
};

export const run = <A>(f: () => Promise<A> | A, asJson: boolean) =>
  Effect.tryPromise({ try: async () => f(), catch: (e) => e }).pipe(Effect.catchAll((e) => toFailure(e, asJson)));

/** The --json document: exactly these keys, null where they do not apply. */
export const decisionJson = (d: BridgeDecision) => ({
  kind: d.decision.kind,
  run_id: d.decision.run_id,
  mission_key: d.decision.mission_key,
  mission_slug: d.mission.slug,
  mission_id: d.mission.id,
  step_id: d.decision.step_id,
  step_title: d.decision.step_title,
  prompt: d.decision.prompt,
  wp_id: d.wp_id,
  decision_id: d.decision.decision_id,
  input_key: d.decision.input_key,
  question: d.decision.question,
  options: d.decision.options === null ? null : [...d.decision.options],
  reason: d.decision.reason,
});

const printDecision = (d: BridgeDecision) =>
  Effect.gen(function* () {
    const x = decisionJson(d);
    yield* printLine(`${x.kind}: mission ${x.mission_slug} (run ${x.run_id})`);
    if (x.step_id !== null) yield* printLine(`step: ${x.step_id}${x.step_title === null ? "" : ` — ${x.step_title}`}`);
    if (x.wp_id !== null) yield* printLine(`work package: ${x.wp_id}`);
    if (x.decision_id !== null) yield* printLine(`decision: ${x.decision_id}`);
    if (x.question !== null) yield* printLine(`question: ${x.question}`);
    if (x.options !== null && x.options.length > 0) yield* printLine(`options: ${x.options.join(", ")}`);
    if (x.prompt !== null) yield* printLine(`prompt: ${x.prompt}`);
    if (x.reason !== null) yield* printLine(`reason: ${x.reason}`);
    if (x.kind === "decision_required")
      yield* printLine(`answer with: spec-kitty next answer ${x.decision_id} VALUE --mission ${x.mission_slug} --actor-id ID --actor-type human`);
  });

/** What `spec-kitty next` is given, as its @effect/cli definition (next.ts) parses it. */
export interface NextConfig {
  readonly mission: Option.Option<string>;
  readonly agent: string;
  readonly result: Option.Option<(typeof STEP_RESULTS)[number]>;
  readonly json: boolean;
  readonly repo: Option.Option<string>;
}

/** The same grammar for the direct path (ADR-0011). */
export const nextSpec: CommandSpec = {
  positionals: [],
  subcommands: ["answer"],
  options: {
    mission: { kind: "text", flag: "mission" },
    agent: { kind: "text", flag: "agent", default: "agent" },
    result: { kind: "text", flag: "result", choices: STEP_RESULTS },
    json: { kind: "flag", flag: "json" },
    repo: { kind: "text", flag: "repo" },
  },
};

/** `spec-kitty next`: the mission run's next decision, recording the issued step's result first when given. */
export const runNext = (o: NextConfig) =>
  Effect.gen(function* () {
    if (Option.isNone(o.mission))
      return yield* Effect.fail(new UsageFailure({ message: "missing option --mission HANDLE", hint: "spec-kitty next --mission <slug> [--result success]" }));
    if (o.agent.trim() === "") return yield* Effect.fail(new UsageFailure({ message: "--agent must not be empty" }));
    const repoRoot = yield* repoRootOf(o.repo);
    const missionHandle = o.mission.value;
    // The run's mission-next events go through the one emission funnel (ADR-0012).
    const emission = commandEmission(yield* CliIO, repoRoot);
    const decision = yield* run(
      () =>
        decideNext({
          repoRoot,
          missionHandle,
          agentId: o.agent,
          ...(Option.isSome(o.result) ? { result: o.result.value } : {}),
          lanesFor: (mission) => statusWorkPackageLanes(repoRoot, mission),
          ports: { ...defaultPorts, emitter: emission.runtimeEmitter },
        }),
      o.json,
    ).pipe(Effect.ensuring(Effect.promise(() => emission.settle())));
    for (const w of decision.warnings) yield* printDiagnostic(`warning: ${w.message}`);
    if (o.json) return yield* printJson(decisionJson(decision));
    yield* printDecision(decision);
  });
