import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  actorIdentity,
  answerDecision,
  getOrStartRun,
  indexPath,
  type MissionRunRef,
  nextStep,
  readRun,
  runStore,
  startRun,
} from "../src/index.ts";
import { CUSTOM_TEMPLATE, loadTemplate, readJson, tempDir, testPorts, writeText } from "./support.ts";

const MID = "01KT6HVH3QND4Q3KCGH2419N4J";
const SLUG = "demo-01KT6HVH";
const AUDIT_LAST = "mission: {key: k, name: K, version: '1'}\nsteps:\n  - id: s\n    title: S\n    requires_inputs: [topic]\naudit_steps:\n  - id: gate\n    title: Gate\n    depends_on: [s]\n    audit: {trigger_mode: manual, enforcement: blocking}\n";

let repo = "";
let cleanup = () => undefined as void;
beforeEach(() => {
  ({ dir: repo, cleanup } = tempDir());
});
afterEach(() => cleanup());

const ports = testPorts();
const owner = actorIdentity("olga", "human");
const startHere = (text = CUSTOM_TEMPLATE, inputs: Record<string, unknown> = {}): MissionRunRef =>
  startRun(
    { template: loadTemplate(writeText(join(repo, "t", "k", "mission.yaml"), text)), runStore: runStore(repo), inputs, missionId: MID, missionSlug: SLUG },
    ports,
  );
const identityOnDisk = (ref: MissionRunRef) => {
  const s = readJson(join(ref.run_dir, "state.json"));
  return [s["mission_id"], s["mission_slug"]];
};

/** Each path that writes state.json, driven to the write; afterwards the identity must still be on disk. */
const paths: ReadonlyArray<[string, () => MissionRunRef]> = [
  ["start", () => startHere()],
  ["next: request an input decision", () => {
    const ref = startHere();
    expect(nextStep(ref, { agentId: "a" }, ports).kind).toBe("decision_required");
    return ref;
  }],
  ["next: issue a step", () => {
    const ref = startHere(CUSTOM_TEMPLATE, { mission_owner_id: "olga" });
    expect(nextStep(ref, { agentId: "a" }, ports).kind).toBe("step");
    return ref;
  }],
  ["next: record a success", () => {
    const ref = startHere(CUSTOM_TEMPLATE, { mission_owner_id: "olga" });
    nextStep(ref, { agentId: "a" }, ports);
    nextStep(ref, { agentId: "a", result: "success" }, ports);
    expect(readRun(ref).completed_steps).toEqual(["setup"]);
    return ref;
  }],
  ["next: record a failure", () => {
    const ref = startHere(CUSTOM_TEMPLATE, { mission_owner_id: "olga" });
    nextStep(ref, { agentId: "a" }, ports);
    expect(nextStep(ref, { agentId: "a", result: "failed" }, ports).kind).toBe("blocked");
    return ref;
  }],
  ["answer: input decision", () => {
    const ref = startHere(AUDIT_LAST, { mission_owner_id: "olga" });
    nextStep(ref, { agentId: "a" }, ports);
    answerDecision(ref, { decisionId: "input:topic", answer: "t", actor: owner }, ports);
    expect(readRun(ref).inputs["topic"]).toBe("t");
    return ref;
  }],
  ["answer: audit approve (run completes)", () => {
    const ref = startHere(AUDIT_LAST, { mission_owner_id: "olga", topic: "t" });
    nextStep(ref, { agentId: "a" }, ports);
    nextStep(ref, { agentId: "a", result: "success" }, ports);
    answerDecision(ref, { decisionId: "audit:gate", answer: "approve", actor: owner }, ports);
    expect(readRun(ref).completed_steps).toEqual(["s", "gate"]);
    return ref;
  }],
  ["answer: audit reject", () => {
    const ref = startHere(AUDIT_LAST, { mission_owner_id: "olga", topic: "t" });
    nextStep(ref, { agentId: "a" }, ports);
    nextStep(ref, { agentId: "a", result: "success" }, ports);
    answerDecision(ref, { decisionId: "audit:gate", answer: "reject", actor: owner }, ports);
    expect(readRun(ref).blocked_reason).toBe("Audit step 'gate' rejected by olga");
    return ref;
  }],
];

describe("mission_id and mission_slug survive every snapshot write", () => {
  it.each(paths)("%s", (_name, drive) => {
    const ref = drive();
    expect(identityOnDisk(ref)).toEqual([MID, SLUG]);
    expect([ref.mission_id, ref.mission_slug]).toEqual([MID, SLUG]);
  });
});

describe("feature-runs index", () => {
  const mission = { slug: SLUG, id: MID, type: "custom" };

  it("get-or-start writes the identity into the index entry and the new run's state", () => {
    const r = getOrStartRun(repo, mission, () => startHere());
    expect(r.started).toBe(true);
    expect(readJson(indexPath(repo))).toEqual({
      [SLUG]: { run_id: r.ref.run_id, run_dir: r.ref.run_dir, mission_type: "custom", mission_key: "custom", mission_id: MID, mission_slug: SLUG },
    });
    expect(identityOnDisk(r.ref)).toEqual([MID, SLUG]);
    const again = getOrStartRun(repo, mission, () => {
      throw new Error("must reuse the indexed run");
    });
    expect([again.started, again.ref.run_id]).toEqual([false, r.ref.run_id]);
  });

  it("back-fills a run written without identity (as the reference's bridge does) when it is reused", () => {
    const first = getOrStartRun(repo, mission, () => startHere());
    const file = join(first.ref.run_dir, "state.json");
    const legacy = readJson(file);
    legacy["mission_id"] = null;
    legacy["mission_slug"] = null;
    writeFileSync(file, JSON.stringify(legacy, null, 2));
    const index = readJson(indexPath(repo));
    delete (index[SLUG] as Record<string, unknown>)["mission_id"];
    writeFileSync(indexPath(repo), JSON.stringify(index));
    const reused = getOrStartRun(repo, mission, () => {
      throw new Error("must reuse the indexed run");
    });
    expect(identityOnDisk(reused.ref)).toEqual([MID, SLUG]);
    expect((readJson(indexPath(repo))[SLUG] as Record<string, unknown>)["mission_id"]).toBe(MID);
  });

  it("starts a new run when the indexed run folder is gone", () => {
    const first = getOrStartRun(repo, mission, () => startHere());
    rmSync(first.ref.run_dir, { recursive: true });
    const second = getOrStartRun(repo, mission, () => startHere());
    expect(second.started).toBe(true);
    expect(second.ref.run_id).not.toBe(first.ref.run_id);
    expect((readJson(indexPath(repo))[SLUG] as Record<string, unknown>)["run_id"]).toBe(second.ref.run_id);
    expect(identityOnDisk(second.ref)).toEqual([MID, SLUG]);
  });

  it("treats an unreadable index as empty", () => {
    writeText(indexPath(repo), "{not json");
    expect(getOrStartRun(repo, mission, () => startHere()).started).toBe(true);
  });
});
