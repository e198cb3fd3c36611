import { describe, expect, it } from "vitest";
import { ownerOf, parseTasksMd, WorkflowError } from "../src/index.ts";

/** The tasks.md grammar (reference-workflow §1.2): sections, subtasks, every dependency format, line numbers. */

const parse = (text: string) => parseTasksMd(text, "kitty-specs/m/tasks.md");
const deps = (text: string) => Object.fromEntries(parse(text).sections.map((s) => [s.wpId, s.dependencies]));

describe("tasks.md sections", () => {
  it("opens a section at '## Work Package WPnn: Title (Priority: Pn)', '### Work Package WPnn', '## WPnn …' and '## Work Package N'", () => {
    const doc = parse(
      [
        "# Tasks", //                                   1
        "", //                                          2
        "## Work Package WP01: Setup (Priority: P0)", // 3
        "### Work Package WP02 - Auth", //               4
        "## WP03 Tokens", //                             5
        "## Work Package 4: Numbered", //                6
        "## **Work Package WP05: Bold**", //             7
      ].join("\n"),
    );
    expect(doc.sections.map((s) => [s.wpId, s.title, s.line])).toEqual([
      ["WP01", "Setup", 3],
      ["WP02", "Auth", 4],
      ["WP03", "Tokens", 5],
      ["WP04", "Numbered", 6],
      ["WP05", "Bold", 7],
    ]);
  });

  it("ends a section at the next work package heading or the first other '##' heading; '###' headings stay inside", () => {
    const doc = parse(
      [
        "## Work Package WP01: One", // 1
        "### Included Subtasks", //      2
        "- [ ] T001 first", //           3
        "## Notes", //                   4
        "- [ ] T002 outside", //         5
        "## Work Package WP02: Two", //  6
        "- [ ] T003 second", //          7
        "", //                           8
        "", //                           9
      ].join("\n"),
    );
    const [one, two] = doc.sections;
    expect(one).toMatchObject({ wpId: "WP01", line: 1, endLine: 3 });
    expect(one?.subtasks.map((t) => t.id)).toEqual(["T001"]);
    expect(doc.orphanSubtasks.map((t) => [t.id, t.line])).toEqual([["T002", 5]]);
    expect(two).toMatchObject({ wpId: "WP02", line: 6, endLine: 7 });
  });

  it("ignores headings, subtasks and dependency lines inside ``` and ~~~ fences", () => {
    const doc = parse(
      [
        "## Work Package WP01: One",
        "```markdown",
        "## Work Package WP09: Not a section",
        "- [ ] T099 not a subtask",
        "Depends on WP07",
        "```",
        "~~~",
        "Dependencies: WP08",
        "~~~",
        "- [ ] T001 real",
        "## Work Package WP02: Two",
      ].join("\n"),
    );
    expect(doc.sections.map((s) => s.wpId)).toEqual(["WP01", "WP02"]);
    expect(doc.sections[0]?.subtasks.map((t) => t.id)).toEqual(["T001"]);
    expect(doc.sections[0]?.dependencies).toEqual([]);
  });

  it("refuses a second section for the same work package, naming both lines", () => {
    try {
      parse("## WP01 a\n\n## Work Package WP01: again\n");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(WorkflowError);
      expect((error as WorkflowError).code).toBe("TASKS_DUPLICATE_SECTION");
      expect((error as WorkflowError).line).toBe(3);
      expect((error as WorkflowError).message).toBe("kitty-specs/m/tasks.md:3: a second section for WP01 (the first is on line 1)");
    }
  });

  it("reads the prompt path and keeps CRLF files' line numbers", () => {
    const doc = parse("## Work Package WP01: One\r\n**Prompt**: `/tasks/WP01-one.md`\r\n- [ ] T001 x\r\n");
    expect(doc.sections[0]?.promptPath).toBe("/tasks/WP01-one.md");
    expect(doc.sections[0]?.subtasks[0]?.line).toBe(3);
  });
});

