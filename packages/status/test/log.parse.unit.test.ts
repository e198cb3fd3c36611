import * as Either from "effect/Either";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseEventLog, readEventLog, serializeRow } from "../src/log/index.ts";
import { tempDir } from "./support/tmp.ts";

const transitionLine =
  '{"actor": "me", "at": "2026-06-01T10:00:00.000000+00:00", "event_id": "01KQ717W2MNATWFNMKGC4MBY5K", "evidence": null, "execution_mode": "worktree", "force": false, "from_lane": "planned", "mission_slug": "m", "policy_metadata": null, "reason": null, "review_ref": null, "to_lane": "claimed", "wp_id": "WP01"}';
const annotationLine =
  '{"actor": "me", "at": "2026-06-01T10:00:01.000000+00:00", "delta": {"note": "hi"}, "event_id": "01KQ717W2MNATWFNMKGC4MBY5M", "kind": "annotation", "wp_id": "WP01"}';

const error = (text: string) => {
  const result = parseEventLog(text, "/m/status.events.jsonl");
  if (Either.isRight(result)) throw new Error("expected a read error");
  return result.left;
};

describe("parseEventLog", () => {
  it("partitions transitions, annotations and skipped lifecycle/retrospective rows, ignoring blank lines", () => {
    const text = [
      '{"event_type": "WPCreated", "event_id": "x", "payload": {}}',
      "",
      transitionLine,
      "   ",
      '{"type": "RetrospectiveCaptured", "event_id": "y"}',
      annotationLine,
      '{"event_name": "retrospective.requested", "at": "t", "payload": {"mode": "auto"}}',
    ].join("\n");
    const log = Either.getOrThrow(parseEventLog(text));
    expect(log.transitions.map((t) => t.to_lane)).toEqual(["claimed"]);
    expect(log.annotations.map((a) => a.delta)).toEqual([{ note: "hi" }]);
    expect(log.rows.map((r) => r.line)).toEqual([3, 6]);
    expect(log.skippedLines).toEqual([1, 5, 7]);
    expect(log.retrospective).toHaveLength(1);
  });

  it("names the line of invalid JSON", () => {
    const e = error([transitionLine, "{not json"].join("\n"));
    expect(e.code).toBe("LOG_INVALID_JSON");
    expect(e.line).toBe(2);
    expect(e.message).toMatch(/^\/m\/status\.events\.jsonl: Invalid JSON on line 2: /);
  });

  it("names the line of a truncated last line (a write cut short)", () => {
    const e = error(`${transitionLine}\n${annotationLine.slice(0, 60)}`);
    expect(e.code).toBe("LOG_INVALID_JSON");
    expect(e.line).toBe(2);
    expect(e.message).toContain("Invalid JSON on line 2");
  });

  it("refuses an unknown kind, naming it and the line", () => {
    const e = error(`\n${transitionLine}\n${annotationLine.replace('"annotation"', '"telemetry"')}`);
    expect(e).toMatchObject({ code: "LOG_UNKNOWN_KIND", line: 3 });
    expect(e.message).toBe("/m/status.events.jsonl: Unknown event kind 'telemetry' on line 3");
  });

  it("refuses a row that is not an object, or a transition missing a required field", () => {
    expect(error("[1, 2]").message).toContain("Invalid event structure on line 1: expected JSON object");
    const missing = error(transitionLine.replace('"force": false, ', ""));
    expect(missing).toMatchObject({ code: "LOG_INVALID_STRUCTURE", line: 1 });
    expect(missing.message).toContain("missing field 'force'");
    const badLane = error(transitionLine.replace('"to_lane": "claimed"', '"to_lane": "doing"'));
    expect(badLane.message).toContain("field 'to_lane': unknown lane doing");
  });

  it("refuses an annotation whose event_id is not a ULID", () => {
    const e = error(annotationLine.replace("01KQ717W2MNATWFNMKGC4MBY5M", "not-a-ulid"));
    expect(e).toMatchObject({ code: "LOG_INVALID_STRUCTURE", line: 1 });
  });

  it("accepts the legacy feature_slug and keeps a four-field actor, coercing any other actor to text", () => {
    const legacy = transitionLine.replace('"mission_slug": "m"', '"feature_slug": "034-legacy"');
    expect(Either.getOrThrow(parseEventLog(legacy)).transitions[0]?.mission_slug).toBe("034-legacy");
    const structured = transitionLine.replace('"actor": "me"', '"actor": {"model": null, "profile": "p", "role": "implementer", "tool": "claude"}');
    expect(Either.getOrThrow(parseEventLog(structured)).transitions[0]?.actor).toEqual({ model: null, profile: "p", role: "implementer", tool: "claude" });
    const odd = transitionLine.replace('"actor": "me"', '"actor": {"id": "x", "n": [1, true, null]}');
    expect(Either.getOrThrow(parseEventLog(odd)).transitions[0]?.actor).toBe("{'id': 'x', 'n': [1, True, None]}");
  });

  // Facts of CPython 3.11: text-mode reading turns "\r\n" and "\r" into "\n"; str.splitlines also breaks at
  // \v, \f, \x1c-\x1e, U+0085, U+2028 and U+2029; str.strip removes \x1c-\x1f and U+0085 but not U+FEFF;
  // json.loads refuses a text starting with U+FEFF.
  it("finds lines where the reference finds them", () => {
    const crlf = Either.getOrThrow(parseEventLog(`${transitionLine}\r\n${annotationLine}\r\n`));
    expect(crlf.rows.map((r) => r.line)).toEqual([1, 2]);
    const cr = Either.getOrThrow(parseEventLog(`${transitionLine}\r${annotationLine}`));
    expect(cr.rows.map((r) => r.line)).toEqual([1, 2]);
    for (const brk of ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]) {
      const e = error(`${transitionLine}${brk}${annotationLine}\n{bad`);
      expect(e).toMatchObject({ code: "LOG_INVALID_JSON", line: 3 });
    }
    // Inside a string value too: the row is cut in two, as the reference cuts it.
    const cut = error(transitionLine.replace('"reason": null', '"reason": "a\u2028b"'));
    expect(cut).toMatchObject({ code: "LOG_INVALID_JSON", line: 1 });
  });

  it("strips what Python's str.strip strips, and refuses a byte-order mark as json.loads does", () => {
    const padded = Either.getOrThrow(parseEventLog(`\x1f\u3000${transitionLine}\x1f\xa0\t`));
    expect(padded.transitions).toHaveLength(1);
    expect(error(`\ufeff${transitionLine}`)).toMatchObject({ code: "LOG_INVALID_JSON", line: 1 });
  });

  it("reads NaN, Infinity and -Infinity as the reference does, and writes them back unchanged", () => {
    const line = transitionLine.replace(
      '"policy_metadata": null',
      '"policy_metadata": {"a": NaN, "b": [Infinity, -Infinity, 1.5, 2], "c": "NaN"}',
    );
    const row = Either.getOrThrow(parseEventLog(line)).transitions[0];
    expect(row && serializeRow(row)).toBe(line);
    expect(error(line.replace("NaN,", "Nan,"))).toMatchObject({ code: "LOG_INVALID_JSON", line: 1 });
  });

  it("keeps review_result absent or null as read, and writes mission_id only when set", () => {
    const withNull = transitionLine.replace('"review_ref": null, ', '"review_ref": null, "review_result": null, ');
    const row = Either.getOrThrow(parseEventLog(withNull)).transitions[0];
    expect(row && serializeRow(row)).toBe(withNull);
    const plain = Either.getOrThrow(parseEventLog(transitionLine)).transitions[0];
    expect(plain && "review_result" in plain).toBe(false);
    expect(plain && serializeRow(plain)).toBe(transitionLine);
  });
});

