import * as Command from "@effect/cli/Command";
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem";
import * as NodePath from "@effect/platform-node/NodePath";
import * as NodeTerminal from "@effect/platform-node/NodeTerminal";
import { FastCheck as fc } from "effect";
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import * as Option from "effect/Option";
import { describe, expect, it } from "vitest";
import { acceptConfig } from "../src/commands/accept-command.ts";
import { agentConfigForTests } from "../src/commands/agent.ts";
import { reduceConfig } from "../src/commands/events.ts";
import { implementConfig } from "../src/commands/implement.ts";
import { mergeConfig } from "../src/commands/merge.ts";
import { nextConfig } from "../src/commands/next.ts";
import { orchestrateConfig } from "../src/commands/orchestrate.ts";
import { boardConfig, materializeConfig } from "../src/commands/status.ts";
import { makeConsole } from "../src/console.ts";
import { DIRECT_ROUTES, parseDirect } from "../src/direct/index.ts";
import type { CommandSpec } from "../src/direct/parse.ts";

/**
 * The direct path must read every command line it accepts exactly as @effect/cli reads it (ADR-0011). These tests
 * parse generated command lines both ways, with the real option definitions of each command, and compare the
 * configuration objects the two parsers produce.
 */

type Captured = { readonly path: string; readonly config: unknown } | undefined;
let captured: Captured;
const capture = (path: string) => (config: Record<string, unknown>) =>
  Effect.sync(() => {
    // A command with subcommands also gets `subcommand` (none when it runs itself), which no handler reads.
    const { subcommand, ...own } = config;
    captured = { path, config: subcommand !== undefined && !Option.isNone(subcommand as Option.Option<unknown>) ? config : own };
  });

// The real command tree's shape, with the real configurations of the commands that have a direct path and
// stand-ins for the rest (their names still matter: @effect/cli reads a subcommand name wherever it stands).
const tree = Command.make("spec-kitty").pipe(
  Command.withSubcommands([
    Command.make("doctor"),
    Command.make("events").pipe(
      Command.withSubcommands([Command.make("reduce", reduceConfig, capture("events reduce")), Command.make("conform"), Command.make("validate")]),
    ),
    Command.make("status", boardConfig, capture("status")).pipe(
      Command.withSubcommands([Command.make("materialize", materializeConfig, capture("status materialize"))]),
    ),
    Command.make("agent").pipe(
      Command.withSubcommands([
        Command.make("tasks").pipe(
          Command.withSubcommands([
            Command.make("move-task", agentConfigForTests.moveTask, capture("agent tasks move-task")),
            Command.make("mark-status", agentConfigForTests.markStatus, capture("agent tasks mark-status")),
            Command.make("add-history", agentConfigForTests.addHistory, capture("agent tasks add-history")),
          ]),
        ),
        Command.make("status").pipe(Command.withSubcommands([Command.make("validate")])),
        Command.make("mission").pipe(
          Command.withSubcommands([
            Command.make("create", agentConfigForTests.create, capture("agent mission create")),
            Command.make("finalize-tasks", agentConfigForTests.finalize, capture("agent mission finalize-tasks")),
          ]),
        ),
        Command.make("feature").pipe(
          Command.withSubcommands([
            Command.make("create-feature", agentConfigForTests.create, capture("agent feature create-feature")),
            Command.make("finalize-tasks", agentConfigForTests.finalize, capture("agent feature finalize-tasks")),
          ]),
        ),
      ]),
    ),
    Command.make("next", nextConfig, capture("next")).pipe(Command.withSubcommands([Command.make("answer")])),
    Command.make("runs"),
    Command.make("orchestrate", orchestrateConfig, capture("orchestrate")),
    Command.make("implement", implementConfig, capture("implement")),
    Command.make("merge", mergeConfig, capture("merge")),
    Command.make("accept", acceptConfig, capture("accept")),
  ]),
);
const cli = Command.run(tree, { name: "spec-kitty", version: "0.0.0" });
const silent = makeConsole(() => {}, () => {}, false);
const platform = Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer);

/** What @effect/cli makes of `argv`: the command it ran and its configuration, or undefined when it refused. */
const parseWithEffectCli = async (argv: ReadonlyArray<string>): Promise<Captured> => {
  captured = undefined;
  await Effect.runPromise(
    Effect.exit(cli(["node", "spec-kitty", ...argv]).pipe(Effect.provide(platform), Effect.withConsole(silent))),
  );
  return captured;
};

const compare = async (argv: ReadonlyArray<string>): Promise<boolean> => {
  const direct = await parseDirect(argv);
  if (direct === undefined) return false;
  expect(await parseWithEffectCli(argv), argv.join(" ")).toEqual({ path: direct.route.path.join(" "), config: direct.config });
  return true;
};

