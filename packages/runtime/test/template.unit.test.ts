import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { BUILTIN_TEMPLATES, discoverMissions, findMissionTemplate, parseMissionTemplate } from "../src/index.ts";
import { CUSTOM_TEMPLATE, tempDir, writeText } from "./support.ts";

const parse = (text: string) => parseMissionTemplate(text, { file: "/m/x/mission.yaml", fallbackKey: "x" });
const errorOf = (text: string) => {
  const r = parse(text);
  if (r.ok) throw new Error("expected a validation error");
  return r.error;
};

describe("mission template format", () => {
  it("reads the full header, steps and audit steps", () => {
    const r = parse(CUSTOM_TEMPLATE);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.template.mission).toEqual({ key: "custom", name: "Custom mission", version: "1.0.0", description: "" });
    expect(r.template.steps.map((s) => [s.id, s.depends_on, s.requires_inputs])).toEqual([
      ["setup", [], ["mission_owner_id"]],
      ["implement", ["setup"], []],
      ["review", ["implement"], []],
    ]);
    expect(r.template.audit_steps[0]?.audit).toEqual({ trigger_mode: "manual", enforcement: "blocking", label: null, metadata: {} });
  });

  it("accepts the shorthand header, defaulting key to the folder and version to 1.0.0", () => {
    const r = parse("name: Short\nsteps:\n  - id: a\n    title: A\n    agent-profile: architect\n");
    if (!r.ok) throw new Error(r.error.message);
    expect(r.template.mission).toEqual({ key: "x", name: "Short", version: "1.0.0", description: "" });
    expect(r.template.steps[0]?.agent_profile).toBe("architect");
  });

  it("reads raci with its override reason and significance", () => {
    const r = parse(`mission: {key: k, name: K, version: "1"}
steps:
  - id: a
    title: A
    raci: {responsible: {actor_type: llm}, accountable: {actor_type: human, actor_id: ann}}
    raci_override_reason: ann owns it
audit_steps:
  - id: g
    title: G
    depends_on: [a]
    audit: {trigger_mode: both, enforcement: advisory}
    significance: {dimensions: {user_customer_impact: 3}, hard_triggers: [security_privacy_access_control]}
`);
    if (!r.ok) throw new Error(r.error.message);
    expect(r.template.steps[0]?.raci?.accountable).toEqual({ actor_type: "human", actor_id: "ann" });
    expect(r.template.audit_steps[0]?.significance?.dimensions.user_customer_impact).toBe(3);
    expect(r.template.audit_steps[0]?.significance?.dimensions.cross_team_blast_radius).toBe(0);
  });

  it.each([
    ["missing step title", "mission: {key: k, name: K, version: '1'}\nsteps:\n  - id: a\n", "steps[0].title", 3, "is required"],
    ["empty step id", "mission: {key: k, name: K, version: '1'}\nsteps:\n  - id: ''\n    title: A\n", "steps[0].id", 3, "must not be empty"],
    ["unknown dependency", "mission: {key: k, name: K, version: '1'}\nsteps:\n  - id: a\n    title: A\n    depends_on: [zz]\n", "steps[0].depends_on[0]", 5, "unknown step 'zz'"],
    ["raci without reason", "mission: {key: k, name: K, version: '1'}\nsteps:\n  - id: a\n    title: A\n    raci: {responsible: {actor_type: llm}, accountable: {actor_type: human}}\n", "steps[0].raci_override_reason", null, "is required when 'raci' is given"],
    ["reason without raci", "mission: {key: k, name: K, version: '1'}\nsteps:\n  - id: a\n    title: A\n    raci_override_reason: why\n", "steps[0].raci_override_reason", 5, "only allowed together"],
    ["bad enforcement", "mission: {key: k, name: K, version: '1'}\naudit_steps:\n  - id: g\n    title: G\n    audit: {trigger_mode: manual, enforcement: strict}\n", "audit_steps[0].audit.enforcement", 5, "advisory, blocking"],
    ["bad trigger mode", "mission: {key: k, name: K, version: '1'}\naudit_steps:\n  - id: g\n    title: G\n    audit: {trigger_mode: sometimes, enforcement: advisory}\n", "audit_steps[0].audit.trigger_mode", 5, "manual, post_merge, both"],
    ["significance out of range", "mission: {key: k, name: K, version: '1'}\naudit_steps:\n  - id: g\n    title: G\n    audit: {trigger_mode: manual, enforcement: blocking}\n    significance: {dimensions: {user_customer_impact: 4}}\n", "audit_steps[0].significance.dimensions.user_customer_impact", 6, "0 to 3"],
    ["duplicate id", "mission: {key: k, name: K, version: '1'}\nsteps:\n  - id: a\n    title: A\n  - id: a\n    title: B\n", "steps[1].id", 5, "duplicates step id 'a'"],
    ["steps not a list", "mission: {key: k, name: K, version: '1'}\nsteps: nope\n", "steps", 2, "must be a list"],
    ["header without key", "mission: {name: K, version: '1'}\nsteps:\n  - id: a\n    title: A\n", "mission.key", null, "is required"],
  ])("rejects %s naming the file and the field", (_name, text, field, line, fragment) => {
    const e = errorOf(text);
    expect(e.code).toBe("TEMPLATE_FIELD_INVALID");
    expect(e.file).toBe("/m/x/mission.yaml");
    expect(e.field).toBe(field);
    expect(e.message).toContain(`/m/x/mission.yaml`);
    expect(e.message).toContain(`field '${field}'`);
    expect(e.message).toContain(fragment);
    if (line !== null) expect(e.message).toContain(`(line ${line})`);
  });

  it("rejects a template without steps or audit steps", () => {
    const e = errorOf("mission: {key: k, name: K, version: '1'}\nsteps: []\n");
    expect(e.code).toBe("TEMPLATE_HAS_NO_STEPS");
    expect(e.message).toContain("has no steps and no audit_steps");
  });

  it("reports YAML syntax errors with their line", () => {
    const e = errorOf("mission: {key: k\nsteps:\n  - id: [\n");
    expect(e.code).toBe("TEMPLATE_YAML_INVALID");
    expect(e.message).toMatch(/\/m\/x\/mission\.yaml \(line \d+, column \d+\): invalid YAML/);
  });

  it("ships a valid software-dev template with the reference DAG", () => {
    const r = parseMissionTemplate(BUILTIN_TEMPLATES["software-dev"] ?? "", { file: "builtin" });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.template.steps.map((s) => `${s.depends_on.join("+")}>${s.id}`)).toEqual([
      ">discovery", "discovery>specify", "specify>plan", "plan>tasks", "tasks>implement", "implement>review", "review>accept",
    ]);
  });
});

