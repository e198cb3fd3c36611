import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Demo } from "../demo.ts";

export const MISSION_ID = "01KTDEM0A1B2C3D4E5F6G7H8J9";
export const MISSION_SLUG = "001-checkout-flow";
export const OWNER = "olga";

const WORK_PACKAGES = [
  ["WP01", "Cart summary component"],
  ["WP02", "Payment provider adapter"],
  ["WP03", "Order confirmation e-mail"],
] as const;

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

/**
 * Lays out a mission as spec-kitty's planning commands leave it: kitty-specs/<slug>/meta.json, one task file per
 * work package, and the genesis -> planned row per work package that finalizing the tasks writes.
 */
export const missionSetup = (demo: Demo): void => {
  demo.banner("a mission in the throwaway repository");
  const dir = join(demo.root, "kitty-specs", MISSION_SLUG);
  mkdirSync(join(dir, "tasks"), { recursive: true });
  const meta = {
    created_at: "2026-11-20T09:00:00+00:00",
    friendly_name: "Checkout flow",
    mission_id: MISSION_ID,
    mission_slug: MISSION_SLUG,
    mission_type: "checkout",
    slug: MISSION_SLUG,
    status_phase: "1",
    target_branch: "main",
    topology: "single_branch",
    vcs: "git",
  };
  writeFileSync(join(dir, "meta.json"), `${JSON.stringify(meta, null, 2)}\n`);
  const rows = WORK_PACKAGES.map(([wp, title], index) => {
    writeFileSync(join(dir, "tasks", `${wp}-${title.toLowerCase().replaceAll(" ", "-")}.md`), `---\nwork_package_id: ${wp}\ntitle: ${title}\n---\n\n# ${title}\n`);
    const row = {
      actor: "finalize-tasks",
      at: `2026-11-20T09:00:0${index}+00:00`,
      event_id: `01KTDEM0000000000000000WP${index + 1}`,
      evidence: null,
      execution_mode: "worktree",
      force: false,
      from_lane: "genesis",
      mission_id: MISSION_ID,
      mission_slug: MISSION_SLUG,
      policy_metadata: null,
      reason: null,
      review_ref: null,
      to_lane: "planned",
      wp_id: wp,
    };
    // One row as spec-kitty writes it: sorted keys, ", " and ": " separators.
    const entries = Object.entries(row).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([key, value]) => `${JSON.stringify(key)}: ${JSON.stringify(value)}`).join(", ")}}`;
  });
  writeFileSync(join(dir, "status.events.jsonl"), `${rows.join("\n")}\n`);
  mkdirSync(join(demo.root, ".kittify", "missions", "checkout"), { recursive: true });
  writeFileSync(join(demo.root, ".kittify", "missions", "checkout", "mission-runtime.yaml"), TEMPLATE);
  demo.say(`kitty-specs/${MISSION_SLUG}/ with meta.json, ${WORK_PACKAGES.length} work packages and their genesis rows`);
  demo.spec(["status", "materialize", `kitty-specs/${MISSION_SLUG}`]);
  demo.exec("git", ["add", "-A"], { quiet: true });
  demo.exec("git", ["commit", "--quiet", "-m", "Plan the checkout mission"]);
};
