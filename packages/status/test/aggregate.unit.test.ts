import { describe, expect, it } from "vitest";
import { matchMissionHandle } from "../src/index.ts";
import { parseRoster, parseTasksSection, subtasksComplete } from "../src/aggregate/roster.ts";
import { formatMicros, parseMicros, stampAfter } from "../src/internal/clock.ts";

describe("matchMissionHandle", () => {
  const candidates = [
    { dir: "042-legacy", missionId: "01M0GGT1HAYJGQRKW38NT66SWA" },
    { dir: "alpha-01KZY1JB", missionId: "01KZY1JBHRNZG2PXBPFHQ66DA3" },
    { dir: "beta-01KZY1JB", missionId: "01KZY1JBXW0000000000000000" },
    { dir: "no-id", missionId: null },
  ];
  it.each([
    ["042-legacy", ["042-legacy"]],
    ["042-legacy-01M0GGT1", ["042-legacy"]],
    ["042-legacy-01KZY1JB", []],
    ["01M0GGT1", ["042-legacy"]],
    ["01KZY1JB", ["alpha-01KZY1JB", "beta-01KZY1JB"]],
    ["01KZY1JBXW0000000000000000", ["beta-01KZY1JB"]],
    ["alpha", ["alpha-01KZY1JB"]],
    ["no-id", ["no-id"]],
    ["42", []],
  ])("%s selects %j", (handle, expected) => {
    expect(matchMissionHandle(handle, candidates)).toEqual(expected);
  });
});

describe("parseRoster", () => {
  it("reads the flow and the block forms of the front matter's subtasks list", () => {
    expect(parseRoster("---\ntitle: x\nsubtasks: [T001, 'T002', \"T003\"]\n---\nbody subtasks: [T9]\n")).toEqual(["T001", "T002", "T003"]);
    expect(parseRoster("---\nsubtasks:\n  - T001\n  - T002 # note\ndependencies: []\n---\n")).toEqual(["T001", "T002"]);
    expect(parseRoster("---\nsubtasks: []\n---\n")).toEqual([]);
    expect(parseRoster("no front matter\nsubtasks: [T1]\n")).toEqual([]);
  });
});

describe("subtasks of a work package in tasks.md", () => {
  const tasks = [
    "# Tasks",
    "## Work Package WP01: First",
    "- [x] T001 one",
    "- [ ] T010 [P] two",
    "```",
    "- [ ] T099 in a fence",
    "```",
    "### Work Package WP02",
    "* [X] T002 three",
    "## Notes",
    "- [ ] T050 not in a section",
    "## Work Package 3 - numbered",
    "- [ ] T003 four",
  ].join("\n");
  it("reads the section's lines, `x` or `X` ticked, not by the id's number", () => {
    expect(parseTasksSection(tasks, "WP01")).toEqual({ ids: ["T001", "T010"], checked: new Set(["T001"]) });
    expect(parseTasksSection(tasks, "WP02")).toEqual({ ids: ["T002"], checked: new Set(["T002"]) });
    expect(parseTasksSection(tasks, "WP03")).toEqual({ ids: ["T003"], checked: new Set() });
    expect(parseTasksSection(tasks, "WP04")).toEqual({ ids: [], checked: new Set() });
  });
  it("completion: the log's slot when there is one, else the checkboxes", () => {
    const roster = { ids: ["T001", "T010"], checked: new Set(["T001", "T010"]) };
    expect(subtasksComplete(roster, undefined)).toBe(true);
    expect(subtasksComplete({ ...roster, checked: new Set(["T001"]) }, undefined)).toBe(false);
    expect(subtasksComplete(roster, { T001: "done" })).toBe(false);
    expect(subtasksComplete(roster, { T001: "done", T010: "done" })).toBe(true);
    expect(subtasksComplete({ ids: [], checked: new Set() }, undefined)).toBe(true);
  });
});

describe("row timestamps", () => {
  it("formats microseconds in the reference's fixed-width UTC form", () => {
    expect(formatMicros(Date.UTC(2026, 5, 3, 12, 5, 54) * 1000 + 581038)).toBe("2026-06-03T12:05:54.581038+00:00");
    expect(parseMicros("2026-06-03T12:05:54.581038+00:00")).toBe(Date.UTC(2026, 5, 3, 12, 5, 54) * 1000 + 581038);
    expect(parseMicros("2026-06-03T14:05:54+02:00")).toBe(Date.UTC(2026, 5, 3, 12, 5, 54) * 1000);
  });

  it("never stamps a row at or before the previous row of its work package", () => {
    expect(stampAfter("2026-06-03T12:00:00.000005+00:00", "2026-06-03T12:00:00.000005+00:00")).toBe("2026-06-03T12:00:00.000006+00:00");
    expect(stampAfter("2026-06-03T11:59:59.999999+00:00", "2026-06-03T12:00:00.999999+00:00")).toBe("2026-06-03T12:00:01.000000+00:00");
    expect(stampAfter("2026-06-03T12:00:01.000000+00:00", "2026-06-03T12:00:00+00:00")).toBe("2026-06-03T12:00:01.000000+00:00");
    expect(stampAfter("2026-06-03T12:00:01.000000+00:00", null)).toBe("2026-06-03T12:00:01.000000+00:00");
  });
});