describe("readEventLog", () => {
  it("reads a missing file as an empty log", () => {
    const log = Either.getOrThrow(readEventLog(join(tempDir(), "status.events.jsonl")));
    expect(log).toMatchObject({ exists: false, transitions: [], annotations: [] });
  });

  it("refuses to follow a symlinked log", () => {
    const dir = tempDir();
    const real = join(dir, "elsewhere.jsonl");
    writeFileSync(real, `${transitionLine}\n`);
    mkdirSync(join(dir, "m"));
    symlinkSync(real, join(dir, "m", "status.events.jsonl"));
    const result = readEventLog(join(dir, "m", "status.events.jsonl"));
    expect(Either.isLeft(result) && result.left.code).toBe("LOG_SYMLINK_REFUSED");
  });

  it("refuses bytes that are not UTF-8 and prefixes errors with the path", () => {
    const dir = tempDir();
    const path = join(dir, "status.events.jsonl");
    writeFileSync(path, Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]));
    const bad = readEventLog(path);
    expect(Either.isLeft(bad) && bad.left.code).toBe("LOG_INVALID_UTF8");
    writeFileSync(path, `${transitionLine}\n{"kind": 3}\n`);
    const unknown = readEventLog(path);
    expect(Either.isLeft(unknown) && unknown.left.message).toBe(`${path}: Unknown event kind 3 on line 2`);
  });
});
