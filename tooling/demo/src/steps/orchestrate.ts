import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CLI, type Demo } from "../demo.ts";
import { DEMO_HOME } from "./sync-home.ts";
import { writePlan } from "./mission.ts";

/** The second mission: a diamond of four work packages (WP01 <- WP02, WP03 <- WP04). */
const DIGEST = [
  { id: "WP01", title: "Digest data model", subtasks: ["T001 Digest entries"], deps: [] },
  { id: "WP02", title: "Weekly digest job", subtasks: ["T002 Schedule the job"], deps: ["WP01"] },
  { id: "WP03", title: "Digest e-mail template", subtasks: ["T003 Template"], deps: ["WP01"] },
  { id: "WP04", title: "Unsubscribe link", subtasks: ["T004 Link and handler"], deps: ["WP02", "WP03"] },
] as const;

// Two stand-ins for AI agent CLIs. ada implements: she writes a file in the work package's worktree, commits it and
// records the subtask done with spec-kitty. rex reviews: he approves, except that he sends WP02 back once.
const ADA = `#!/usr/bin/env node
import { appendFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
const wp = process.env.SPEC_KITTY_WP;
const rework = (await new Response(process.stdin).text()).includes("RE-IMPLEMENTATION REQUIRED");
appendFileSync(\`\${wp.toLowerCase()}.md\`, rework ? "tests for the schedule added after review\\n" : \`\${wp} implemented by ada\\n\`);
execFileSync("git", ["add", "-A"]);
execFileSync("git", ["commit", "-q", "-m", \`\${wp}: \${rework ? "address review" : "implementation"}\`]);
execFileSync(process.execPath, [${JSON.stringify(CLI)}, "agent", "tasks", "mark-status", "T0" + wp.slice(2), "--status", "done", "--mission", process.env.SPEC_KITTY_MISSION, "--actor", "ada"], { stdio: "ignore" });
console.log(\`\${wp}: done\`);
`;
const REX = (stateDir: string) => `#!/usr/bin/env node
import { existsSync, writeFileSync } from "node:fs";
const wp = process.env.SPEC_KITTY_WP;
const seen = ${JSON.stringify(stateDir)} + "/rex-" + wp;
if (wp === "WP02" && !existsSync(seen)) {
  writeFileSync(seen, "1");
  console.log("The job has no test for its schedule.\\nVERDICT: rejected - the weekly schedule is untested\\n- add a test that the job runs on Mondays");
} else {
  console.log("Read the diff; it does what the work package asks.\\nVERDICT: approved");
}
`;

const AGENTS_YAML = (bin: string) => `version: "1.0"
defaults:
  implementation: [ada]
  review: [rex]
agents:
  ada:
    roles: [implementation]
    command: [${JSON.stringify(join(bin, "ada"))}]
    timeout_seconds: 60
  rex:
    roles: [review]
    command: [${JSON.stringify(join(bin, "rex"))}]
    timeout_seconds: 60
max_retries: 1
global_concurrency: 3
`;

/**
 * \`spec-kitty orchestrate\`: two scripted agents implement and review a second mission in dependency order, two
 * work packages at a time, one review rejected and reworked; then \`merge\` closes it.
 */
export const orchestrateSteps = (demo: Demo): void => {
  demo.banner("orchestrate: agents implement and review a mission in dependency order");
  const bin = join(DEMO_HOME, "agents");
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, "ada"), ADA);
  writeFileSync(join(bin, "rex"), REX(bin));
  chmodSync(join(bin, "ada"), 0o755);
  chmodSync(join(bin, "rex"), 0o755);
  writeFileSync(join(demo.root, ".kittify", "agents.yaml"), AGENTS_YAML(bin));
  demo.exec("git", ["add", ".kittify/agents.yaml"], { quiet: true });
  demo.exec("git", ["commit", "--quiet", "-m", "Configure the orchestrator's agents"], { quiet: true });
  const created = JSON.parse(
    demo.spec(["agent", "mission", "create", "email-digest", "--friendly-name", "Weekly e-mail digest", "--json"], { quiet: true }).stdout,
  ) as { mission_slug: string };
  const slug = created.mission_slug;
  demo.say(`created ${slug}; its plan: WP01, then WP02 and WP03 in parallel, then WP04`);
  writePlan(join(demo.root, "kitty-specs", slug), DIGEST);
  demo.spec(["agent", "mission", "finalize-tasks", "--mission", slug], { quiet: true });
  demo.spec(["orchestrate", "--mission", slug, "--max-parallel", "2"]);
  demo.spec(["orchestrate", "--status"]);
  demo.spec(["merge", "--mission", slug, "--actor", "olga"], { quiet: true });
  demo.spec(["status", "--mission", slug]);
};
