import { FastCheck as fc } from "effect";
import { describe, expect, it } from "vitest";
import { parseTasksSection, subtasksComplete } from "@spec-kitty/status";
import { parseTasksMd } from "../src/index.ts";

/**
 * The status package's guard reads a work package's tasks.md subtasks with its own small reader; mark-status and
 * accept use this package's tasks.md parser. Both must see the same subtasks, ticked the same way, in every
 * document, or the guard and the readers would disagree.
 */
const heading = (n: number) =>
  fc.constantFrom(
    `## Work Package WP${String(n).padStart(2, "0")}: Title`,
    `### Work Package WP${String(n).padStart(2, "0")} - Title (Priority: P1)`,
    `## WP${String(n).padStart(2, "0")} Title`,
    `## Work Package ${n}: Numbered`,
    `## **Work Package WP${String(n).padStart(2, "0")}**: Bold`,
  );
const subtask = fc
  .tuple(fc.integer({ min: 1, max: 60 }), fc.constantFrom(" ", "x", "X"), fc.constantFrom("-", "*", "  -"), fc.boolean())
  .map(([id, box, bullet, parallel]) => `${bullet} [${box}] T${String(id).padStart(3, "0")}${parallel ? " [P]" : ""} do it`);
const filler = fc.constantFrom("", "Some text.", "### Included Subtasks", "### Dependencies", "- Depends on WP01.", "**Prompt**: `/tasks/WP01-x.md`", "#### Deep heading");
const block = fc.oneof(
  { weight: 5, arbitrary: subtask.map((l) => [l]) },
  { weight: 3, arbitrary: filler.map((l) => [l]) },
  { weight: 1, arbitrary: fc.array(subtask, { maxLength: 2 }).map((ls) => ["```", ...ls, "```"]) },
  { weight: 1, arbitrary: fc.constantFrom(["## Notes"], ["# Appendix"]) },
);
const document = fc
  .uniqueArray(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 4 })
  .chain((wps) => fc.tuple(fc.array(block, { maxLength: 3 }), ...wps.map((n) => fc.tuple(fc.constant(n), heading(n), fc.array(block, { maxLength: 6 })))))
  .map(([preamble, ...sections]) => ({
    wps: sections.map(([n]) => `WP${String(n).padStart(2, "0")}`),
    text: ["# Tasks", ...preamble.flat(), ...sections.flatMap(([, h, body]) => [h, ...body.flat()])].join("\n"),
  }));

describe("the guard's tasks.md reader and the workflow's parser agree", () => {
  it("on each work package's subtasks and which are ticked", () => {
    fc.assert(
      fc.property(document, ({ wps, text }) => {
        let doc;
        try {
          doc = parseTasksMd(text, "tasks.md");
        } catch {
          return; // a duplicate section is refused by the workflow parser before anything is read
        }
        for (const wpId of wps) {
          const section = doc.sections.find((s) => s.wpId === wpId);
          const ids = [...new Set((section?.subtasks ?? []).map((t) => t.id))];
          const ticked = new Set((section?.subtasks ?? []).filter((t) => t.done).map((t) => t.id));
          const status = parseTasksSection(text, wpId);
          expect(status.ids, `${wpId} in\n${text}`).toEqual(ids);
          // A repeated id counts as ticked when any of its lines is.
          expect(status.checked, `${wpId} in\n${text}`).toEqual(ticked);
          expect(subtasksComplete(status, undefined)).toBe(ids.every((id) => ticked.has(id)));
        }
      }),
      { numRuns: 300 },
    );
  });
});
