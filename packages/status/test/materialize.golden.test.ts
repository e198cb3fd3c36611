import * as Either from "effect/Either";
import { cpSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { materialize, materializeEither, renderStatus } from "../src/reduce/index.ts";
import { missionNames, missionsDir } from "./support/paths.ts";
import { tempDir } from "./support/tmp.ts";

/** A fixture mission copied to a temp dir without its expected output, so writing is safe. */
const copyMission = (mission: string): string => {
  const dir = join(tempDir(), mission);
  cpSync(join(missionsDir(), mission), dir, { recursive: true, filter: (src) => !src.endsWith("expected.status.json") });
  return dir;
};

describe("materialize: byte parity with the reference on every fixture mission", () => {
  const missions = missionNames();

  it("covers all 31 missions", () => {
    expect(missions).toHaveLength(31);
  });

  it.each(missions)("%s", (mission) => {
    const dir = join(missionsDir(), mission);
    const expected = readFileSync(join(dir, "expected.status.json"), "utf8");
    expect(Either.getOrThrow(renderStatus(dir)).bytes).toBe(expected);
  });
});

describe("materialize: writing", () => {
  const mission = "common-docs-convergence-01KZMTR9";

  it("writes status.json, then leaves an unchanged file alone", () => {
    const dir = copyMission(mission);
    const expected = readFileSync(join(missionsDir(), mission, "expected.status.json"), "utf8");
    const first = materialize(dir);
    expect(first).toMatchObject({ changed: true, written: true, path: join(dir, "status.json") });
    expect(readFileSync(join(dir, "status.json"), "utf8")).toBe(expected);
    const before = statSync(join(dir, "status.json"));
    const second = materialize(dir);
    expect(second).toMatchObject({ changed: false, written: false });
    const after = statSync(join(dir, "status.json"));
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);
  });

  it("rewrites a stale status.json and can write elsewhere or only compare", () => {
    const dir = copyMission(mission);
    writeFileSync(join(dir, "status.json"), "{}\n");
    const dry = Either.getOrThrow(materializeEither(dir, { dryRun: true }));
    expect(dry).toMatchObject({ changed: true, written: false });
    expect(readFileSync(join(dir, "status.json"), "utf8")).toBe("{}\n");
    const out = join(tempDir(), "out", mission, "status.json");
    expect(materialize(dir, { outputPath: out })).toMatchObject({ written: true, path: out });
    expect(readFileSync(out, "utf8")).toBe(dry.bytes);
    expect(readFileSync(join(dir, "status.json"), "utf8")).toBe("{}\n");
  });

  it("fails with the log's line-numbered error and writes nothing", () => {
    const dir = copyMission(mission);
    writeFileSync(join(dir, "status.events.jsonl"), `${readFileSync(join(dir, "status.events.jsonl"), "utf8")}{"kind": "bogus"}\n`);
    const result = materializeEither(dir);
    expect(Either.isLeft(result) && result.left.message).toMatch(/Unknown event kind 'bogus' on line \d+$/);
    expect(() => statSync(join(dir, "status.json"))).toThrow();
  });

  it("fails closed on a corrupt meta.json", () => {
    const dir = copyMission(mission);
    writeFileSync(join(dir, "meta.json"), "{ nope");
    const result = materializeEither(dir);
    expect(Either.isLeft(result) && result.left._tag).toBe("MetaReadError");
    writeFileSync(join(dir, "meta.json"), '{"mission_number": "pending"}');
    const sentinel = materializeEither(dir);
    expect(Either.isLeft(sentinel) && sentinel.left.message).toContain("mission_number must be int or null, got 'pending'");
  });

  it("takes the mission number from meta.json (\"042\" is 42), else from an NNN- slug prefix", () => {
    const dir = copyMission("042-local-mission-dossier-authority-parity-export");
    const meta = JSON.parse(readFileSync(join(dir, "meta.json"), "utf8"));
    writeFileSync(join(dir, "meta.json"), JSON.stringify({ ...meta, mission_number: "042" }));
    expect(JSON.parse(Either.getOrThrow(renderStatus(dir)).bytes).mission_number).toBe("42");
    writeFileSync(join(dir, "meta.json"), JSON.stringify({ ...meta, mission_number: null }));
    expect(JSON.parse(Either.getOrThrow(renderStatus(dir)).bytes).mission_number).toBe("42");
    writeFileSync(join(dir, "meta.json"), JSON.stringify({ ...meta, mission_number: null, mission_type: undefined }));
    expect(JSON.parse(Either.getOrThrow(renderStatus(dir)).bytes).mission_type).toBe("");
  });
});