// Words a command line is built from: every option of the direct commands, values that are choices somewhere,
// words that mean something to @effect/cli, and plain values.
const FLAGS = [
  "--mode", "--roster", "--stdout", "--output-root", "--mission", "--repo", "--json", "--to", "--actor", "--force", "--reason", "--review-ref", "--evidence", "--agent", "--result", "--target-branch", "--mission-type", "--friendly-name", "--purpose-tldr", "--purpose-context", "--validate-only", "--base", "--strategy", "--keep-branch", "--delete-branch", "--keep-worktree", "--dry-run", "--resume", "--abort", "--target", "--status", "--note", "--shell-pid", "--test", "--lenient", "--no-commit", "--allow-fail", "--impl-agent", "--review-agent", "--max-parallel", "--cleanup", "--skip", "--merge",
];
const WORDS = [
  "user-auth", "create", "finalize-tasks", "collaboration", "status", "lifecycle", "strict", "permissive", "success", "failed", "blocked", "claimed", "WP01", "x.jsonl", "dir", "answer", "materialize", "true", "false", "yes", "0", "", "a b", "squash", "done", "pending", "T001", "checklist", "local", "12345",
];
const ODD = ["--help", "-h", "--", "-", "--mode=permissive", "--json=true", "--version", "--wizard", "--unknown", "-x", "--MISSION"];

const part = fc.oneof(
  { weight: 4, arbitrary: fc.tuple(fc.constantFrom(...FLAGS), fc.constantFrom(...WORDS)).map(([f, w]) => [f, w]) },
  { weight: 3, arbitrary: fc.constantFrom(...FLAGS).map((f) => [f]) },
  { weight: 3, arbitrary: fc.constantFrom(...WORDS).map((w) => [w]) },
  { weight: 1, arbitrary: fc.constantFrom(...ODD).map((o) => [o]) },
);

/** Any words after the command path. */
const anyLine = (path: ReadonlyArray<string>) =>
  fc.array(part, { maxLength: 7 }).map((parts) => [...path, ...parts.flat()]);

/** Mostly well-formed lines for `spec`: its positionals in order and its required options, plus random extra parts, shuffled. */
const likelyLine = (path: ReadonlyArray<string>, spec: CommandSpec) => {
  const value = (choices: ReadonlyArray<string> | undefined) =>
    choices === undefined ? fc.constantFrom(...WORDS) : fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...choices) }, { weight: 1, arbitrary: fc.constantFrom(...WORDS) });
  const positionals = fc
    .tuple(...spec.positionals.map((p) => (p.repeated === true ? fc.array(value(p.choices), { minLength: 1, maxLength: 3 }) : value(p.choices).map((w) => [w]))))
    .map((xs) => xs.flat());
  const required = fc.tuple(
    ...Object.values(spec.options)
      .filter((o) => o.kind === "text" && o.required === true)
      .map((o) => value(o.kind === "text" ? o.choices : undefined).map((w) => [`--${o.flag}`, w])),
  );
  const optional = fc.array(
    fc.constantFrom(...Object.values(spec.options)).chain((o) =>
      o.kind === "flag" ? fc.constant([`--${o.flag}`]) : value(o.kind === "text" ? o.choices : undefined).map((w) => [`--${o.flag}`, w]),
    ),
    { maxLength: 3 },
  );
  return fc
    .tuple(positionals, required, optional, fc.array(part, { maxLength: 1 }), fc.array(fc.integer(), { minLength: 16, maxLength: 16 }), fc.array(fc.boolean(), { minLength: 16, maxLength: 16 }))
    .map(([pos, req, opt, extra, keys, merge]) => {
      const options = [...req, ...opt, ...extra].map((p, i) => ({ p, k: keys[i] ?? 0 })).sort((x, y) => x.k - y.k).map((x) => x.p);
      const out: Array<string> = [...path];
      let o = 0;
      let q = 0;
      for (let i = 0; o < options.length || q < pos.length; i++) {
        if (q < pos.length && (o >= options.length || merge[i % merge.length] === true)) out.push(pos[q++] as string);
        else out.push(...(options[o++] as ReadonlyArray<string>));
      }
      return out;
    });
};

