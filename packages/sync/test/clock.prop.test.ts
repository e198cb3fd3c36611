import { FastCheck } from "effect";
import { describe, expect, it } from "vitest";
import { OutboxStore, targetKey } from "../src/index.ts";
import { tempDir } from "./support/repo.ts";

const P = "11111111-1111-4111-8111-111111111111";
const T = targetKey("https://s", "t");

type Op = { kind: "capture" } | { kind: "receive"; value: number } | { kind: "deliver" } | { kind: "gc" };
const op: FastCheck.Arbitrary<Op> = FastCheck.oneof(
  FastCheck.constant({ kind: "capture" as const }),
  FastCheck.constant({ kind: "capture" as const }),
  FastCheck.integer({ min: 0, max: 10_000 }).map((value) => ({ kind: "receive" as const, value })),
  FastCheck.constant({ kind: "deliver" as const }),
  FastCheck.constant({ kind: "gc" as const }),
);

describe("Lamport clock laws (property)", () => {
  it("every capture is above every value allocated or received before it, whatever delivery and gc do", () => {
    let now = 0;
    const store = OutboxStore.open(tempDir(), { now: () => now });
    let n = 0;
    FastCheck.assert(
      FastCheck.property(FastCheck.array(op, { maxLength: 40 }), (ops) => {
        let floor = store.lamport();
        for (const o of ops) {
          now += 1000;
          if (o.kind === "capture") {
            const id = `e${n++}`;
            const r = store.capture({ eventId: id, eventType: "X", projectUuid: P, repoRoot: null, envelope: { event_id: id, lamport_clock: 0 } });
            expect(r.lamport).toBeGreaterThan(floor);
            expect(JSON.parse(store.envelope(id)!).lamport_clock).toBe(r.lamport);
            floor = r.lamport;
          } else if (o.kind === "receive") {
            const after = store.receive(o.value);
            expect(after).toBe(Math.max(floor, o.value));
            floor = after;
          } else if (o.kind === "deliver") {
            const batch = store.project(P).selectBatch(T, { maxEvents: 3 });
            store.project(P).record(T, batch.map((e) => ({ eventId: e.eventId, outcome: "delivered" as const })));
          } else {
            store.gc(500);
          }
          expect(store.lamport()).toBe(floor);
        }
      }),
      { numRuns: 60 },
    );
    store.close();
  });
});
