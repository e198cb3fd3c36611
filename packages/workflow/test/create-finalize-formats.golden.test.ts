import { readdirSync, readFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { SHARED_DIR, tempDirs } from "@spec-kitty/test-support";
import { afterAll, describe, expect, it } from "vitest";
import { parseDocument } from "yaml";
import { createMission, finalizeTasks, recordingEmitter } from "../src/index.ts";
import { SEVEN, newRepo, writeTasks } from "./create-finalize-fixture.ts";

/**
 * The files a created and finalized mission holds, next to the Python CLI's own (the fixture missions in
 * ../shared/fixtures/spec-kitty-missions): meta.json keys and value types, the bootstrap rows of the status log,
 * and the WP front matter `dependencies` shape the reference reads.
 */

const temp = tempDirs("sk-wf-formats-");
afterAll(() => temp.cleanup());

const FIXTURES = join(SHARED_DIR, "fixtures", "spec-kitty-missions");
const fixtureDirs = readdirSync(FIXTURES).filter((d) => existsSync(join(FIXTURES, d, "meta.json")));
const typeOf = (v: unknown): string => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

describe("formats shared with the Python CLI", () => {
  it("meta.json: every key written appears in the reference's @HEAD missions with the same type (mission_number: null until merge)", async () => {
    const root = newRepo(temp);
    const created = await createMission({ cwd: root, slug: "formats", emitter: recordingEmitter() });
    const ours = JSON.parse(readFileSync(created.metaFile, "utf8")) as Record<string, unknown>;
    const theirs = fixtureDirs
      .map((d) => JSON.parse(readFileSync(join(FIXTURES, d, "meta.json"), "utf8")) as Record<string, unknown>)
      .filter((m) => typeof m["mission_id"] === "string");
    expect(theirs.length).toBeGreaterThan(10);
    for (const [key, value] of Object.entries(ours)) {
      const types = new Set(theirs.filter((m) => key in m).map((m) => typeOf(m[key])));
      expect(types.size, `key ${key} is not in any reference meta.json`).toBeGreaterThan(0);
      if (key === "mission_number") expect(value).toBeNull();
      else expect([...types], key).toContain(typeOf(value));
    }
    // The reference's own naming: mission_slug = slug = <human slug>-<mid8>, and the directory carries it.
    for (const m of theirs) expect(m["slug"]).toBe(m["mission_slug"]);
    expect(ours["slug"]).toBe(ours["mission_slug"]);
    expect(ours["mission_slug"]).toBe(`formats-${String(ours["mission_id"]).slice(0, 8)}`);
  });

  it("status log: the bootstrap rows carry the reference's fields and values", async () => {
    const root = newRepo(temp);
    const created = await createMission({ cwd: root, slug: "formats", emitter: recordingEmitter() });
    writeTasks(created.missionDir, SEVEN.slice(0, 2));
    await finalizeTasks({ cwd: root, mission: created.missionSlug, emitter: recordingEmitter() });
    const ours = readFileSync(join(created.missionDir, "status.events.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    const reference = fixtureDirs
      .flatMap((d) => (existsSync(join(FIXTURES, d, "status.events.jsonl")) ? readFileSync(join(FIXTURES, d, "status.events.jsonl"), "utf8").split("\n") : []))
      .filter((l) => l.includes('"from_lane": "genesis"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(reference.length).toBeGreaterThan(10);
    const referenceKeys = new Set(reference.flatMap((r) => Object.keys(r)));
    for (const row of ours) {
      for (const key of Object.keys(row)) expect(referenceKeys, key).toContain(key);
      const sample = reference[0] as Record<string, unknown>;
      for (const key of ["actor", "reason", "force", "from_lane", "to_lane", "execution_mode", "evidence", "policy_metadata", "review_ref"]) {
        expect(row[key], key).toEqual(sample[key]);
      }
      expect(row["mission_id"]).toBe(created.missionId);
      expect(row["mission_slug"]).toBe(created.missionSlug);
    }
    // Key order and separators as the reference writes them: sorted keys, ", " and ": ".
    const line = readFileSync(join(created.missionDir, "status.events.jsonl"), "utf8").split("\n")[0] as string;
    expect(line.startsWith('{"actor": "finalize-tasks", "at": "')).toBe(true);
  });

  it("WP front matter: dependencies is a YAML list of WP ids, the other keys as the author wrote them", async () => {
    const root = newRepo(temp);
    const created = await createMission({ cwd: root, slug: "formats", emitter: recordingEmitter() });
    writeTasks(created.missionDir, SEVEN.slice(0, 2));
    await finalizeTasks({ cwd: root, mission: created.missionSlug, emitter: recordingEmitter() });
    const text = readFileSync(join(created.missionDir, "tasks", "WP02-wp.md"), "utf8");
    const front = parseDocument(text.split("\n---\n")[0]?.slice(4) ?? "").toJS() as Record<string, unknown>;
    expect(front).toMatchObject({ work_package_id: "WP02", title: "Storage", dependencies: ["WP01"], lane: "planned" });
    expect(Object.keys(front)).toEqual(["work_package_id", "title", "lane", "subtasks", "dependencies", "history"]);
  });
});
