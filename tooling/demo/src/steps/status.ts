import type { Demo } from "../demo.ts";
import { MISSION_SLUG } from "./mission.ts";

/** Work packages move through the lanes with move-task; each move is one commit; the FSM refuses a bad move. */
export const statusSteps = (demo: Demo): void => {
  demo.banner("moving work packages through the lanes");
  demo.spec(["status", "--mission", MISSION_SLUG]);
  const move = (wp: string, lane: string, actor: string, extra: ReadonlyArray<string> = []) =>
    demo.spec(["agent", "tasks", "move-task", wp, "--to", lane, "--mission", MISSION_SLUG, "--actor", actor, ...extra]);
  move("WP01", "claimed", "alice");
  move("WP01", "in_progress", "alice");
  move("WP02", "claimed", "bob");
  move("WP01", "for_review", "alice");
  demo.say("the FSM refuses a work package that skips review (exit 1, nothing written):");
  demo.spec(["agent", "tasks", "move-task", "WP03", "--to", "done", "--mission", MISSION_SLUG, "--actor", "carol"], {
    expectStatus: 1,
  });
  demo.spec(["status", "--mission", MISSION_SLUG]);
  demo.spec(["agent", "status", "validate", "--mission", MISSION_SLUG]);
  demo.exec("git", ["log", "--oneline", "-8"]);
};
