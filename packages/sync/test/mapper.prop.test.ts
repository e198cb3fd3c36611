import { FastCheck as fc } from "effect";
import { describe, expect, it } from "vitest";
import { mapBatchResponse, type BatchResponse } from "../src/index.ts";

const ulidChar = fc.constantFrom(..."0123456789ABCDEFGHJKMNPQRSTVWXYZ");
const eventId = fc.array(ulidChar, { minLength: 26, maxLength: 26 }).map((chars) => chars.join(""));
const eventIds = fc.uniqueArray(eventId, { minLength: 1, maxLength: 12 });

/** Per-event statuses as the reference servers send them, with the outcome each must map to (independent table). */
const STATUS_TABLE: ReadonlyArray<readonly [string, string]> = [
  ["success", "synced"],
  ["accepted", "synced"],
  ["warning", "synced"],
  ["duplicate", "duplicate"],
  ["queued", "pending"],
  ["pending", "pending"],
  ["rejected", "rejected"],
  ["error", "rejected"],
  ["weird-status", "rejected"],
];

const anyBody = fc.oneof(
  fc.string(),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc.constant(""),
  fc.constant("<html>bad gateway</html>"),
  fc.constant('{"error":"Token expired or invalid"}'),
  fc.constant('{"error":"rate limit"}'),
);

const response = (status: number, body: string, retryAfter: string | null = null): BatchResponse => ({ status, body, retryAfter });

describe("mapBatchResponse", () => {
  it("maps every event of a 200 answer to exactly one outcome following the status table; missing events stay pending", () => {
    fc.assert(
      fc.property(
        eventIds.chain((ids) =>
          fc.tuple(
            fc.constant(ids),
            fc.array(fc.option(fc.constantFrom(...STATUS_TABLE), { nil: undefined }), { minLength: ids.length, maxLength: ids.length }),
            fc.boolean(),
          ),
        ),
        ([ids, statuses, shuffle]) => {
          const results = ids.flatMap((id, i) => {
            const entry = statuses[i];
            return entry === undefined ? [] : [{ event_id: id, status: entry[0], error: "Invalid payload: missing field" }];
          });
          if (shuffle) results.reverse();
          const verdict = mapBatchResponse(response(200, JSON.stringify({ results })), ids);
          expect(verdict.kind).toBe("adjudicated");
          if (verdict.kind !== "adjudicated") return;
          expect(verdict.outcomes.map((o) => o.eventId)).toEqual(ids);
          verdict.outcomes.forEach((outcome, i) => {
            const entry = statuses[i];
            expect(outcome.kind).toBe(entry === undefined ? "pending" : entry[1]);
          });
        },
      ),
      { numRuns: 300 },
    );
  });

  it("never bumps or parks an event on batch-level failures (401, 403, 408, 429, 5xx, no answer)", () => {
    const batchLevel = fc.oneof(fc.constantFrom(0, 401, 403, 408, 429), fc.integer({ min: 500, max: 599 }));
    fc.assert(
      fc.property(batchLevel, anyBody, eventIds, fc.option(fc.constantFrom("0", "3", "120", "Wed, 21 Oct 2099 07:28:00 GMT", "soon")), (status, body, ids, retry) => {
        const verdict = mapBatchResponse({ status, body, retryAfter: retry ?? null, transportError: "ECONNRESET" }, ids);
        if (status === 401) expect(verdict.kind).toBe("unauthorized");
        else {
          expect(verdict.kind).toBe("transient");
          if (verdict.kind === "transient" && verdict.retryAfterMs !== null) {
            expect(verdict.retryAfterMs).toBeGreaterThanOrEqual(0);
            expect(verdict.retryAfterMs).toBeLessThanOrEqual(3_600_000);
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it("a 400 names the refused events; the events it does not name stay pending; without details it bisects", () => {
    fc.assert(
      fc.property(
        eventIds.chain((ids) => fc.tuple(fc.constant(ids), fc.subarray(ids), fc.boolean())),
        ([ids, refused, asString]) => {
          const details = refused.map((id) => ({ event_id: id, error: "Invalid schema: field x" }));
          const body = { error: "Batch validation failed", details: asString ? JSON.stringify(details) : details };
          const verdict = mapBatchResponse(response(400, JSON.stringify(body)), ids);
          if (refused.length === 0) {
            expect(verdict.kind).toBe(ids.length === 1 ? "adjudicated" : "bisect");
            return;
          }
          expect(verdict.kind).toBe("adjudicated");
          if (verdict.kind !== "adjudicated") return;
          const refusedSet = new Set(refused);
          for (const outcome of verdict.outcomes) expect(outcome.kind).toBe(refusedSet.has(outcome.eventId) ? "rejected" : "pending");
        },
      ),
      { numRuns: 300 },
    );
  });

  it("whatever the status and body: never throws, adjudicates each sent event once, bumps only on 200/400 answers", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 599 }), anyBody, eventIds, (status, body, ids) => {
        const verdict = mapBatchResponse(response(status, body), ids);
        if (verdict.kind === "adjudicated") {
          expect(verdict.outcomes.map((o) => o.eventId)).toEqual(ids);
          const bumps = verdict.outcomes.some((o) => o.kind === "rejected" || o.kind === "parked");
          if (bumps) expect([200, 400, 413].includes(status) || (status >= 400 && status < 500)).toBe(true);
          if (verdict.outcomes.some((o) => o.kind === "synced" || o.kind === "duplicate")) expect(status).toBe(200);
        }
        if (status === 412) expect(verdict.kind).toBe("halt");
        if (status === 413) expect(verdict.kind).toBe(ids.length === 1 ? "adjudicated" : "shrink");
        if (verdict.kind === "shrink" || verdict.kind === "bisect") expect(ids.length).toBeGreaterThan(1);
        if (status !== 200 && status !== 400 && status !== 413 && (status < 400 || status >= 500 || [401, 403, 408, 429].includes(status)))
          expect(verdict.kind === "adjudicated").toBe(false);
      }),
      { numRuns: 1000 },
    );
  });
});
