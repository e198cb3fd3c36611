import * as Either from "effect/Either";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readEventLog, serializeRow } from "../src/log/index.ts";
import { missionNames, missionsDir } from "./support/paths.ts";

describe("status log rows re-serialize byte for byte (31 fixture missions)", () => {
  const missions = missionNames();

  it("finds the 31 fixture missions", () => {
    expect(missions).toHaveLength(31);
  });

  it.each(missions)("%s: every transition and annotation line is reproduced", (mission) => {
    const path = join(missionsDir(), mission, "status.events.jsonl");
    const lines = readFileSync(path, "utf8").split("\n");
    const log = Either.getOrThrow(readEventLog(path));
    const nonBlank = lines.filter((l) => l.trim() !== "").length;
    // Every non-blank line is accounted for: decoded as a row, or skipped as a lifecycle/retrospective row.
    expect(log.rows.length + log.skippedLines.length).toBe(nonBlank);
    expect(log.transitions.length + log.annotations.length).toBe(log.rows.length);
    for (const { line, row } of log.rows) expect(serializeRow(row), `line ${line}`).toBe(lines[line - 1]);
  });
});
