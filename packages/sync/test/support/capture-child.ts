// Captures events in a loop and reports each one once `capture` has returned (one line on stdout, written
// synchronously), so a parent can check that everything reported survived the process.
// argv: runtime root, project uuid, count (0 = until killed), tag
import { writeSync } from "node:fs";
import { OutboxStore } from "../../src/index.ts";

const [root, project, countText, tag] = process.argv.slice(2) as [string, string, string, string];
const count = Number(countText);
const store = OutboxStore.open(root, { busyTimeoutMs: 20_000 });
writeSync(1, "ready\n");
for (let i = 0; count === 0 || i < count; i++) {
  const eventId = `${tag}-${String(i).padStart(7, "0")}`;
  const r = store.capture({
    eventId,
    eventType: "WPStatusChanged",
    projectUuid: project,
    repoRoot: null,
    envelope: { event_id: eventId, event_type: "WPStatusChanged", lamport_clock: 0, payload: { i, pad: "x".repeat(i % 200) } },
  });
  writeSync(1, `${eventId} ${r.lamport}\n`);
}
store.close();
