import { FastCheck as fc } from "effect";
import { assert, describe, it } from "vitest";
import type { Notice } from "../src/realtime/notifier.ts";
import { encode, MAX_PAYLOAD_BYTES } from "../src/realtime/pg-notifier.ts";

const notice = (seq: number, envelope: string): Notice => ({
  teamId: "team",
  projectUuid: null,
  missionKey: null,
  seq,
  eventId: `E${seq}`,
  eventType: "WPCreated",
  envelope,
});

type Decoded = { n?: Array<Notice>; r?: Array<[number, number]> };

describe("NOTIFY payload encoding", () => {
  it("every payload fits PostgreSQL's limit and the payloads name exactly the published seqs", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 200_000 }), { minLength: 1, maxLength: 3000 }),
        fc.string({ maxLength: 3000 }),
        (seqs, envelope) => {
          const notices = seqs.map((s) => notice(s, envelope));
          const payloads = encode("origin-1", "team", notices);
          const named = new Set<number>();
          for (const p of payloads) {
            assert.isAtMost(Buffer.byteLength(p), MAX_PAYLOAD_BYTES);
            const m = JSON.parse(p) as Decoded;
            if (m.n !== undefined) {
              assert.strictEqual(payloads.length, 1, "an inline publication is one message");
              assert.deepStrictEqual(m.n, notices);
              m.n.forEach((x) => named.add(x.seq));
            }
            for (const [from, to] of m.r ?? []) {
              assert.isAtMost(from, to);
              for (let s = from; s <= to; s++) {
                assert.isFalse(named.has(s), `seq ${s} named twice`);
                named.add(s);
              }
            }
          }
          assert.deepStrictEqual([...named].sort((a, b) => a - b), [...seqs].sort((a, b) => a - b));
        },
      ),
      { numRuns: 200 },
    );
  });
});
