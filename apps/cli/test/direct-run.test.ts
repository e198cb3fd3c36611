import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { git, initGitRepo, SHARED_DIR, tempDirs, writeMission } from "@spec-kitty/test-support";
import * as Effect from "effect/Effect";
import * as Layer from "effect/Layer";
import { afterAll, describe, expect, it } from "vitest";
import { runDirect } from "../src/direct/index.ts";
import { CliIO } from "../src/io.ts";
import { runCli } from "../src/main.ts";

/**
 * The direct path runs the same handlers and reports failures the same way as the full parser: for each command
 * line below, both paths (in-process, same working directory) must print the same stdout and stderr and return
 * the same exit code. Every line here is one the direct path accepts.
 */

const SHARED = SHARED_DIR;
const temps = tempDirs("sk-direct-");
afterAll(temps.cleanup);

interface Outcome {
  readonly code: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

const capture = (cwd: string) => {
  const out: Array<string> = [];
  const err: Array<string> = [];
  const layer = Layer.succeed(CliIO, { stdout: (t) => void out.push(t), stderr: (t) => void err.push(t), cwd, isTTY: false });
  return { layer, result: (code: number | undefined): Outcome => ({ code, stdout: out.join(""), stderr: err.join("") }) };
};

const viaDirect = async (argv: ReadonlyArray<string>, cwd: string): Promise<Outcome> => {
  const io = capture(cwd);
  return io.result(await runDirect(argv, io.layer));
};

const viaFullParser = async (argv: ReadonlyArray<string>, cwd: string): Promise<Outcome> => {
  const io = capture(cwd);
  return io.result(await Effect.runPromise(runCli(argv).pipe(Effect.provide(io.layer))));
};


/** A work directory with a small collaboration stream, a roster and a committed mission of three planned WPs. */
const makeWorkspace = (): string => {
  const root = temps.make();
  const bench = join(SHARED, "golden/bench");
  const lines = readFileSync(join(bench, "collaboration-10k.events.jsonl"), "utf8").split("\n").slice(0, 200);
  writeFileSync(join(root, "stream.jsonl"), `${lines.join("\n")}\n`);
  writeFileSync(join(root, "broken.jsonl"), `${lines[0]}\n{"event_id": \n`);
  writeFileSync(join(root, "roster.json"), readFileSync(join(bench, "collaboration-10k.roster.json")));
  const slug = "001-direct";
  const id = "01KTDIRECT0000000000000000";
  writeMission(root, { dir: slug, meta: { mission_id: id, mission_slug: slug, slug, mission_type: "software-dev", target_branch: "main" }, wps: ["WP01", "WP02", "WP03"] });
  initGitRepo(root, { who: "Direct" });
  return root;
};

const workspace = makeWorkspace();
const missions = join(SHARED, "fixtures/spec-kitty-missions");
const fixtureMission = join(missions, "047-mutmut-mutation-testing-ci");

const LINES: ReadonlyArray<ReadonlyArray<string>> = [
  ["events", "reduce", "collaboration", "stream.jsonl", "--mode", "permissive", "--roster", "roster.json"],
  ["events", "reduce", "collaboration", "stream.jsonl"],
  ["events", "reduce", "status", "stream.jsonl", "--mode", "strict"],
  ["events", "reduce", "lifecycle", "missing.jsonl"],
  ["events", "reduce", "collaboration", "broken.jsonl"],
  ["events", "reduce", "collaboration", "stream.jsonl", "--roster", "stream.jsonl"],
  ["status", "materialize", "--stdout", fixtureMission],
  ["status", "materialize", "--stdout", fixtureMission, fixtureMission],
  ["status", "materialize", "--stdout", "--output-root", "out", fixtureMission],
  ["status", "materialize", "stream.jsonl"],
  ["status"],
  ["status", "--json", "--mission", "001-direct"],
  ["status", "--mission", "nope"],
  ["agent", "tasks", "move-task", "WP01", "--to", "done", "--mission", "001-direct", "--actor", "direct"],
  ["agent", "tasks", "move-task", "WP01", "--to", "done", "--mission", "001-direct", "--actor", "direct", "--json"],
  ["agent", "tasks", "move-task", "WP01", "--to", "nowhere", "--mission", "001-direct", "--actor", "direct"],
  ["agent", "tasks", "move-task", "WP09", "--to", "claimed", "--mission", "001-direct", "--actor", "direct"],
  ["agent", "tasks", "move-task", "WP01", "--to", "claimed", "--mission", "001-direct", "--actor", " "],
  ["agent", "tasks", "move-task", "WP01", "--to", "for_review", "--mission", "001-direct", "--actor", "direct", "--evidence", "roster.json"],
  ["agent", "mission", "create", "Bad_Slug"],
  ["agent", "mission", "create", "Bad_Slug", "--json"],
  ["agent", "feature", "create-feature", "x", "--friendly-name", " "],
  ["agent", "mission", "finalize-tasks", "--mission", "001-direct", "--validate-only", "--json"],
  ["agent", "feature", "finalize-tasks", "--mission", "001-direct"],
  ["agent", "mission", "finalize-tasks", "--mission", "nope", "--json"],
  ["next"],
  ["next", "--mission", "nope", "--json"],
  ["next", "--mission", "001-direct", "--agent", " "],
];

describe("the direct path and the full parser give the same result", () => {
  it.each(LINES)("%j", async (...argv) => {
    const before = git(workspace, "status", "--porcelain");
    const direct = await viaDirect(argv, workspace);
    expect(direct.code, "the direct path must handle this line").not.toBeUndefined();
    const full = await viaFullParser(argv, workspace);
    expect(direct).toEqual(full);
    // None of these lines changes the repository (refused transitions, reads, --stdout).
    expect(git(workspace, "status", "--porcelain")).toBe(before);
  });
});