describe("tasks.md subtasks", () => {
  it("reads [ ], [x] and [X], the [P] marker, '*' bullets and the text", () => {
    const doc = parse(
      ["## WP01 One", "- [ ] T001 Plain", "- [x] T002 [P] Parallel done", "* [X] T003 Upper-case done", "  - [ ] T004 [P] Indented"].join("\n"),
    );
    expect(doc.sections[0]?.subtasks).toEqual([
      { id: "T001", done: false, parallel: false, text: "Plain", line: 2 },
      { id: "T002", done: true, parallel: true, text: "Parallel done", line: 3 },
      { id: "T003", done: true, parallel: false, text: "Upper-case done", line: 4 },
      { id: "T004", done: false, parallel: true, text: "Indented", line: 5 },
    ]);
    expect(ownerOf(doc, "t003")?.wpId).toBe("WP01");
    expect(ownerOf(doc, "T999")).toBeUndefined();
  });

  it("does not take '- [ ] something' without a T-number, or a bracket word other than [P], for a parallel subtask", () => {
    const doc = parse(["## WP01 One", "- [ ] write docs", "- [ ] T005 [Q] not parallel"].join("\n"));
    expect(doc.sections[0]?.subtasks).toEqual([{ id: "T005", done: false, parallel: false, text: "[Q] not parallel", line: 3 }]);
  });
});

describe("tasks.md dependencies (every format of §1.2, in declaration order, without repeats)", () => {
  it("'Depends on WP01, WP02' and 'Depends on WP01 and WP02' (any case, with or without a colon or a bullet)", () => {
    expect(deps("## WP03 x\nDepends on WP01, WP02\n")).toEqual({ WP03: ["WP01", "WP02"] });
    expect(deps("## WP03 x\n- depends on: WP02 and WP01.\n")).toEqual({ WP03: ["WP02", "WP01"] });
    expect(deps("## WP03 x\n**Depends on**: WP01\n")).toEqual({ WP03: ["WP01"] });
  });

  it("'Dependencies: …' and '**Dependencies**: …', 'None' meaning none", () => {
    expect(deps("## WP03 x\nDependencies: WP01, WP02\n")).toEqual({ WP03: ["WP01", "WP02"] });
    expect(deps("## WP03 x\n**Dependencies**: WP02\n")).toEqual({ WP03: ["WP02"] });
    expect(deps("## WP03 x\n**Dependencies:** WP01\n")).toEqual({ WP03: ["WP01"] });
    expect(deps("## WP03 x\nDependencies: None\n")).toEqual({ WP03: [] });
  });

  it("a '| Dependencies | … |' table row", () => {
    expect(deps("## WP03 x\n| Field | Value |\n|---|---|\n| Dependencies | WP01, WP02 |\n")).toEqual({ WP03: ["WP01", "WP02"] });
  });

  it("bullets under '### Dependencies' until the list ends", () => {
    const text = ["## WP04 x", "### Dependencies", "- WP01", "- Depends on WP02.", "* WP03", "", "Later prose mentions WP09."].join("\n");
    expect(deps(text)).toEqual({ WP04: ["WP01", "WP02", "WP03"] });
    const doc = parse(text);
    expect(doc.sections[0]?.dependencyLines).toEqual({ WP01: 3, WP02: 4, WP03: 5 });
  });

  it("the same dependency twice is kept once, at its first line; formats combine", () => {
    const doc = parse(["## WP05 x", "Depends on WP02", "Dependencies: WP01, WP02", "### Dependencies", "- WP03", "- WP01"].join("\n"));
    expect(doc.sections[0]?.dependencies).toEqual(["WP02", "WP01", "WP03"]);
    expect(doc.sections[0]?.dependencyLines).toEqual({ WP02: 2, WP01: 3, WP03: 5 });
  });

  it("dependency lines belong to their own section only; prose mentioning a WP is not a dependency", () => {
    expect(deps("## WP01 a\nThis unblocks WP02.\n## WP02 b\nDepends on WP01\n")).toEqual({ WP01: [], WP02: ["WP01"] });
  });
});
