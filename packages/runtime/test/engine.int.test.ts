import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  actorIdentity,
  answerDecision,
  type MissionRunRef,
  MissionRuntimeError,
  nextStep,
  readRun,
  sha256Hex,
  startRun,
} from "../src/index.ts";
import { CUSTOM_TEMPLATE, loadTemplate, readJson, readLog, tempDir, testPorts, writeText } from "./support.ts";

let dir = "";
let cleanup = () => undefined as void;
beforeEach(() => {
  ({ dir, cleanup } = tempDir());
});
afterEach(() => cleanup());

const start = (text = CUSTOM_TEMPLATE, inputs: Record<string, unknown> = {}, ports = testPorts()) => {
  const file = writeText(join(dir, "missions", "custom", "mission.yaml"), text);
  const ref = startRun({ template: loadTemplate(file), runStore: join(dir, "runs"), inputs, missionId: "01KT6HVH3QND4Q3KCGH2419N4J", missionSlug: "demo" }, ports);
  return { ref, ports, file };
};

const owner = actorIdentity("olga", "human");
const refusal = (f: () => unknown): [string, string] => {
  try {
    f();
  } catch (e) {
    if (e instanceof MissionRuntimeError) return [e.code, e.message];
    throw e;
  }
  throw new Error("expected a refusal");
};
const types = (ref: MissionRunRef) => readLog(ref.run_dir).map((r) => r.event_type);

describe("starting a run", () => {
  it("creates the run folder with the frozen template, its hash, the state and MissionRunStarted", () => {
    const { ref, file } = start();
    expect(ref.run_dir).toBe(join(dir, "runs", ref.run_id));
    expect(ref.run_id).toMatch(/^[0-9a-f]{32}$/);
    expect(readFileSync(join(ref.run_dir, "mission_template_frozen.yaml"), "utf8")).toBe(CUSTOM_TEMPLATE);
    const state = readJson(join(ref.run_dir, "state.json"));
    expect(state["template_hash"]).toBe(sha256Hex(CUSTOM_TEMPLATE));
    expect(state["template_path"]).toBe(file);
    expect(readFileSync(join(ref.run_dir, "state.json"), "utf8").endsWith("}")).toBe(true);
    expect(readLog(ref.run_dir)).toEqual([
      {
        event_type: "MissionRunStarted",
        timestamp: "2026-01-02T03:04:05.678000+00:00",
        payload: { run_id: ref.run_id, mission_type: "custom", actor: actorIdentity("system", "service") },
      },
    ]);
  });
});

describe("stepping through a run", () => {
  it("requests a missing input once, then issues steps, records results and completes once", () => {
    const { ref, ports } = start();
    const d1 = nextStep(ref, { agentId: "a1" }, ports);
    expect([d1.kind, d1.decision_id, d1.input_key]).toEqual(["decision_required", "input:mission_owner_id", "mission_owner_id"]);
    nextStep(ref, { agentId: "a1" }, ports);
    expect(types(ref).filter((t) => t === "DecisionInputRequested")).toHaveLength(1);
    answerDecision(ref, { decisionId: "input:mission_owner_id", answer: "olga", actor: owner }, ports);
    expect(readRun(ref).inputs["mission_owner_id"]).toBe("olga");
    const d2 = nextStep(ref, { agentId: "a1" }, ports);
    expect([d2.kind, d2.step_id, d2.prompt]).toEqual(["step", "setup", "Set things up."]);
    expect(nextStep(ref, { agentId: "a1", result: "success" }, ports).step_id).toBe("implement");
    expect(nextStep(ref, { agentId: "a1", result: "success" }, ports).step_id).toBe("review");
    const audit = nextStep(ref, { agentId: "a1", result: "success" }, ports);
    expect([audit.kind, audit.decision_id, audit.options]).toEqual(["decision_required", "audit:signoff", ["approve", "reject"]]);
    expect(types(ref)).not.toContain("MissionRunCompleted");
    // The last thing to finish is the audit answer: completion is announced then, exactly once.
    answerDecision(ref, { decisionId: "audit:signoff", answer: "approve", actor: owner }, ports);
    expect(types(ref).filter((t) => t === "MissionRunCompleted")).toHaveLength(1);
    expect(nextStep(ref, { agentId: "a1" }, ports).kind).toBe("terminal");
    expect(nextStep(ref, { agentId: "a1" }, ports).kind).toBe("terminal");
    expect(types(ref).filter((t) => t === "MissionRunCompleted")).toHaveLength(1);
    expect(ports.emitted.map((r) => r.event_type)).toEqual(types(ref));
  });

  it("announces completion once when the last thing is a step result", () => {
    const { ref, ports } = start("mission: {key: k, name: K, version: '1'}\nsteps:\n  - id: only\n    title: Only\n");
    expect(nextStep(ref, { agentId: "a" }, ports).step_id).toBe("only");
    expect(nextStep(ref, { agentId: "a", result: "success" }, ports).kind).toBe("terminal");
    nextStep(ref, { agentId: "a" }, ports);
    expect(types(ref)).toEqual(["MissionRunStarted", "NextStepIssued", "NextStepAutoCompleted", "MissionRunCompleted"]);
  });

  it.each([
    ["failed", "Previous step 'setup' failed; manual intervention required."],
    ["blocked", "Previous step 'setup' reported blocked state."],
  ] as const)("a %s result blocks the run for good", (result, reason) => {
    const { ref, ports } = start(CUSTOM_TEMPLATE, { mission_owner_id: "olga" });
    nextStep(ref, { agentId: "a" }, ports);
    const d = nextStep(ref, { agentId: "a", result }, ports);
    expect([d.kind, d.reason]).toEqual(["blocked", reason]);
    expect(nextStep(ref, { agentId: "a", result: "success" }, ports).reason).toBe(reason);
    expect(readRun(ref).completed_steps).toEqual([]);
    expect(readLog(ref.run_dir).find((r) => r.event_type === "NextStepAutoCompleted")?.payload["result"]).toBe(result);
  });

  it("blocks on template drift of the live template", () => {
    const { ref, ports, file } = start(CUSTOM_TEMPLATE, { mission_owner_id: "olga" });
    writeFileSync(file, `${CUSTOM_TEMPLATE}# edited\n`);
    expect(nextStep(ref, { agentId: "a" }, ports).reason).toBe("Template changed during active run. Migration required.");
  });
});

