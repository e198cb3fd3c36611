import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT, runCliProcess } from "./cli-process.ts";

const GOLDEN = resolve(REPO_ROOT, "../shared/golden");
const FIXTURES = resolve(REPO_ROOT, "../shared/fixtures/spec-kitty-events");
const dir = mkdtempSync(join(tmpdir(), "sk-events-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let counter = 0;
const write = (name: string, text: string): string => {
  const file = join(dir, `${counter++}-${name}`);
  writeFileSync(file, text);
  return file;
};
const jsonl = (values: ReadonlyArray<unknown>): string => values.map((v) => JSON.stringify(v)).join("\n") + "\n";

interface GoldenCase {
  readonly args: { readonly mode?: "strict" | "permissive"; readonly roster?: unknown };
  readonly events: ReadonlyArray<unknown>;
  readonly expected: Record<string, unknown>;
}
const golden = (family: string, name: string): GoldenCase =>
  JSON.parse(readFileSync(join(GOLDEN, family, name), "utf8")) as GoldenCase;

/** Set-valued collaboration fields are compared sorted (parity rule 1). */
const normalise = (state: Record<string, unknown>): Record<string, unknown> => {
  if (!("active_drivers" in state)) return state;
  const byFocus = state["participants_by_focus"] as Record<string, Array<string>>;
  return {
    ...state,
    active_drivers: [...(state["active_drivers"] as Array<string>)].sort(),
    participants_by_focus: Object.fromEntries(Object.entries(byFocus).map(([k, v]) => [k, [...v].sort()])),
  };
};

const PAYLOAD_FAILED = "payload validation failed:";

/**
 * Parity rule 3 on anomaly reasons: `Lane.X` / `MissionStatus.X` on the expected side stand for their values,
 * and a reason starting "payload validation failed:" is compared on that prefix only (both sides).
 */
const normaliseReasons = (u: unknown, expectedSide: boolean): unknown => {
  if (Array.isArray(u)) return u.map((x) => normaliseReasons(x, expectedSide));
  if (typeof u !== "object" || u === null) return u;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(u)) {
    if (k === "reason" && typeof v === "string") {
      const r = expectedSide ? v.replace(/\b(?:Lane|MissionStatus)\.([A-Z_]+)\b/g, (_m, name: string) => name.toLowerCase()) : v;
      out[k] = r.startsWith(PAYLOAD_FAILED) ? PAYLOAD_FAILED : r;
    } else out[k] = normaliseReasons(v, expectedSide);
  }
  return out;
};

/** Runs `events reduce` on a golden case written to a temp dir. */
const reduceGolden = (family: string, c: GoldenCase) => {
  const args = ["events", "reduce", family, write(`${family}.jsonl`, jsonl(c.events))];
  if (c.args.mode !== undefined) args.push("--mode", c.args.mode);
  if (c.args.roster !== undefined && c.args.roster !== null) args.push("--roster", write("roster.json", JSON.stringify(c.args.roster)));
  return runCliProcess(args);
};

const firstCase = (family: string, pick: (c: GoldenCase) => boolean): GoldenCase => {
  for (const name of readdirSync(join(GOLDEN, family)).sort()) {
    const c = golden(family, name);
    if (pick(c)) return c;
  }
  throw new Error(`no ${family} golden case matches`);
};

describe("spec-kitty events reduce", () => {
  it("collaboration (permissive, seeded roster): stdout is the reference state, exit 0, stderr empty", () => {
    const c = firstCase("collaboration", (x) => x.args.mode === "permissive" && x.args.roster !== null && !("error" in x.expected));
    const run = reduceGolden("collaboration", c);
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    expect(run.stdout.endsWith("}\n")).toBe(true);
    expect(normalise(JSON.parse(run.stdout) as Record<string, unknown>)).toEqual(normalise(c.expected));
  });

  it("collaboration strict-mode failure: the error JSON on stdout, exit 1, the message on stderr", () => {
    const c = firstCase("collaboration", (x) => "error" in x.expected);
    const run = reduceGolden("collaboration", c);
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual(c.expected);
    const error = c.expected["error"] as { type: string; message: string };
    expect(run.stderr).toContain(error.message);
  });

  it("status and lifecycle: stdout is the reference state", () => {
    for (const family of ["status", "lifecycle"]) {
      const c = firstCase(family, (x) => x.events.length > 3);
      const run = reduceGolden(family, c);
      expect(run.stderr).toBe("");
      expect(run.status).toBe(0);
      expect(normaliseReasons(JSON.parse(run.stdout), false)).toEqual(normaliseReasons(c.expected, true));
    }
  });

  it("the 10k benchmark stream reduces (permissive, roster) to the reference state", () => {
    const run = runCliProcess([
      "events",
      "reduce",
      "collaboration",
      join(GOLDEN, "bench", "collaboration-10k.events.jsonl"),
      "--mode",
      "permissive",
      "--roster",
      join(GOLDEN, "bench", "collaboration-10k.roster.json"),
    ]);
    expect(run.status).toBe(0);
    const expected = JSON.parse(readFileSync(join(GOLDEN, "bench", "collaboration-10k.expected-permissive.json"), "utf8"));
    expect(normalise(JSON.parse(run.stdout) as Record<string, unknown>)).toEqual(normalise(expected as Record<string, unknown>));
  });

  it("a malformed line is an input error naming file and line (exit 2), nothing on stdout", () => {
    const c = golden("status", "case-00000.json");
    const lines = jsonl(c.events).split("\n");
    lines.splice(2, 0, '{"event_id": "01J', "");
    const file = write("broken.jsonl", lines.join("\n"));
    const run = runCliProcess(["events", "reduce", "status", file]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(`${file}:3: not valid JSON`);
  });

  it("a line that is not a valid envelope is an input error naming file, line and field", () => {
    const c = golden("lifecycle", "case-00000.json");
    const events = c.events.map((e, i) => (i === 1 ? { ...(e as object), lamport_clock: -4 } : e));
    const file = write("bad-envelope.jsonl", jsonl(events));
    const run = runCliProcess(["events", "reduce", "lifecycle", file]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(`${file}:2: not a valid event envelope (lamport_clock:`);
  });

  it("an unreadable file or roster is an input error naming it (exit 2)", () => {
    const missing = join(dir, "does-not-exist.jsonl");
    const run = runCliProcess(["events", "reduce", "collaboration", missing]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`${missing}: cannot read the file`);
    const events = write("ok.jsonl", jsonl(golden("collaboration", "case-00000.json").events));
    const badRoster = write("roster.json", '{"p1": {"participant_type": "robot"}}');
    const run2 = runCliProcess(["events", "reduce", "collaboration", events, "--roster", badRoster]);
    expect(run2.status).toBe(2);
    expect(run2.stdout).toBe("");
    expect(run2.stderr).toContain(`${badRoster}: not a valid roster`);
  });

  it("an unknown family or mode is a usage error (exit 2)", () => {
    const file = write("empty.jsonl", "");
    expect(runCliProcess(["events", "reduce", "sync", file]).status).toBe(2);
    expect(runCliProcess(["events", "reduce", "collaboration", file, "--mode", "lenient"]).status).toBe(2);
  });

  it("an empty stream reduces to the empty state", () => {
    const run = runCliProcess(["events", "reduce", "status", write("empty.jsonl", "\n")]);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ wp_states: {}, anomalies: [], event_count: 0, last_processed_event_id: null });
  });
});

describe("spec-kitty events conform", () => {
  const drive = { participant_id: "p1", mission_id: "M1", intent: "active" };

  it("prints one verdict per line, in order, with the physical line number; exit 0", () => {
    const file = write(
      "conform.jsonl",
      [
        JSON.stringify({ event_type: "DriveIntentSet", payload: drive, note: "ignored" }),
        "",
        JSON.stringify({ event_type: "DriveIntentSet", payload: { ...drive, intent: "maybe" } }),
        JSON.stringify({ event_type: "FeatureCreated", payload: {} }),
      ].join("\n") + "\n",
    );
    const run = runCliProcess(["events", "conform", file]);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe("");
    const out = run.stdout.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out.map((o) => [o["line"], o["event_type"], o["valid"]])).toEqual([
      [1, "DriveIntentSet", true],
      [3, "DriveIntentSet", false],
      [4, "FeatureCreated", false],
    ]);
    expect(out[0]?.["violations"]).toEqual([]);
    const v = (out[1]?.["violations"] as Array<Record<string, unknown>>)[0];
    expect(v).toEqual(expect.objectContaining({ code: "PAYLOAD_SCHEMA_FAIL", path: ["intent"] }));
    expect(Object.keys(v ?? {}).sort()).toEqual(["code", "message", "path"]);
  });

  it("judges the reference's validation golden lines exactly", () => {
    const source = join(GOLDEN, "validation", "shards-0-1.jsonl");
    const expected = readFileSync(source, "utf8").trimEnd().split("\n").map((l) => (JSON.parse(l) as { valid: boolean }).valid);
    const run = runCliProcess(["events", "conform", source]);
    expect(run.status).toBe(0);
    const verdicts = run.stdout.trimEnd().split("\n").map((l) => (JSON.parse(l) as { valid: boolean }).valid);
    expect(verdicts).toEqual(expected);
  });

  it("a line that is not JSON: exit 2, file and line on stderr, nothing on stdout", () => {
    const file = write("conform-bad.jsonl", `${JSON.stringify({ event_type: "DriveIntentSet", payload: drive })}\nnot json\n`);
    const run = runCliProcess(["events", "conform", file]);
    expect(run.status).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain(`${file}:2: not valid JSON`);
  });
});

