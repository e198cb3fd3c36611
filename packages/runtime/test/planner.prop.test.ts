import { FastCheck as fc } from "effect";
import { describe, expect, it } from "vitest";
import { DEFAULT_POLICY, type MissionRunSnapshot, type MissionTemplate, planNext } from "../src/index.ts";

const ids = ["a", "b", "c", "d", "e", "f"];

/** Random templates whose dependencies point at earlier steps (a DAG), in random template order. */
const templateArb: fc.Arbitrary<MissionTemplate> = fc
  .record({
    n: fc.integer({ min: 1, max: 6 }),
    auditCount: fc.integer({ min: 0, max: 2 }),
    deps: fc.array(fc.array(fc.nat(5), { maxLength: 2 }), { minLength: 8, maxLength: 8 }),
    inputs: fc.array(fc.subarray(["k1", "k2"]), { minLength: 8, maxLength: 8 }),
    blocking: fc.array(fc.boolean(), { minLength: 2, maxLength: 2 }),
  })
  .map(({ n, auditCount, deps, inputs, blocking }) => {
    const stepIds = ids.slice(0, n);
    const steps = stepIds.map((id, i) => ({
      id,
      title: id.toUpperCase(),
      description: "",
      depends_on: [...new Set((deps[i] ?? []).filter((d) => d < i).map((d) => stepIds[d] as string))],
      prompt: null,
      prompt_template: null,
      expected_output: null,
      requires_inputs: inputs[i] ?? [],
      agent_profile: null,
      contract_ref: null,
      raci: null,
      raci_override_reason: null,
    }));
    const audit_steps = Array.from({ length: auditCount }, (_, j) => ({
      id: `g${j}`,
      title: `G${j}`,
      description: "",
      depends_on: [...new Set((deps[6 + j] ?? []).filter((d) => d < n).map((d) => stepIds[d] as string))],
      audit: { trigger_mode: "manual" as const, enforcement: blocking[j] === true ? ("blocking" as const) : ("advisory" as const), label: null, metadata: {} },
      significance: null,
    }));
    return { mission: { key: "m", name: "M", version: "1", description: "" }, steps, audit_steps };
  });

const caseArb = templateArb.chain((template) => {
  const all = [...template.steps, ...template.audit_steps].map((s) => s.id);
  return fc.record({
    template: fc.constant(template),
    completed: fc.subarray(all),
    issued: fc.option(fc.constantFrom(...all), { nil: null }),
    inputs: fc.subarray(["k1", "k2"]),
    pending: fc.subarray(["input:k2", "audit:g0", "input:k1", "zeta", "Alpha"]),
    blocked: fc.option(fc.string({ minLength: 1, maxLength: 8 }), { nil: null }),
    drift: fc.boolean(),
  });
});

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

const snapshotOf = (c: Case, reversed = false): MissionRunSnapshot => {
  const order = <T>(xs: ReadonlyArray<T>) => (reversed ? [...xs].reverse() : [...xs]);
  return {
    run_id: "r",
    mission_key: "m",
    template_path: "/t.yaml",
    template_hash: "h",
    policy_snapshot: DEFAULT_POLICY,
    completed_steps: c.completed,
    issued_step_id: c.issued,
    inputs: Object.fromEntries(order(c.inputs).map((k) => [k, "v"])),
    decisions: {},
    pending_decisions: Object.fromEntries(
      order(c.pending).map((k) => [k, { decision_id: k, step_id: "a", question: `q ${k}`, options: [], requested_by: { actor_id: "x", actor_type: "llm", display_name: "", provider: null, model: null, tool: null }, requested_at: "t" }]),
    ),
    blocked_reason: c.blocked,
    mission_id: null,
    mission_slug: null,
  };
};

const plan = (c: Case, reversed = false) => planNext(snapshotOf(c, reversed), c.template, DEFAULT_POLICY, { liveTemplateHash: c.drift ? "other" : "h" });

describe("planner (property)", () => {
  it("is deterministic and independent of map insertion order", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const first = JSON.stringify(plan(c));
        expect(JSON.stringify(plan(c))).toBe(first);
        expect(JSON.stringify(plan(c, true))).toBe(first);
      }),
      { numRuns: 300 },
    );
  });

  it("follows the priority order: blocked, drift, first pending key, step DAG then audits, blocked or terminal", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const d = plan(c);
        if (c.blocked !== null) return void expect([d.kind, d.reason]).toEqual(["blocked", c.blocked]);
        if (c.drift) return void expect([d.kind, d.reason]).toEqual(["blocked", "Template changed during active run. Migration required."]);
        if (c.pending.length > 0) {
          const first = [...c.pending].sort()[0] as string;
          expect([d.kind, d.decision_id, d.reason]).toEqual(["decision_required", first, "pending_decision"]);
          expect(d.input_key).toBe(first.startsWith("input:") ? first.slice(6) : null);
          return;
        }
        const done = new Set(c.completed);
        const ordered = [...c.template.steps, ...c.template.audit_steps];
        const eligible = ordered.find((s) => !done.has(s.id) && s.id !== c.issued && s.depends_on.every((x) => done.has(x)));
        if (eligible === undefined) {
          const allDone = ordered.every((s) => done.has(s.id));
          expect([d.kind, d.reason]).toEqual(
            allDone ? ["terminal", "All mission steps completed"] : ["blocked", "No eligible steps: remaining steps have unmet dependencies."],
          );
          return;
        }
        expect(d.step_id).toBe(eligible.id);
        if ("audit" in eligible) {
          if (eligible.audit.enforcement === "blocking") {
            expect([d.kind, d.decision_id, d.options]).toEqual(["decision_required", `audit:${eligible.id}`, ["approve", "reject"]]);
            expect(d.question).toBe(`Audit checkpoint: ${eligible.title}. Approve to continue?`);
          } else expect([d.kind, d.prompt]).toEqual(["step", `Execute audit step '${eligible.id}': ${eligible.title}`]);
          return;
        }
        const missing = eligible.requires_inputs.find((k) => !c.inputs.includes(k));
        if (missing !== undefined) {
          expect([d.kind, d.decision_id, d.input_key, d.reason]).toEqual(["decision_required", `input:${missing}`, missing, "missing_required_input"]);
          expect(d.question).toBe(`Input required before step '${eligible.id}': provide value for '${missing}'.`);
        } else expect([d.kind, d.prompt]).toEqual(["step", `Execute step '${eligible.id}': ${eligible.title}`]);
      }),
      { numRuns: 500 },
    );
  });
});
