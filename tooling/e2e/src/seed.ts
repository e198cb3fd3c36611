/**
 * `node tooling/e2e/src/seed.ts COUNT [--mission SLUG]`: captures COUNT WPStatusChanged events for the project of
 * the working directory through the emission funnel (the path every command's events take), then prints the
 * captured event ids, one per line. Used by the end-to-end tests and the delivery benchmark to fill an outbox
 * quickly without running COUNT commands.
 */
import { EmissionFunnel } from "@spec-kitty/sync";

const count = Number(process.argv[2]);
if (!Number.isSafeInteger(count) || count < 0) {
  process.stderr.write("usage: seed.ts COUNT\n");
  process.exit(2);
}
const LANES = ["planned", "claimed", "in_progress", "for_review", "in_review"] as const;
const funnel = new EmissionFunnel({ cwd: process.cwd() });
const ids: Array<string> = [];
for (let i = 0; i < count; i += 1) {
  const from = LANES[i % (LANES.length - 1)] as string;
  const to = LANES[(i % (LANES.length - 1)) + 1] as string;
  const wp = `WP${String((Math.floor(i / 6) % 99) + 1).padStart(2, "0")}`;
  const result = await funnel.emit({
    eventType: "WPStatusChanged",
    aggregateId: wp,
    aggregateType: "WorkPackage",
    payload: { mission_slug: "001-e2e", wp_id: wp, from_lane: from, to_lane: to, actor: "e2e", force: false, reason: null, execution_mode: "worktree", review_ref: null, evidence: null },
  });
  if (result.outcome !== "captured") {
    process.stderr.write(`event ${i} not captured: ${result.outcome}\n`);
    process.exit(1);
  }
  ids.push(result.eventId);
}
funnel.close();
process.stdout.write(ids.length > 0 ? `${ids.join("\n")}\n` : "");