describe("spec-kitty events validate", () => {
  it("a valid envelope: human line on stdout, exit 0", () => {
    const file = join(FIXTURES, "events", "valid", "event.json");
    const run = runCliProcess(["events", "validate", file, "--event-type", "Event"]);
    expect(run.status).toBe(0);
    expect(run.stderr).toBe("");
    expect(run.stdout).toBe(`valid: ${file} as Event\n`);
  });

  it("an invalid payload: violations on stdout (text or --json), exit 1", () => {
    const file = join(FIXTURES, "events", "invalid", "wp_created_missing_title.json");
    const text = runCliProcess(["events", "validate", file, "--event-type", "WPCreated"]);
    expect(text.status).toBe(1);
    expect(text.stdout.split("\n")[0]).toBe(`invalid: ${file} as WPCreated`);
    expect(text.stdout).toContain("wp_title");
    expect(text.stderr).toContain("not a valid WPCreated");
    const json = runCliProcess(["events", "validate", file, "--event-type", "WPCreated", "--json"]);
    expect(json.status).toBe(1);
    const doc = JSON.parse(json.stdout) as { valid: boolean; event_type: string; violations: Array<{ path: Array<string> }> };
    expect(doc.valid).toBe(false);
    expect(doc.event_type).toBe("WPCreated");
    expect(doc.violations.some((v) => v.path.includes("wp_title"))).toBe(true);
  });

  it("an envelope carrying a forbidden legacy key is rejected by the cutover gate", () => {
    const file = join(FIXTURES, "events", "invalid", "event_forbidden_legacy_key.json");
    const run = runCliProcess(["events", "validate", file, "--event-type", "Event", "--json"]);
    expect(run.status).toBe(1);
    const doc = JSON.parse(run.stdout) as { violations: Array<{ code: string }> };
    expect(doc.violations.map((v) => v.code)).toContain("FORBIDDEN_KEY");
  });

  it("an unknown event type or unreadable JSON is a usage/input error (exit 2)", () => {
    const file = join(FIXTURES, "events", "valid", "event.json");
    const unknown = runCliProcess(["events", "validate", file, "--event-type", "FeatureCompleted"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain("unknown event type 'FeatureCompleted'");
    const broken = write("broken.json", "{");
    const bad = runCliProcess(["events", "validate", broken, "--event-type", "Event"]);
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe("");
    expect(bad.stderr).toContain(`${broken}: not valid JSON`);
  });
});