describe("decision authority", () => {
  const atAudit = (inputs: Record<string, unknown> = { mission_owner_id: "olga" }) => {
    const text = "mission: {key: k, name: K, version: '1'}\nsteps:\n  - id: s\n    title: S\naudit_steps:\n  - id: gate\n    title: Gate\n    depends_on: [s]\n    audit: {trigger_mode: manual, enforcement: blocking}\n";
    const r = start(text, inputs);
    nextStep(r.ref, { agentId: "a" }, r.ports);
    expect(nextStep(r.ref, { agentId: "a", result: "success" }, r.ports).decision_id).toBe("audit:gate");
    return r;
  };

  it.each([
    ["an llm", actorIdentity("olga", "llm"), { mission_owner_id: "olga" }, "Audit decisions require a human actor"],
    ["a service", actorIdentity("olga", "service"), { mission_owner_id: "olga" }, "Audit decisions require a human actor"],
    ["anyone without an owner input", owner, {}, "Audit decisions require mission_owner_id to be set in inputs"],
    ["another human", actorIdentity("mallory", "human"), { mission_owner_id: "olga" }, "Audit decisions require mission owner 'olga'"],
  ])("refuses an audit answer from %s, logs the denial and changes nothing", (_who, actor, inputs, reason) => {
    const { ref, ports } = atAudit(inputs);
    const before = readFileSync(join(ref.run_dir, "state.json"), "utf8");
    expect(refusal(() => answerDecision(ref, { decisionId: "audit:gate", answer: "approve", actor }, ports))).toEqual(["DECISION_AUTHORITY_DENIED", reason]);
    expect(readFileSync(join(ref.run_dir, "state.json"), "utf8")).toBe(before);
    const denial = readLog(ref.run_dir).at(-1);
    expect(denial?.event_type).toBe("DecisionAuthorityDenied");
    expect(denial?.payload).toMatchObject({ decision_id: "audit:gate", actor_id: actor.actor_id, actor_type: actor.actor_type, authority_role: "mission_owner", reason });
  });

  it("refuses unknown decisions and invalid audit answers", () => {
    const { ref, ports } = atAudit();
    expect(refusal(() => answerDecision(ref, { decisionId: "input:nope", answer: "x", actor: owner }, ports))).toEqual([
      "DECISION_NOT_FOUND",
      `Decision 'input:nope' not found in pending_decisions for run '${ref.run_id}'`,
    ]);
    expect(refusal(() => answerDecision(ref, { decisionId: "audit:gate", answer: "yolo", actor: owner }, ports))).toEqual([
      "DECISION_ANSWER_INVALID",
      "Invalid audit answer 'yolo': must be 'approve' or 'reject'",
    ]);
  });

  it("a reject blocks the run permanently", () => {
    const { ref, ports } = atAudit();
    answerDecision(ref, { decisionId: "audit:gate", answer: "reject", actor: owner }, ports);
    expect(nextStep(ref, { agentId: "a" }, ports).reason).toBe("Audit step 'gate' rejected by olga");
    expect(types(ref)).not.toContain("MissionRunCompleted");
  });

  it("an llm answers an input decision only with a delegation carrying a rationale", () => {
    const text = "mission: {key: k, name: K, version: '1'}\nsteps:\n  - id: s\n    title: S\n    requires_inputs: [topic]\n";
    const bot = actorIdentity("bot", "llm");
    const plain = start(text);
    nextStep(plain.ref, { agentId: "a" }, plain.ports);
    expect(refusal(() => answerDecision(plain.ref, { decisionId: "input:topic", answer: "x", actor: bot }, plain.ports))).toEqual([
      "DECISION_AUTHORITY_DENIED",
      "LLM actor 'bot' is not delegated for decision 'input:topic'",
    ]);
    cleanup();
    ({ dir, cleanup } = tempDir());
    const weak = start(text, { llm_delegations: { "*": { rationale_linkage: "  " } } });
    nextStep(weak.ref, { agentId: "a" }, weak.ports);
    expect(refusal(() => answerDecision(weak.ref, { decisionId: "input:topic", answer: "x", actor: bot }, weak.ports))[1]).toBe(
      "LLM delegation for decision 'input:topic' must include non-empty rationale_linkage",
    );
    cleanup();
    ({ dir, cleanup } = tempDir());
    const ok = start(text, { llm_delegations: { "input:topic": { rationale_linkage: " owner said so ", authority_role: "trusted_bot" } } });
    nextStep(ok.ref, { agentId: "a" }, ok.ports);
    answerDecision(ok.ref, { decisionId: "input:topic", answer: "gamma", actor: bot }, ok.ports);
    const record = readRun(ok.ref).decisions["input:topic"] as Record<string, unknown>;
    expect([record["authority_role"], record["rationale_linkage"], readRun(ok.ref).inputs["topic"]]).toEqual(["trusted_bot", "owner said so", "gamma"]);
  });
});

