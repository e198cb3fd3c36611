import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Demo } from "../demo.ts";

/** The demo mission, known once `agent mission create` has made it. */
export const mission = { slug: "", id: "" };
export const OWNER = "olga";

// The demo's own mission type: a short template with a required input, work-package gating and an audit
// checkpoint answered by the mission owner.
const TEMPLATE = `mission:
  key: checkout
  name: Checkout mission
  version: "1.0.0"
  description: A short mission to show spec-kitty next end to end.
steps:
  - id: specify
    title: Specify the checkout flow
    prompt: Write spec.md for the checkout flow.
    requires_inputs: [mission_owner_id]
  - id: implement
    title: Implement the work packages
    prompt: Implement the next work package.
    depends_on: [specify]
  - id: review
    title: Review the work packages
    prompt: Review the next work package.
    depends_on: [implement]
audit_steps:
  - id: release-signoff
    title: Release sign-off
    depends_on: [review]
    audit: {trigger_mode: manual, enforcement: blocking}
`;

/** The plan an agent writes after `create`: tasks.md with one section per work package, and a prompt file each. */
export const WORK_PACKAGES = [
  { id: "WP01", title: "Cart summary component", subtasks: ["T001 Render line items and totals", "T002 [P] Empty-cart state"], deps: [] },
  { id: "WP02", title: "Payment provider adapter", subtasks: ["T003 Card payments", "T004 Refunds"], deps: ["WP01"] },
  { id: "WP03", title: "Order confirmation e-mail", subtasks: ["T005 Confirmation template"], deps: [] },
] as const;

export const kebab = (text: string): string => text.toLowerCase().replaceAll(" ", "-");

/** Writes tasks.md and the WP prompt files of `wps` into a mission directory, as an agent following the template does. */
export const writePlan = (
  dir: string,
  wps: ReadonlyArray<{ readonly id: string; readonly title: string; readonly subtasks: ReadonlyArray<string>; readonly deps: ReadonlyArray<string> }>,
): void => {
  const sections = wps.map((wp) =>
    [
      `## Work Package ${wp.id}: ${wp.title}`,
      `**Prompt**: \`/tasks/${wp.id}-${kebab(wp.title)}.md\``,
      "### Included Subtasks",
      ...wp.subtasks.map((t) => `- [ ] ${t}`),
      "### Dependencies",
      wp.deps.length === 0 ? "- None" : `- Depends on ${wp.deps.join(", ")}.`,
      "",
    ].join("\n"),
  );
  writeFileSync(join(dir, "tasks.md"), `# Tasks\n\n${sections.join("\n")}`);
  for (const wp of wps) {
    const ids = wp.subtasks.map((t) => t.split(" ")[0]);
    writeFileSync(
      join(dir, "tasks", `${wp.id}-${kebab(wp.title)}.md`),
      `---\nwork_package_id: ${wp.id}\ntitle: ${wp.title}\nsubtasks: [${ids.join(", ")}]\n---\n\n# Work Package Prompt: ${wp.id} – ${wp.title}\n\n## Activity Log\n`,
    );
  }
};

/**
 * A mission made the way teams make one: `agent mission create` (meta.json, an empty status log, spec.md, one commit,
 * MissionCreated), a plan of three work packages written into it, and `agent mission finalize-tasks` (dependencies
 * recorded, every work package seeded genesis -> planned in one batch, one WPCreated each).
 */
export const missionSteps = (demo: Demo): void => {
  demo.banner("a mission: agent mission create, a plan, agent mission finalize-tasks");
  mkdirSync(join(demo.root, ".kittify", "missions", "checkout"), { recursive: true });
  writeFileSync(join(demo.root, ".kittify", "missions", "checkout", "mission-runtime.yaml"), TEMPLATE);
  demo.exec("git", ["add", ".kittify/missions"], { quiet: true });
  demo.exec("git", ["commit", "--quiet", "-m", "Add the checkout mission type"], { quiet: true });
  const created = JSON.parse(
    demo.spec(["agent", "mission", "create", "checkout-flow", "--mission-type", "checkout", "--friendly-name", "Checkout flow", "--json"]).stdout,
  ) as { mission_slug: string; mission_id: string };
  mission.slug = created.mission_slug;
  mission.id = created.mission_id;
  demo.say(`the plan an agent writes: kitty-specs/${mission.slug}/tasks.md and one prompt file per work package`);
  writePlan(join(demo.root, "kitty-specs", mission.slug), WORK_PACKAGES);
  demo.spec(["agent", "mission", "finalize-tasks", "--mission", mission.slug]);
  demo.say("finalize-tasks again changes nothing and announces nothing:");
  demo.spec(["agent", "mission", "finalize-tasks", "--mission", mission.slug]);
  demo.spec(["status", "--mission", mission.slug]);
  demo.exec("git", ["log", "--oneline", "-5"]);
};
