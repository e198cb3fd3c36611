import { describe, expect, it } from "vitest";
import { COMMAND_NAMES } from "../src/commands/index.ts";
import { HELP_ANSI, HELP_PLAIN, UNKNOWN_COMMAND_ANSI, UNKNOWN_COMMAND_PLAIN } from "../src/generated/help.ts";
import { runMetaFast } from "../src/meta-fast.ts";
import { runCliProcess } from "./cli-process.ts";
import { renderMetaPages, renderWithParser } from "./meta-pages.ts";

/** The pages answered without the parser are the parser's own pages, byte for byte. */

const fast = (argv: ReadonlyArray<string>, isTTY: boolean) => {
  let stdout = "";
  let stderr = "";
  const code = runMetaFast(argv, COMMAND_NAMES, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), isTTY });
  return { stdout, stderr, code };
};

describe("the pages answered before the parser loads", () => {
  it("src/generated/help.ts is what the parser renders now (else run: node apps/cli/tools/render-help.ts)", async () => {
    const pages = await renderMetaPages();
    expect(HELP_PLAIN).toBe(pages.helpPlain);
    expect(HELP_ANSI).toBe(pages.helpAnsi);
    expect(UNKNOWN_COMMAND_PLAIN).toBe(pages.unknownPlain);
    expect(UNKNOWN_COMMAND_ANSI).toBe(pages.unknownAnsi);
    expect(HELP_PLAIN).toContain("USAGE");
    expect(HELP_ANSI).toMatch(/\u001b\[/);
  });

  for (const argv of [["--help"], ["-h"], ["--version"], ["frobnicate"], ["no-such-command"]]) {
    for (const isTTY of [false, true]) {
      it(`${argv.join(" ")} (${isTTY ? "terminal" : "piped"}): same streams and exit code as the full parser`, async () => {
        const parser = await renderWithParser(argv, isTTY);
        expect(fast(argv, isTTY)).toEqual(parser);
      });
    }
  }

  it("declines everything else: commands, options of commands, two words, nothing", () => {
    for (const argv of [[], ["status"], ["doctor", "--help"], ["--help", "status"], ["--json"], ["-x"], ["Status"], ["frobnicate", "now"]]) {
      const r = fast(argv, false);
      expect(r, argv.join(" ")).toEqual({ stdout: "", stderr: "", code: undefined });
    }
    for (const name of COMMAND_NAMES) expect(fast([name], false).code).toBeUndefined();
  });

  it("as a process: the fast answers equal the full parser's (SPEC_KITTY_FULL_PARSER=1)", () => {
    for (const argv of [["--help"], ["--version"], ["frobnicate"]]) {
      const quick = runCliProcess(argv);
      const full = runCliProcess(argv, { env: { SPEC_KITTY_FULL_PARSER: "1" } });
      expect({ status: quick.status, stdout: quick.stdout, stderr: quick.stderr }, argv.join(" ")).toEqual({
        status: full.status,
        stdout: full.stdout,
        stderr: full.stderr,
      });
    }
  });
});
