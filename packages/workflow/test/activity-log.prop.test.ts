import { FastCheck as fc } from "effect";
import { describe, expect, it } from "vitest";
import {
  agentProblem,
  appendActivityEntry,
  parseActivityEntry,
  parseActivityLog,
  renderActivityEntry,
  type ActivityEntry,
} from "../src/index.ts";

const word = fc.stringMatching(/^[A-Za-z0-9_.@:\u2013\-]{1,12}$/).filter((w) => !/^[\u2013-]$/.test(w));
const agent = fc.array(word, { minLength: 1, maxLength: 3 }).map((ws) => ws.join(" ")).filter((a) => agentProblem(a) === null);
const note = fc
  .stringMatching(/^[^\r\n]{1,60}$/)
  .map((n) => n.replace(/\s+/g, " ").trim())
  .filter((n) => n !== "" && !/^(shell_pid=|lane=)/.test(n));
const timestamp = fc
  .date({ min: new Date("2000-01-01T00:00:00Z"), max: new Date("2099-12-31T23:59:59Z"), noInvalidDate: true })
  .map((d) => `${d.toISOString().slice(0, 19)}Z`);
const entry: fc.Arbitrary<ActivityEntry> = fc.record({
  timestamp,
  agent,
  shellPid: fc.option(fc.stringMatching(/^\d{1,7}$/), { nil: null }),
  lane: fc.option(fc.constantFrom("planned", "in_progress", "for_review", "done"), { nil: null }),
  note,
});

describe("the Activity Log line grammar", () => {
  it("parse(render(entry)) = entry, with and without shell_pid and lane=", () => {
    fc.assert(
      fc.property(entry, (e) => {
        expect(parseActivityEntry(renderActivityEntry(e))).toEqual(e);
      }),
      { numRuns: 500 },
    );
  });

  it("writes EN DASH separators and reads the reference's own lines", () => {
    const line = renderActivityEntry({ timestamp: "2026-02-07T08:19:25Z", agent: "claude-opus", shellPid: "49920", lane: null, note: "Started" });
    expect(line).toBe("- 2026-02-07T08:19:25Z \u2013 claude-opus \u2013 shell_pid=49920 \u2013 Started");
    expect(parseActivityEntry("- 2026-02-07T08:19:25Z – claude-opus – shell_pid=49920 – lane=doing – Assigned agent via workflow command")).toEqual({
      timestamp: "2026-02-07T08:19:25Z",
      agent: "claude-opus",
      shellPid: "49920",
      lane: "doing",
      note: "Assigned agent via workflow command",
    });
    expect(parseActivityEntry("- 2026-02-07T08:19:25Z - my agent - hyphens too")).toMatchObject({ agent: "my agent", note: "hyphens too", shellPid: null });
    expect(parseActivityEntry("- not an entry")).toBeNull();
  });
});

const bodyLine = fc.oneof(
  fc.stringMatching(/^[^\r\n#`~]{0,30}$/),
  fc.constantFrom("## Notes", "### Sub", "```", "- [ ] T001 x", "", "---"),
);
const document = fc.tuple(
  fc.array(bodyLine, { maxLength: 8 }),
  fc.boolean(),
  fc.array(fc.oneof(entry.map(renderActivityEntry), fc.constantFrom("", "free text")), { maxLength: 4 }),
  fc.array(bodyLine.filter((l) => l !== "```"), { maxLength: 4 }),
  fc.constantFrom("\n", "\r\n"),
  fc.boolean(),
);

describe("inserting an entry", () => {
  it("keeps every other byte: the result is the input with bytes added at one place, and the entry is the section's last", () => {
    fc.assert(
      fc.property(document, entry, ([before, hasSection, existing, after, eol, finalEol], e) => {
        const fenceSafe = before.filter((l) => l === "```").length % 2 === 0 ? before : [...before, "```"];
        const lines = [...fenceSafe, ...(hasSection ? ["## Activity Log", "", ...existing] : []), ...(hasSection ? after.map((l) => (l.startsWith("#") ? `x${l}` : l)) : [])];
        const text = lines.join(eol) + (finalEol ? eol : "");
        const line = renderActivityEntry(e);
        const out = appendActivityEntry(text, line);
        // One contiguous insertion: a common prefix and a common suffix cover the whole input.
        let p = 0;
        while (p < text.length && text[p] === out[p]) p++;
        let s = 0;
        while (s < text.length - p && text[text.length - 1 - s] === out[out.length - 1 - s]) s++;
        expect(p + s).toBe(text.length);
        expect(out.length).toBeGreaterThan(text.length);
        const parsed = parseActivityLog(out);
        expect(parsed.at(-1)).toMatchObject(e);
        expect(out.includes(line)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it("creates the section at the end when there is none, and inserts after the last entry when there is", () => {
    expect(appendActivityEntry("# WP01\n\nBody.\n", "- E")).toBe("# WP01\n\nBody.\n\n## Activity Log\n\n- E\n");
    expect(appendActivityEntry("# WP01", "- E")).toBe("# WP01\n\n## Activity Log\n\n- E\n");
    expect(appendActivityEntry("## Activity Log\n\n- A\n\n## Next\n", "- E")).toBe("## Activity Log\n\n- A\n- E\n\n## Next\n");
    expect(appendActivityEntry("## Activity Log\n", "- E")).toBe("## Activity Log\n\n- E\n");
    expect(appendActivityEntry("## Activity Log\r\n\r\n- A\r\n", "- E")).toBe("## Activity Log\r\n\r\n- A\r\n- E\r\n");
    expect(appendActivityEntry("```\n## Activity Log\n```\n", "- E")).toBe("```\n## Activity Log\n```\n\n## Activity Log\n\n- E\n");
  });
});
