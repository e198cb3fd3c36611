import { FastCheck as fc } from "effect";
import { describe, expect, it } from "vitest";
import { parseTasksMd, topologicalOrder, type DependencyGraph } from "../src/index.ts";

/**
 * Generated tasks.md documents: a model (sections, subtasks, dependencies in any of the §1.2 formats, headings of
 * every accepted shape, decoy fences and non-WP sections) is rendered to markdown, with the line of everything the
 * renderer wrote; parsing the text must give back exactly the model.
 */

interface SubtaskModel {
  readonly id: string;
  readonly done: "x" | "X" | " ";
  readonly parallel: boolean;
  readonly text: string;
}

type DepFormat = "depends-on" | "dependencies-line" | "bold-dependencies" | "table" | "bullets" | "mixed";
type HeadingStyle = "work-package-colon" | "h3-work-package" | "bare-id" | "bold";

interface SectionModel {
  readonly wp: number;
  readonly title: string;
  readonly heading: HeadingStyle;
  readonly subtasks: readonly SubtaskModel[];
  readonly deps: readonly number[];
  readonly depFormat: DepFormat;
  readonly prose: readonly string[];
  readonly fence: boolean;
  readonly notesAfter: boolean;
}

const wpId = (n: number): string => `WP${String(n).padStart(2, "0")}`;
const word = fc.stringMatching(/^[a-z][a-z0-9]{0,7}$/);
const words = fc.array(word, { minLength: 1, maxLength: 4 }).map((ws) => ws.join(" "));
// Prose that mentions no work package or subtask and is no markdown structure.
const prose = fc.array(words.map((w) => `Some ${w}.`), { maxLength: 2 });

const sectionArb = (wp: number, others: readonly number[]) =>
  fc.record({
    wp: fc.constant(wp),
    title: words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)),
    heading: fc.constantFrom<HeadingStyle>("work-package-colon", "h3-work-package", "bare-id", "bold"),
    subtaskCount: fc.integer({ min: 0, max: 4 }),
    subtaskFlags: fc.array(fc.tuple(fc.constantFrom<"x" | "X" | " ">("x", "X", " "), fc.boolean(), words), { minLength: 4, maxLength: 4 }),
    deps: others.length === 0 ? fc.constant([] as number[]) : fc.uniqueArray(fc.constantFrom(...others), { maxLength: 3 }),
    depFormat: fc.constantFrom<DepFormat>("depends-on", "dependencies-line", "bold-dependencies", "table", "bullets", "mixed"),
    prose,
    fence: fc.boolean(),
    notesAfter: fc.boolean(),
  });

const documentArb = fc
  .uniqueArray(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 8 })
  .chain((ids) => fc.tuple(...ids.map((id) => sectionArb(id, ids.filter((o) => o !== id)))))
  .map((raw) => {
    let next = 1;
    return raw.map(
      (r): SectionModel => ({
        wp: r.wp,
        title: r.title,
        heading: r.heading,
        subtasks: r.subtaskFlags.slice(0, r.subtaskCount).map(([done, parallel, text]) => ({
          id: `T${String(next++).padStart(3, "0")}`,
          done,
          parallel,
          text,
        })),
        deps: r.deps,
        depFormat: r.depFormat,
        prose: r.prose,
        fence: r.fence,
        notesAfter: r.notesAfter,
      }),
    );
  });

interface Rendered {
  readonly text: string;
  readonly expected: ReadonlyArray<{
    wpId: string;
    title: string;
    line: number;
    subtasks: Array<{ id: string; done: boolean; parallel: boolean; text: string; line: number }>;
    dependencies: string[];
    dependencyLines: Record<string, number>;
  }>;
  readonly orphans: ReadonlyArray<{ id: string; line: number }>;
}