describe("significance of audit checkpoints", () => {
  const withSignificance = (dims: string) =>
    `mission: {key: k, name: K, version: '1'}\nsteps:\n  - id: s\n    title: S\naudit_steps:\n  - id: gate\n    title: Gate\n    depends_on: [s]\n    audit: {trigger_mode: manual, enforcement: blocking}\n    significance: {dimensions: {${dims}}}\n`;

  it("a low band completes the audit by itself", () => {
    const { ref, ports } = start(withSignificance("user_customer_impact: 1"), { mission_owner_id: "olga" });
    nextStep(ref, { agentId: "a" }, ports);
    expect(nextStep(ref, { agentId: "a", result: "success" }, ports).kind).toBe("terminal");
    expect(readRun(ref).completed_steps).toEqual(["s", "gate"]);
  });

  it("a medium band offers the soft-gate options and keeps the decision open on defer", () => {
    const { ref, ports } = start(withSignificance("user_customer_impact: 3, operational_reliability_impact: 3, architectural_system_impact: 2"), {
      mission_owner_id: "olga",
    });
    nextStep(ref, { agentId: "a" }, ports);
    expect(nextStep(ref, { agentId: "a", result: "success" }, ports).options).toEqual(["decide_solo", "open_stand_up", "defer"]);
    expect(refusal(() => answerDecision(ref, { decisionId: "audit:gate", answer: "approve", actor: owner }, ports))[1]).toBe(
      "Medium-band decision requires one of ['decide_solo', 'defer', 'open_stand_up'], got: 'approve'",
    );
    answerDecision(ref, { decisionId: "audit:gate", answer: "defer", actor: owner }, ports);
    expect(Object.keys(readRun(ref).pending_decisions)).toEqual(["audit:gate"]);
    answerDecision(ref, { decisionId: "audit:gate", answer: "decide_solo", actor: owner }, ports);
    expect(readRun(ref).completed_steps).toEqual(["s", "gate"]);
    expect(types(ref).filter((t) => t === "MissionRunCompleted")).toHaveLength(1);
  });
});

it("the run folder holds exactly the three reference files", () => {
  const { ref } = start();
  expect(["state.json", "mission_template_frozen.yaml", "run.events.jsonl"].map((f) => existsSync(join(ref.run_dir, f)))).toEqual([true, true, true]);
});
