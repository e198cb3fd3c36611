import { FastCheck as fc } from "effect";
import { describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { parseFront, setFrontListInText, splitFrontmatter } from "../src/index.ts";

/**
 * Writing `dependencies` into a WP prompt file edits that one entry: the expected file is built by the generator
 * from the same chunks with only the dependencies chunk replaced (or inserted before `history:`, else at the end of
 * the block), and must equal the result byte for byte. Every other key keeps its value, order, quoting and comments.
 */

const key = fc.stringMatching(/^[a-z][a-z_]{0,10}$/).filter((k) => k !== "dependencies" && k !== "history");
const plain = fc.stringMatching(/^[A-Za-z][A-Za-z0-9 ._-]{0,15}[A-Za-z0-9]$/).filter((s) => !/^(true|false|null|yes|no|on|off|y|n)$/i.test(s) && !s.includes(" #"));
const scalarChunk = fc.tuple(key, plain, fc.constantFrom("plain", "single", "double", "comment")).map(([k, v, style]) =>
  style === "single" ? `${k}: '${v}'` : style === "double" ? `${k}: "${v}"` : style === "comment" ? `${k}: ${v}  # note` : `${k}: ${v}`,
);
const listChunk = fc.tuple(key, fc.array(plain, { minLength: 1, maxLength: 3 }), fc.constantFrom("flush", "indented", "flow")).map(([k, vs, style]) =>
  style === "flow" ? `${k}: [${vs.join(", ")}]` : `${k}:\n${vs.map((v) => `${style === "indented" ? "  " : ""}- ${v}`).join("\n")}`,
);
const historyChunk = fc.constantFrom("history:\n- timestamp: '2026-02-07T08:19:25Z'\n  lane: planned\n  agent: system", "history:\n  - {lane: planned}", "history: []");

const wp = fc.stringMatching(/^WP[0-9]{2}$/);
/** The existing dependencies entry, in every shape files have: flow, block (flush or indented), empty, repr string, with a comment. */
const depsChunk = fc.oneof(
  fc.array(wp, { maxLength: 3 }).map((ds) => ({ text: `dependencies: [${ds.join(", ")}]`, comment: "" })),
  fc.array(wp, { minLength: 1, maxLength: 3 }).map((ds) => ({ text: `dependencies:\n${ds.map((d) => `- ${d}`).join("\n")}`, comment: "" })),
  fc.array(wp, { minLength: 1, maxLength: 3 }).map((ds) => ({ text: `dependencies:\n${ds.map((d) => `  - ${d}`).join("\n")}`, comment: "" })),
  fc.constant({ text: "dependencies:", comment: "" }),
  fc.constant({ text: `dependencies: "['WP01']"`, comment: "" }),
  fc.array(wp, { maxLength: 2 }).map((ds) => ({ text: `dependencies: [${ds.join(", ")}]`, comment: "  # from tasks.md" })),
);

const fileArb = fc.record({
  before: fc.array(fc.oneof(scalarChunk, listChunk), { maxLength: 4 }),
  deps: fc.option(depsChunk, { nil: undefined }),
  after: fc.array(fc.oneof(scalarChunk, listChunk), { maxLength: 3 }),
  history: fc.option(historyChunk, { nil: undefined }),
  body: fc.array(fc.oneof(plain, fc.constant(""), fc.constant("---"), fc.constant("dependencies: [WP09]")), { maxLength: 5 }).map((ls) => `# Prompt\n${ls.join("\n")}\n`),
  padding: fc.constantFrom("", "\n", "\n\n"),
  crlf: fc.boolean(),
  newDeps: fc.uniqueArray(wp, { maxLength: 4 }),
});

const uniqueKeys = (chunks: readonly string[]): boolean => {
  const keys = chunks.map((c) => c.split(":")[0]);
  return new Set(keys).size === keys.length;
};

describe("front matter: setting dependencies changes only that entry", () => {
  it("byte for byte, for every shape of the existing entry, with or without history, LF or CRLF", () => {
    fc.assert(
      fc.property(
        fileArb.filter((f) => uniqueKeys([...f.before, ...f.after])),
        (f) => {
          const entry = `dependencies: [${f.newDeps.join(", ")}]`;
          const chunks = (deps: string | undefined, insertNew: boolean): string[] => {
            const out = [...f.before];
            if (deps !== undefined) out.push(deps);
            out.push(...f.after);
            if (insertNew && f.history !== undefined) out.push(entry);
            if (f.history !== undefined) out.push(f.history);
            if (insertNew && f.history === undefined) out.push(entry);
            return out;
          };
          const file = (front: string[]) => {
            const text = `---\n${front.join("\n")}${front.length === 0 ? "" : "\n"}---\n${f.padding}${f.body}`;
            return f.crlf ? text.replace(/\n/g, "\r\n") : text;
          };
          const original = file(chunks(f.deps === undefined ? undefined : f.deps.text + f.deps.comment, false));
          const expected =
            f.deps === undefined ? file(chunks(undefined, true)) : file(chunks(entry + f.deps.comment, false));
          const edited = setFrontListInText(original, "tasks/WP01-x.md", "dependencies", f.newDeps);
          expect(edited).toBe(expected);
          // And it reads back as the list, every other key unchanged.
          const before = parseDocument(splitFrontmatter(original, "x").front).toJS() as Record<string, unknown> | null;
          const after = parseFront(splitFrontmatter(edited, "x")).toJS() as Record<string, unknown>;
          expect(after["dependencies"]).toEqual(f.newDeps);
          expect(Object.keys(after).filter((k) => k !== "dependencies")).toEqual(Object.keys(before ?? {}).filter((k) => k !== "dependencies"));
          for (const k of Object.keys(before ?? {})) if (k !== "dependencies") expect(after[k]).toEqual(before?.[k]);
        },
      ),
      { numRuns: 400, seed: 2026 },
    );
  });

  it("an indented block gets the new entry at the same indentation, before history", () => {
    const text = "---\n  work_package_id: WP02\n  title: B\n  history: []\n---\nbody\n";
    expect(setFrontListInText(text, "x", "dependencies", ["WP01"])).toBe("---\n  work_package_id: WP02\n  title: B\n  dependencies: [WP01]\n  history: []\n---\nbody\n");
    const noHistory = "---\n  work_package_id: WP02\n---\nbody\n";
    expect(setFrontListInText(noHistory, "x", "dependencies", [])).toBe("---\n  work_package_id: WP02\n  dependencies: []\n---\nbody\n");
  });

  it("setting the value a file already has returns the same bytes", () => {
    const text = "---\nwork_package_id: WP02\ntitle: \"Auth\"\ndependencies: [WP01]  # kept\nlane: planned\n---\n\n# body\n";
    expect(setFrontListInText(text, "x", "dependencies", ["WP01"])).toBe(text);
  });
});