describe("template discovery", () => {
  const template = (key: string, title: string) => `mission: {key: ${key}, name: N, version: "1"}\nsteps:\n  - id: a\n    title: ${title}\n`;

  it("searches the tiers in order, first key wins, later ones are shadowed", () => {
    const { dir, cleanup } = tempDir();
    try {
      const project = join(dir, "repo");
      const home = join(dir, "home");
      const explicit = writeText(join(dir, "explicit", "one", "mission.yaml"), template("alpha", "explicit"));
      writeText(join(dir, "env", "alpha", "mission-runtime.yaml"), template("alpha", "env"));
      writeText(join(dir, "env", "beta", "mission-runtime.yaml"), template("beta", "env"));
      writeText(join(project, ".kittify", "overrides", "missions", "gamma", "mission.yaml"), template("gamma", "override"));
      writeText(join(project, ".kittify", "missions", "gamma", "mission.yaml"), template("gamma", "legacy"));
      writeText(join(project, ".kittify", "missions", "delta", "mission-runtime.yaml"), template("delta", "legacy"));
      writeText(join(home, ".kittify", "missions", "software-dev", "mission.yaml"), template("software-dev", "user"));
      const r = discoverMissions({ explicitPaths: [explicit], envPaths: join(dir, "env"), projectRoot: project, userHome: home });
      const by = Object.fromEntries(r.missions.map((m) => [m.key, [m.tier, m.template.steps[0]?.title]]));
      expect(by).toEqual({
        alpha: ["explicit", "explicit"],
        beta: ["env", "env"],
        gamma: ["project_override", "override"],
        delta: ["project_legacy", "legacy"],
        "software-dev": ["user_global", "user"],
      });
      expect(r.shadowed.map((s) => [s.key, s.tier]).sort()).toEqual([["alpha", "env"], ["gamma", "project_legacy"], ["software-dev", "builtin"]]);
      expect(r.warnings).toEqual([]);
    } finally {
      cleanup();
    }
  });

  it("turns load failures into warnings and keeps going", () => {
    const { dir, cleanup } = tempDir();
    try {
      const bad = writeText(join(dir, ".kittify", "missions", "broken", "mission.yaml"), "mission: {key: broken, name: B, version: '1'}\nsteps:\n  - id: a\n");
      const r = discoverMissions({ projectRoot: dir, userHome: null, envPaths: null });
      expect(r.warnings).toHaveLength(1);
      expect(r.warnings[0]?.path).toBe(bad);
      expect(r.warnings[0]?.tier).toBe("project_legacy");
      expect(r.warnings[0]?.message).toContain("steps[0].title");
      expect(r.missions.map((m) => m.key)).toEqual(["software-dev"]);
      const found = findMissionTemplate({ projectRoot: dir, userHome: null, envPaths: null }, "software-dev");
      expect(found.result.ok && found.result.value.path).toBe("builtin:software-dev/mission-runtime.yaml");
      const missing = findMissionTemplate({ projectRoot: dir, userHome: null, envPaths: null }, "nope");
      expect(missing.result.ok ? null : missing.result.error.code).toBe("TEMPLATE_NOT_FOUND");
    } finally {
      cleanup();
    }
  });
});
