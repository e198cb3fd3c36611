import * as Either from "effect/Either";
import { readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { appendRows, LogWriteError, readEventLog, serializeRow } from "../src/log/index.ts";
import { annotation, at, transition } from "./support/rows.ts";
import { tempDir } from "./support/tmp.ts";

describe("appendRows", () => {
  it("creates the log, appends in order, and the rows read back as written", () => {
    const dir = tempDir();
    const path = join(dir, "status.events.jsonl");
    const first = transition({ wp_id: "WP01", from_lane: "genesis", to_lane: "planned", at: at(1), mission_id: "01KQ6YEGT4YBZ3GZF7X680KQ3V" });
    const second = annotation("WP01", at(2), { note: "caf\u00e9" });
    const receipt = appendRows(path, [first, second]);
    const text = readFileSync(path, "utf8");
    expect(text).toBe(`${serializeRow(first)}\n${serializeRow(second)}\n`);
    expect(text).toContain('"note": "caf\\u00e9"');
    expect(receipt).toMatchObject({ existed: false, sizeBefore: 0, sizeAfter: Buffer.byteLength(text), eventIds: [first.event_id, second.event_id] });
    const log = Either.getOrThrow(readEventLog(path));
    expect(log.transitions).toEqual([first]);
    expect(log.annotations).toEqual([second]);
  });

  it("keeps the existing bytes, adding the missing final newline before the new rows", () => {
    const dir = tempDir();
    const path = join(dir, "status.events.jsonl");
    const existing = serializeRow(transition({ wp_id: "WP01", from_lane: "genesis", to_lane: "planned", at: at(1) }));
    writeFileSync(path, existing);
    const next = transition({ wp_id: "WP01", from_lane: "planned", to_lane: "claimed", at: at(2) });
    const receipt = appendRows(path, [next]);
    expect(readFileSync(path, "utf8")).toBe(`${existing}\n${serializeRow(next)}\n`);
    expect(receipt.sizeBefore).toBe(Buffer.byteLength(existing));
    expect(readdirSync(dir)).toEqual(["status.events.jsonl"]);
  });

  it("refuses a symlinked log and leaves its target untouched", () => {
    const dir = tempDir();
    const target = join(dir, "target.jsonl");
    writeFileSync(target, "");
    symlinkSync(target, join(dir, "status.events.jsonl"));
    const attempt = () => appendRows(join(dir, "status.events.jsonl"), [transition({ wp_id: "WP01", from_lane: "genesis", to_lane: "planned", at: at(1) })]);
    expect(attempt).toThrow(LogWriteError);
    try {
      attempt();
    } catch (e) {
      expect((e as LogWriteError).code).toBe("LOG_SYMLINK_REFUSED");
    }
    expect(readFileSync(target, "utf8")).toBe("");
  });

  it("fails cleanly when the directory does not exist, creating nothing", () => {
    const dir = tempDir();
    const path = join(dir, "missing", "status.events.jsonl");
    let caught: unknown;
    try {
      appendRows(path, [transition({ wp_id: "WP01", from_lane: "genesis", to_lane: "planned", at: at(1) })]);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(LogWriteError);
    expect((caught as LogWriteError).code).toBe("LOG_WRITE_FAILED");
    expect(readdirSync(dir)).toEqual([]);
  });

  it("verifies the read-back and restores the previous bytes when the tail does not decode", () => {
    const dir = tempDir();
    const path = join(dir, "status.events.jsonl");
    const existing = `${serializeRow(transition({ wp_id: "WP01", from_lane: "genesis", to_lane: "planned", at: at(1) }))}\n`;
    writeFileSync(path, existing);
    // A row whose lane the reader refuses cannot be verified; nothing of it may stay in the log.
    const broken = { ...transition({ wp_id: "WP01", from_lane: "planned", to_lane: "claimed", at: at(2) }), to_lane: "nowhere" } as never;
    let caught: unknown;
    try {
      appendRows(path, [broken]);
    } catch (e) {
      caught = e;
    }
    expect((caught as LogWriteError).code).toBe("STATUS_EVENT_PERSISTENCE_VERIFICATION_FAILED");
    expect((caught as LogWriteError).violatedInvariant).toBe("STA-002");
    expect(readFileSync(path, "utf8")).toBe(existing);
    expect(readdirSync(dir)).toEqual(["status.events.jsonl"]);
  });
});
