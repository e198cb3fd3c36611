/**
 * A separate Node process that moves work packages through MissionStatus, for the concurrency test.
 * Argument: JSON {repo, mission, wp, lanes[], actor, barrier}. Loads the mission, waits at the barrier so
 * every worker starts together, then performs the moves in order and prints one JSON line per move.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { MissionStatus } from "../../src/index.ts";

interface Job {
  readonly repo: string;
  readonly mission: string;
  readonly wp: string;
  readonly lanes: readonly string[];
  readonly actor: string;
  /** The worker announces itself with `ready-<wp>-<actor>` here, then waits for a `go` file. */
  readonly barrier: string;
}

const job = JSON.parse(process.argv[2] ?? "{}") as Job;
const status = await MissionStatus.load(job.repo, job.mission);
writeFileSync(join(job.barrier, `ready-${job.wp}-${job.actor}`), "");
while (!existsSync(join(job.barrier, "go"))) await new Promise((resolve) => setTimeout(resolve, 5));
for (const lane of job.lanes) {
  try {
    const { event, receipt } = await status.transition({ wpId: job.wp, toLane: lane, actor: job.actor, reason: "cycle" });
    process.stdout.write(
      `${JSON.stringify({ ok: true, wp: job.wp, from: event.from_lane, to: event.to_lane, eventId: event.event_id, eventIds: receipt.eventIds, commit: receipt.commitSha })}\n`,
    );
  } catch (error) {
    const e = error as { _tag?: string; code?: string; message?: string };
    process.stdout.write(`${JSON.stringify({ ok: false, wp: job.wp, to: lane, tag: e._tag ?? null, code: e.code ?? null, message: e.message ?? String(error) })}\n`);
  }
}
