import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Demo } from "../demo.ts";
import { MISSION_SLUG, OWNER } from "./mission.ts";

interface NextDecision {
  readonly kind: string;
  readonly step_id: string | null;
  readonly wp_id: string | null;
  readonly decision_id: string | null;
  readonly question: string | null;
  readonly reason: string | null;
}

/** A mission run walked to the end: a required input answered, WP gating through move-task, an audit sign-off. */
export const runSteps = (demo: Demo): void => {
  demo.banner("a mission run: spec-kitty next");
  const next = (...extra: ReadonlyArray<string>): NextDecision => {
    const result = demo.spec(["next", "--mission", MISSION_SLUG, "--agent", "alice", "--json", ...extra], { quiet: true });
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
  const move = (wp: string, lane: string, extra: ReadonlyArray<string> = []) =>
    demo.spec(["agent", "tasks", "move-task", wp, "--to", lane, "--mission", MISSION_SLUG, "--actor", "alice", ...extra]);
  const expectKind = (decision: NextDecision, kind: string, step?: string) => {
    if (decision.kind !== kind || (step !== undefined && decision.step_id !== step)) {
      throw new Error(`expected ${kind}${step === undefined ? "" : ` ${step}`}, got ${JSON.stringify(decision)}`);
    }
  };

  const ask = next();
  expectKind(ask, "decision_required");
  demo.spec(["next", "answer", "input:mission_owner_id", OWNER, "--mission", MISSION_SLUG, "--actor-id", OWNER, "--actor-type", "human"]);
  expectKind(next(), "step", "specify");
  expectKind(next("--result", "success"), "step", "implement");

  demo.say("implement stays until every work package is in review; moving them with move-task:");
  for (const [wp, lanes] of [["WP02", ["in_progress", "for_review"]], ["WP03", ["claimed", "in_progress", "for_review"]]] as const) {
    for (const lane of lanes) move(wp, lane);
  }
  expectKind(next("--result", "success"), "step", "review");

  demo.say("review stays until every work package is approved; approving them with review evidence:");
  const evidence = join(demo.root, ".review-evidence.json");
  writeFileSync(evidence, JSON.stringify({ review: { reviewer: "rita", verdict: "approved", reference: "review/checkout#1" } }));
  for (const wp of ["WP01", "WP02", "WP03"]) {
    move(wp, "in_review");
    move(wp, "approved", ["--evidence", evidence]);
  }
  const audit = next("--result", "success");
  expectKind(audit, "decision_required");
  demo.say("the blocking audit checkpoint is answered only by the mission owner:");
  demo.spec(["next", "answer", audit.decision_id ?? "", "approve", "--mission", MISSION_SLUG, "--actor-id", "mallory", "--actor-type", "human"], { expectStatus: 1 });
  demo.spec(["next", "answer", audit.decision_id ?? "", "approve", "--mission", MISSION_SLUG, "--actor-id", OWNER, "--actor-type", "human"]);
  expectKind(next(), "terminal");
  demo.spec(["runs", "list"]);
  demo.spec(["status", "--mission", MISSION_SLUG]);
};
