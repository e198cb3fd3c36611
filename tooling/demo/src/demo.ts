import { spawnSync } from "node:child_process";
import { dirname, resolve } from "node:path";

const REPO = resolve(import.meta.dirname, "../../..");

/**
 * The CLI as users run it: the bundle (apps/cli/dist/spec-kitty.mjs, rebuilt first when a source changed), run as an
 * executable from its shebang with this Node first on PATH, as `./dev spec-kitty` and the installed `spec-kitty` do.
 */
export const ensureBundle = (app: "spec-kitty" | "spec-kitty-server"): string => {
  const ensure = spawnSync(process.execPath, [resolve(REPO, "tooling/bootstrap/src/bundle.ts"), "ensure", app], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    timeout: 300_000,
  });
  if (ensure.status !== 0) throw new Error(`building the ${app} bundle failed (see above)`);
  return ensure.stdout.trim();
};
export const CLI = ensureBundle("spec-kitty");
const ENV = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env["PATH"] ?? ""}` };

export interface StepResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

const bold = (text: string): string => (process.stdout.isTTY ? `\u001b[1m${text}\u001b[0m` : text);
const dim = (text: string): string => (process.stdout.isTTY ? `\u001b[2m${text}\u001b[0m` : text);

/** The demo's narrator: runs commands in the throwaway repository and prints them as a user would see them. */
export class Demo {
  readonly root: string;
  /** Wall time spent in spec-kitty processes and in everything else the demo runs (git, the architecture check). */
  readonly spent = { cli: 0, cliRuns: 0, other: 0 };

  constructor(root: string) {
    this.root = root;
  }

  banner(text: string): void {
    process.stdout.write(`\n${bold(`== ${text}`)}\n`);
  }

  say(text: string): void {
    process.stdout.write(`${dim(text)}\n`);
  }

  /** Runs `spec-kitty ARGS` in the demo repository, prints it, and checks its exit code. */
  spec(args: ReadonlyArray<string>, options: { expectStatus?: number; quiet?: boolean } = {}): StepResult {
    return this.run(CLI, args, `spec-kitty ${args.join(" ")}`, options);
  }

  /** Runs any other command (git, the architecture check) in the demo repository. */
  exec(
    command: string,
    args: ReadonlyArray<string>,
    options: { expectStatus?: number; quiet?: boolean; cwd?: string } = {},
  ): StepResult {
    return this.run(command, args, `${command === process.execPath ? "node" : command} ${args.join(" ")}`, options);
  }

  private run(
    command: string,
    args: ReadonlyArray<string>,
    shown: string,
    options: { expectStatus?: number; quiet?: boolean; cwd?: string },
  ): StepResult {
    process.stdout.write(`\n${bold("$")} ${shown}\n`);
    const started = performance.now();
    const result = spawnSync(command, [...args], { cwd: options.cwd ?? this.root, encoding: "utf8", env: ENV, timeout: 120_000 });
    const ms = performance.now() - started;
    if (command === CLI) {
      this.spent.cli += ms;
      this.spent.cliRuns += 1;
    } else this.spent.other += ms;
    const status = result.status ?? -1;
    if (options.quiet !== true) {
      if (result.stdout.length > 0) process.stdout.write(result.stdout.endsWith("\n") ? result.stdout : `${result.stdout}\n`);
      if (result.stderr.length > 0) process.stdout.write(dim(result.stderr.trimEnd()) + "\n");
    }
    const expected = options.expectStatus ?? 0;
    if (status !== expected) {
      throw new Error(`'${shown}' exited ${status}, expected ${expected}\n${result.stderr}`);
    }
    return { status, stdout: result.stdout, stderr: result.stderr };
  }

  get repoRoot(): string {
    return REPO;
  }
}