const render = (sections: readonly SectionModel[], crlf: boolean): Rendered => {
  const lines: string[] = ["# Work Packages", "", "Intro prose."];
  const expected: Array<Rendered["expected"][number]> = [];
  const orphans: Array<{ id: string; line: number }> = [];
  let orphanNo = 900;
  const push = (l: string): number => {
    lines.push(l);
    return lines.length;
  };
  for (const s of sections) {
    const id = wpId(s.wp);
    const heading =
      s.heading === "work-package-colon"
        ? `## Work Package ${id}: ${s.title} (Priority: P1)`
        : s.heading === "h3-work-package"
          ? `### Work Package ${id} - ${s.title}`
          : s.heading === "bold"
            ? `## **Work Package ${id}: ${s.title}**`
            : `## ${id} ${s.title}`;
    const entry: Rendered["expected"][number] = { wpId: id, title: s.title, line: push(heading), subtasks: [], dependencies: [], dependencyLines: {} };
    expected.push(entry);
    push(`**Prompt**: \`/tasks/${id}-x.md\``);
    for (const p of s.prose) push(p);
    const depIds = s.deps.map(wpId);
    const noteDeps = (ids: readonly string[], line: number): void => {
      for (const d of ids) {
        if (entry.dependencies.includes(d)) continue;
        entry.dependencies.push(d);
        entry.dependencyLines[d] = line;
      }
    };
    if (s.fence) {
      push("```text");
      push(`## Work Package WP99: decoy`);
      push(`Depends on WP98`);
      push(`- [ ] T999 decoy`);
      push("```");
    }
    push("### Included Subtasks");
    for (const t of s.subtasks) {
      const line = push(`- [${t.done}] ${t.id}${t.parallel ? " [P]" : ""} ${t.text}`);
      entry.subtasks.push({ id: t.id, done: t.done !== " ", parallel: t.parallel, text: t.text, line });
    }
    if (depIds.length > 0) {
      switch (s.depFormat) {
        case "depends-on":
          noteDeps(depIds, push(`Depends on ${depIds.join(", ")}.`));
          break;
        case "dependencies-line":
          noteDeps(depIds, push(`Dependencies: ${depIds.join(", ")}`));
          break;
        case "bold-dependencies":
          noteDeps(depIds, push(`**Dependencies**: ${depIds.join(" and ")}`));
          break;
        case "table":
          push("| Field | Value |");
          push("|---|---|");
          noteDeps(depIds, push(`| Dependencies | ${depIds.join(", ")} |`));
          break;
        case "bullets":
          push("### Dependencies");
          for (const d of depIds) noteDeps([d], push(`- ${d}`));
          push("");
          break;
        case "mixed": {
          const [first, ...rest] = depIds;
          noteDeps([first as string], push(`- Depends on ${first}.`));
          if (rest.length > 0) noteDeps(rest, push(`Dependencies: ${[...rest, first].join(", ")}`));
          break;
        }
      }
    } else if (s.depFormat === "dependencies-line") {
      push("Dependencies: None");
    }
    push("");
    if (s.notesAfter) {
      push("## Notes");
      push("Mentions WP01 and T001 in prose.");
      const id = `T${orphanNo++}`;
      orphans.push({ id, line: push(`- [ ] ${id} an orphan`) });
      push("");
    }
  }
  const text = lines.join("\n") + "\n";
  return { text: crlf ? text.replace(/\n/g, "\r\n") : text, expected, orphans };
};

describe("tasks.md: generated documents parse back to their model", () => {
  it("sections, titles, subtasks ([P], x/X), dependencies and every line number", () => {
    fc.assert(
      fc.property(documentArb, fc.boolean(), (sections, crlf) => {
        const r = render(sections, crlf);
        const doc = parseTasksMd(r.text, "tasks.md");
        expect(
          doc.sections.map((s) => ({ wpId: s.wpId, title: s.title, line: s.line, subtasks: s.subtasks, dependencies: s.dependencies, dependencyLines: s.dependencyLines })),
        ).toEqual(r.expected);
        expect(doc.orphanSubtasks.map((t) => ({ id: t.id, line: t.line }))).toEqual(r.orphans);
      }),
      { numRuns: 300, seed: 1312 },
    );
  });

  it("parsing is a function of the text: the same bytes give the same document", () => {
    fc.assert(
      fc.property(documentArb, (sections) => {
        const text = render(sections, false).text;
        expect(parseTasksMd(text, "tasks.md")).toEqual(parseTasksMd(`${text}`, "tasks.md"));
      }),
      { numRuns: 50, seed: 7 },
    );
  });
});

/** An acyclic graph: each id may depend only on ids earlier in a random permutation. */
const dagArb = fc
  .uniqueArray(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 15 })
  .chain((ids) =>
    fc.tuple(fc.constant(ids.map(wpId)), fc.array(fc.array(fc.nat(), { maxLength: 4 }), { minLength: ids.length, maxLength: ids.length })),
  )
  .map(([ids, picks]) => {
    const graph: Record<string, string[]> = {};
    ids.forEach((id, i) => {
      const earlier = ids.slice(0, i);
      graph[id] = earlier.length === 0 ? [] : [...new Set((picks[i] ?? []).map((p) => earlier[p % earlier.length] as string))];
    });
    return graph;
  });

/** The order the rule defines, computed independently: repeatedly the smallest id whose dependencies are all placed. */
const referenceOrder = (graph: DependencyGraph): string[] => {
  const placed: string[] = [];
  const left = new Set(Object.keys(graph));
  while (left.size > 0) {
    const ready = [...left].filter((id) => (graph[id] ?? []).every((d) => placed.includes(d)));
    const next = ready.reduce((a, b) => (b < a ? b : a));
    placed.push(next);
    left.delete(next);
  }
  return placed;
};

describe("dependency order", () => {
  it("is deterministic under any permutation of the work packages and of each dependency list, and follows the rule", () => {
    fc.assert(
      fc.property(dagArb, fc.array(fc.integer(), { minLength: 60, maxLength: 60 }), (graph, keys) => {
        const entries = Object.entries(graph);
        const shuffled = entries
          .map((e, i) => ({ e, k: keys[i % keys.length] ?? 0 }))
          .sort((a, b) => a.k - b.k)
          .map(({ e: [id, ds] }, i) => [id, [...ds].sort((x, y) => ((keys[(i * 7 + x.length) % keys.length] ?? 0) % 2 === 0 ? (x < y ? -1 : 1) : x < y ? 1 : -1))] as const);
        const permuted = Object.fromEntries(shuffled);
        const order = topologicalOrder(graph);
        expect(topologicalOrder(permuted)).toEqual(order);
        expect(order).toEqual(referenceOrder(graph));
        for (const [id, ds] of entries) for (const d of ds) expect(order.indexOf(d)).toBeLessThan(order.indexOf(id));
      }),
      { numRuns: 300, seed: 4242 },
    );
  });
});
