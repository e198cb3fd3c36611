import * as Command from "@effect/cli/Command";
import * as Options from "@effect/cli/Options";
import * as Effect from "effect/Effect";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { CliIO, printJson, printLine } from "../io.ts";
import { CLI_VERSION } from "../version.ts";

const json = Options.boolean("json").pipe(Options.withDescription("print one JSON object instead of text"));

interface DoctorReport {
  readonly cli_version: string;
  readonly node_version: string;
  readonly cwd: string;
  readonly git_root: string | null;
  readonly kitty_specs: string | null;
  readonly missions: number;
}

const gitRoot = (cwd: string): string | null => {
  try {
    return execFileSync("git", ["rev-parse", "--show-toplevel"], { cwd, stdio: ["ignore", "pipe", "ignore"] })
      .toString()
      .trim();
  } catch {
    return null;
  }
};

/** `spec-kitty doctor`: what the CLI sees from the working directory (versions, repository, missions). */
export const doctorCommand = Command.make("doctor", { json }, ({ json }) =>
  Effect.gen(function* () {
    const io = yield* CliIO;
    const root = gitRoot(io.cwd);
    const specs = root === null ? null : join(root, "kitty-specs");
    const hasSpecs = specs !== null && existsSync(specs);
    const missions = hasSpecs
      ? readdirSync(specs, { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(join(specs, d.name, "meta.json"))).length
      : 0;
    const report: DoctorReport = {
      cli_version: CLI_VERSION,
      node_version: process.version,
      cwd: io.cwd,
      git_root: root,
      kitty_specs: hasSpecs ? specs : null,
      missions,
    };
    if (json) return yield* printJson(report);
    yield* printLine(`spec-kitty ${report.cli_version} on Node ${report.node_version}`);
    yield* printLine(`working directory: ${report.cwd}`);
    yield* printLine(`git repository:    ${report.git_root ?? "(none: not inside a git work tree)"}`);
    yield* printLine(
      `missions:          ${report.kitty_specs === null ? "(no kitty-specs/ folder)" : `${report.missions} under ${report.kitty_specs}`}`,
    );
  }),
).pipe(Command.withDescription("Show what the CLI sees from here: versions, git repository, missions under kitty-specs/."));
