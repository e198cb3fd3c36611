import { resolve } from "node:path";
import type { Demo } from "../demo.ts";

/** The CLI shell and the repository's architecture check. */
export const foundationSteps = (demo: Demo): void => {
  demo.banner("the CLI");
  demo.exec("git", ["init", "--quiet", "--initial-branch=main"]);
  demo.exec("git", ["config", "user.email", "demo@example.invalid"], { quiet: true });
  demo.exec("git", ["config", "user.name", "spec-kitty demo"], { quiet: true });
  demo.spec(["--version"]);
  const help = demo.spec(["--help"], { quiet: true });
  demo.say(help.stdout.split("\n").filter((line) => line.trim().length > 0).slice(0, 12).join("\n"));
  demo.spec(["doctor"]);
  demo.say("a usage error goes to stderr with a hint, exit code 2:");
  demo.spec(["no-such-command"], { expectStatus: 2 });

  demo.banner("the architecture rules (ADRs in architecture/adr)");
  demo.exec(process.execPath, [resolve(demo.repoRoot, "tooling/arch/src/main.ts")], { cwd: demo.repoRoot });
};
