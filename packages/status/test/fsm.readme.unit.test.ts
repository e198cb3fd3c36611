import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { FSM_TABLE_BEGIN, FSM_TABLE_END, renderFsmMarkdown } from "../src/fsm/index.ts";
import { EXPECTED_EDGES } from "./support/expected-fsm.ts";
import { packageDir } from "./support/paths.ts";

describe("README transition table", () => {
  const readme = readFileSync(join(packageDir(), "README.md"), "utf8");

  it("is the table generated from src/fsm/table.ts (regenerate: node scripts/fsm-readme.ts)", () => {
    const begin = readme.indexOf(FSM_TABLE_BEGIN);
    const end = readme.indexOf(FSM_TABLE_END);
    expect(begin).toBeGreaterThanOrEqual(0);
    expect(end).toBeGreaterThan(begin);
    expect(readme.slice(begin + FSM_TABLE_BEGIN.length + 1, end)).toBe(renderFsmMarkdown());
  });

  it("documents every edge of the FSM", () => {
    const rows = renderFsmMarkdown()
      .split("\n")
      .slice(2)
      .filter((l) => l.startsWith("| ") && !l.includes("(none"))
      .map((l) => l.split("|").map((c) => c.trim()))
      .map((cells) => `${cells[1]}>${cells[2]}`);
    expect(new Set(rows)).toEqual(new Set(EXPECTED_EDGES));
  });
});
