import { FastCheck as fc } from "effect";
import { describe, expect, it } from "vitest";
import { parseFront, parseTasksMd, setFrontListInText, splitFrontmatter, WorkflowError } from "../src/index.ts";

/**
 * Arbitrary text, built from the tokens the grammars care about and from random characters: the tasks.md parser
 * either returns a document whose every line number points into the text, or refuses with its one error; the
 * front matter edit either refuses with a located WorkflowError or yields a file whose dependencies read back.
 */

const TOKENS = [
  "## ", "### ", "# ", "Work Package ", "WP01", "WP02", "WP7", "Depends on ", "Dependencies: ", "**Dependencies**: ", "| Dependencies | ",
  "- [ ] ", "- [x] ", "* [X] ", "T001 ", "T002 ", "[P] ", "```", "~~~", "\n", "\r\n", " ", ":", "**", "|", "-", "None",
];
const chunk = fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...TOKENS) }, { weight: 1, arbitrary: fc.string({ maxLength: 6, unit: "binary" }) });
const text = fc.array(chunk, { maxLength: 80 }).map((parts) => parts.join(""));

describe("tasks.md parser on arbitrary text", () => {
  it("returns in-range line numbers or refuses with TASKS_DUPLICATE_SECTION", () => {
    fc.assert(
      fc.property(text, (t) => {
        const lineCount = t.replace(/\r\n/g, "\n").split("\n").length;
        try {
          const doc = parseTasksMd(t, "tasks.md");
          for (const s of doc.sections) {
            expect(s.wpId).toMatch(/^WP\d{2}$/);
            expect(s.line).toBeGreaterThanOrEqual(1);
            expect(s.endLine).toBeGreaterThanOrEqual(s.line);
            expect(s.endLine).toBeLessThanOrEqual(lineCount);
            for (const st of s.subtasks) expect(st.line).toBeGreaterThan(s.line);
            for (const [dep, line] of Object.entries(s.dependencyLines)) {
              expect(s.dependencies).toContain(dep);
              expect(line).toBeGreaterThan(s.line);
              expect(line).toBeLessThanOrEqual(s.endLine);
            }
          }
        } catch (error) {
          expect(error).toBeInstanceOf(WorkflowError);
          expect((error as WorkflowError).code).toBe("TASKS_DUPLICATE_SECTION");
        }
      }),
      { numRuns: 1500, seed: 99 },
    );
  });
});

const FRONT_TOKENS = ["dependencies", "history", "title", ":", " ", "\n", "- ", "[", "]", ", ", "WP01", "'", '"', "#", "{", "}", "  ", "|", ">", "&a", "*a", "---"];
const front = fc.array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...FRONT_TOKENS) }, { weight: 1, arbitrary: fc.string({ maxLength: 4 }) }), { maxLength: 40 }).map((p) => p.join(""));

describe("front matter edit on arbitrary front matter", () => {
  it("refuses with a located error, or the edited file reads back with the new dependencies", () => {
    fc.assert(
      fc.property(front, fc.uniqueArray(fc.constantFrom("WP01", "WP02", "WP03"), { maxLength: 3 }), (f, deps) => {
        const file = `---\n${f}\n---\nbody\n`;
        let edited: string;
        try {
          parseFront(splitFrontmatter(file, "WP09-x.md"));
          edited = setFrontListInText(file, "WP09-x.md", "dependencies", deps);
        } catch (error) {
          expect(error).toBeInstanceOf(WorkflowError);
          expect((error as WorkflowError).file).toBe("WP09-x.md");
          expect(["FRONTMATTER_INVALID", "FRONTMATTER_UNTERMINATED", "FRONTMATTER_UNEDITABLE"]).toContain((error as WorkflowError).code);
          return;
        }
        const doc = parseFront(splitFrontmatter(edited, "WP09-x.md"));
        expect(doc.toJS()["dependencies"]).toEqual(deps);
        expect(edited.endsWith("body\n")).toBe(true);
      }),
      { numRuns: 1500, seed: 7 },
    );
  });
});