describe("the direct path reads command lines as @effect/cli does", () => {
  for (const route of DIRECT_ROUTES) {
    const path = route.path.join(" ");
    it(`${path}: every generated command line it accepts`, async () => {
      const { spec } = await route.load();
      let accepted = 0;
      const lines = fc.oneof(anyLine(route.path), likelyLine(route.path, spec));
      await fc.assert(
        fc.asyncProperty(lines, async (argv) => {
          if (await compare(argv)) accepted += 1;
        }),
        { numRuns: 400, seed: 20261120 },
      );
      // Random words rarely form a complete command line; the property still has to have been exercised.
      expect(accepted).toBeGreaterThan(40);
    });
  }

  const plain: ReadonlyArray<ReadonlyArray<string>> = [
    ["events", "reduce", "collaboration", "s.jsonl", "--mode", "permissive", "--roster", "r.json"],
    ["events", "reduce", "--mode", "strict", "status", "s.jsonl"],
    ["status", "materialize", "a", "b", "c", "--output-root", "out"],
    ["status", "materialize", "--stdout", "a"],
    ["status", "--json"],
    ["status", "--mission", "001-x", "--repo", "."],
    ["agent", "tasks", "move-task", "WP01", "--to", "claimed", "--mission", "m", "--actor", "a", "--json"],
    ["agent", "tasks", "move-task", "--force", "WP01", "--reason", "r", "--to", "done", "--mission", "m", "--evidence", "e.json", "--review-ref", "x"],
    ["next", "--mission", "m", "--agent", "bench", "--json"],
    ["agent", "tasks", "mark-status", "T001", "T010", "--status", "done", "--mission", "m", "--json"],
    ["agent", "tasks", "mark-status", "--status", "pending", "T002", "--actor", "a"],
    ["agent", "tasks", "add-history", "WP01", "--note", "a b", "--agent", "x", "--shell-pid", "42", "--json"],
    ["accept", "--mission", "m", "--mode", "local", "--lenient", "--no-commit", "--allow-fail", "--json"],
    ["accept"],
    ["next", "--mission", "m", "--result", "success"],
    ["next"],
    ["agent", "mission", "create", "user-auth", "--json"],
    ["agent", "mission", "create", "--target-branch", "release", "042-x", "--mission-type", "research", "--friendly-name", "A b", "--purpose-tldr", "t", "--purpose-context", "c"],
    ["agent", "feature", "create-feature", "user-auth"],
    ["agent", "mission", "finalize-tasks", "--mission", "user-auth-01KW6N7D", "--json"],
    ["agent", "mission", "finalize-tasks", "--validate-only", "--actor", "ana"],
    ["agent", "feature", "finalize-tasks"],
    ["implement", "WP02", "--base", "WP01", "--mission", "m", "--force", "--actor", "a", "--json"],
    ["implement", "WP01"],
    ["merge"],
    ["merge", "--mission", "m", "--strategy", "squash", "--keep-branch", "--keep-worktree", "--push", "--target", "dev", "--dry-run", "--json"],
    ["merge", "--resume", "--actor", "a"],
    ["orchestrate", "--mission", "m", "--impl-agent", "a", "--review-agent", "b", "--max-parallel", "3", "--merge", "--json"],
    ["orchestrate", "--resume"],
    ["orchestrate", "--abort", "--cleanup"],
    ["orchestrate", "--skip", "WP02"],
  ];
  it.each(plain)("accepts the plain form %j with the same meaning", async (...argv) => {
    expect(await compare(argv)).toBe(true);
  });

  const declined: ReadonlyArray<ReadonlyArray<string>> = [
    ["events", "reduce", "collaboration", "s.jsonl", "--mode=permissive"],
    ["events", "reduce", "collaboration", "s.jsonl", "--mode", "lenient"],
    ["events", "reduce", "collaboration"],
    ["events", "reduce", "--help"],
    ["events", "conform", "s.jsonl"],
    ["status", "materialize"],
    ["status", "materialize", "a", "--", "b"],
    ["status", "--mission", "materialize"],
    ["next", "--json", "true", "--mission", "m"],
    ["next", "--mission", "m", "--mission", "m"],
    ["next", "--mission", "answer"],
    ["next", "--agent", "--json"],
    ["next", "answer", "input:x", "v"],
    ["agent", "tasks", "move-task", "WP01", "--to", "claimed"],
    ["agent", "tasks", "mark-status", "--status", "done"],
    ["agent", "tasks", "mark-status", "T001", "--status", "finished"],
    ["agent", "tasks", "add-history", "WP01"],
    ["accept", "--test", "pnpm test"],
    ["accept", "--mode", "eventually"],
    ["agent", "status", "validate"],
    ["agent", "mission", "create"],
    ["agent", "mission", "create", "a", "b"],
    ["agent", "mission", "create", "x", "--mission", "m"],
    ["agent", "mission", "finalize-tasks", "--validate-only", "yes"],
    ["agent", "mission", "finalize-tasks", "WP01"],
    ["implement"],
    ["implement", "WP01", "--base"],
    ["merge", "--strategy", "rebase"],
    ["merge", "WP01"],
    ["orchestrate", "--max-parallel"],
    ["orchestrate", "--status", "true"],
    ["--version"],
    [],
  ];
  it.each(declined)("hands %j to the full parser", async (...argv) => {
    expect(await parseDirect(argv)).toBeUndefined();
  });
});
