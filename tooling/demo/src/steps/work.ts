import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Demo } from "../demo.ts";
import { DEMO_HOME } from "./sync-home.ts";
import { mission, OWNER, WORK_PACKAGES } from "./mission.ts";

interface NextDecision {
  readonly kind: string;
  readonly step_id: string | null;
  readonly wp_id: string | null;
  readonly decision_id: string | null;
  readonly question: string | null;
  readonly reason: string | null;
}

const SPEC = `# Checkout flow

Customers review their cart, pay by card and receive a confirmation e-mail.

## Requirements
- **FR-001**: the cart shows each line item and the total.
- **FR-002**: card payments and refunds go through the payment provider.
- **FR-003**: a confirmation e-mail is sent once the payment succeeds.
`;

const PLAN = `# Plan

Three work packages: the cart summary first, the payment adapter on top of it, the e-mail alongside.
`;

/**
 * The mission worked end to end: a \`spec-kitty next\` run (an owner input, WP gating, an audit sign-off) while the
 * work packages go through \`implement\` (worktree and branch, planned -> claimed -> in_progress in one commit), work
 * committed in each worktree, \`mark-status\`, \`add-history\`, review with \`move-task\`, then \`merge\` (approved ->
 * done, MissionClosed) and \`accept\`.
 */
export const workSteps = (demo: Demo): void => {
  const slug = mission.slug;
  demo.banner("specifying: spec-kitty next asks for the mission owner first");
  writeFileSync(join(demo.root, "kitty-specs", slug, "spec.md"), SPEC);
  writeFileSync(join(demo.root, "kitty-specs", slug, "plan.md"), PLAN);
  demo.exec("git", ["add", `kitty-specs/${slug}/spec.md`, `kitty-specs/${slug}/plan.md`], { quiet: true });
  demo.exec("git", ["commit", "--quiet", "-m", `Specify and plan ${slug}`], { quiet: true });

  const next = (...extra: ReadonlyArray<string>): NextDecision => {
    const result = demo.spec(["next", "--mission", slug, "--agent", "alice", "--json", ...extra], { quiet: true });
    const decision = JSON.parse(result.stdout) as NextDecision;
    const what = [
      decision.step_id === null ? null : `step ${decision.step_id}`,
      decision.wp_id === null ? null : `work package ${decision.wp_id}`,
      decision.decision_id === null ? null : `decision ${decision.decision_id}`,
      decision.question,
      decision.reason === null ? null : `(${decision.reason})`,
    ].filter((part) => part !== null);
    demo.say(`→ ${decision.kind}: ${what.join(", ")}`);
    return decision;
  };
  const expectKind = (decision: NextDecision, kind: string, step?: string) => {
    if (decision.kind !== kind || (step !== undefined && decision.step_id !== step)) {
      throw new Error(`expected ${kind}${step === undefined ? "" : ` ${step}`}, got ${JSON.stringify(decision)}`);
    }
  };
  const move = (wp: string, lane: string, actor: string, extra: ReadonlyArray<string> = []) =>
    demo.spec(["agent", "tasks", "move-task", wp, "--to", lane, "--mission", slug, "--actor", actor, ...extra]);

  expectKind(next(), "decision_required");
  demo.spec(["next", "answer", "input:mission_owner_id", OWNER, "--mission", slug, "--actor-id", OWNER, "--actor-type", "human"]);
  expectKind(next(), "step", "specify");
  expectKind(next("--result", "success"), "step", "implement");

  demo.banner("implementing: a worktree and branch per work package, never switching your checkout");
  // WP02 depends on WP01: implemented after it, its worktree starts from WP01's branch.
  for (const wp of [WORK_PACKAGES[0], WORK_PACKAGES[2], WORK_PACKAGES[1]]) {
    const started = JSON.parse(demo.spec(["implement", wp.id, "--mission", slug, "--actor", "alice", "--json"]).stdout) as {
      workspace_path: string;
      branch: string;
      base: string;
    };
    demo.say(`alice works in ${started.workspace_path.replace(demo.root, ".")} (branch ${started.branch}, from ${started.base}) and commits:`);
    writeFileSync(join(started.workspace_path, `${wp.id.toLowerCase()}.ts`), `// ${wp.title}\nexport const ready = true;\n`);
    demo.exec("git", ["-C", started.workspace_path, "add", `${wp.id.toLowerCase()}.ts`], { quiet: true });
    demo.exec("git", ["-C", started.workspace_path, "commit", "--quiet", "-m", `${wp.id}: ${wp.title}`]);
    demo.spec(["agent", "tasks", "mark-status", ...wp.subtasks.map((t) => t.split(" ")[0] ?? ""), "--status", "done", "--mission", slug, "--actor", "alice"]);
    if (wp.id === "WP01") {
      demo.spec(["agent", "tasks", "add-history", "WP01", "--note", "Totals include tax; the empty cart shows a call to action", "--agent", "alice", "--mission", slug]);
      demo.say("implement again reuses the worktree: no lane change, no commit, no event:");
      demo.spec(["implement", "WP01", "--mission", slug, "--actor", "alice"]);
    }
    move(wp.id, "for_review", "alice");
  }
  demo.say("the FSM refuses a work package that skips review (exit 1, nothing written, an ErrorLogged for the team):");
  demo.spec(["agent", "tasks", "move-task", "WP03", "--to", "done", "--mission", slug, "--actor", "carol"], { expectStatus: 1 });
  expectKind(next("--result", "success"), "step", "review");

  demo.banner("reviewing: in_review, then approved with review evidence");
  const evidence = join(DEMO_HOME, "review-evidence.json");
  writeFileSync(evidence, JSON.stringify({ review: { reviewer: "rita", verdict: "approved", reference: "review/checkout#1" } }));
  for (const wp of WORK_PACKAGES) {
    move(wp.id, "in_review", "rita");
    move(wp.id, "approved", "rita", ["--evidence", evidence]);
  }
  const audit = next("--result", "success");
  expectKind(audit, "decision_required");
  demo.say("the blocking audit checkpoint is answered only by the mission owner:");
  demo.spec(["next", "answer", audit.decision_id ?? "", "approve", "--mission", slug, "--actor-id", "mallory", "--actor-type", "human"], { expectStatus: 1 });
  demo.spec(["next", "answer", audit.decision_id ?? "", "approve", "--mission", slug, "--actor-id", OWNER, "--actor-type", "human"]);
  expectKind(next(), "terminal");
  demo.spec(["runs", "list"]);

  demo.banner("merging and accepting: approved -> done, the mission closed, acceptance recorded");
  demo.spec(["merge", "--mission", slug, "--dry-run"]);
  demo.spec(["merge", "--mission", slug, "--actor", OWNER]);
  demo.say("merge again: everything is merged already; nothing is written or announced:");
  demo.spec(["merge", "--mission", slug, "--actor", OWNER]);
  demo.spec(["accept", "--mission", slug, "--actor", OWNER, "--mode", "local"]);
  demo.spec(["status", "--mission", slug]);
  demo.exec("git", ["log", "--oneline", "--graph", "-14"]);
};
