import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { mapBatchResponse, retryAfterMs } from "../src/index.ts";

const FIXTURES = resolve(import.meta.dirname, "../../../../shared/fixtures/sync-contract");

interface Fixture {
  readonly request: { readonly events: ReadonlyArray<{ readonly event_id: string }> };
  readonly expected_response: { readonly status_code: number; readonly body: unknown };
}
const fixture = (name: string): Fixture => JSON.parse(readFileSync(join(FIXTURES, name), "utf8")) as Fixture;

const mapFixture = (name: string) => {
  const f = fixture(name);
  return mapBatchResponse(
    { status: f.expected_response.status_code, body: JSON.stringify(f.expected_response.body), retryAfter: null },
    f.request.events.map((e) => e.event_id),
  );
};

describe("mapBatchResponse on the contract fixtures", () => {
  it("fixture 01/02: every event synced", () => {
    for (const name of ["fixture_01_single_wp_status_changed.json", "fixture_02_mixed_batch.json"]) {
      const verdict = mapFixture(name);
      expect(verdict.kind).toBe("adjudicated");
      if (verdict.kind === "adjudicated") expect(verdict.outcomes.every((o) => o.kind === "synced")).toBe(true);
    }
  });
  it("fixture 03: duplicate", () => {
    const verdict = mapFixture("fixture_03_duplicate_event.json");
    expect(verdict).toEqual({ kind: "adjudicated", outcomes: [{ eventId: "01JMBY7K8N3QRVX2DPFG5HWT4E", kind: "duplicate" }] });
  });
  it("fixture 04: rejected with a schema_mismatch category", () => {
    const verdict = mapFixture("fixture_04_rejected_event.json");
    expect(verdict.kind).toBe("adjudicated");
    if (verdict.kind === "adjudicated") expect(verdict.outcomes[0]).toMatchObject({ kind: "rejected", category: "schema_mismatch" });
  });
  it("fixture 05: the 400 with details rejects the named event", () => {
    const verdict = mapFixture("fixture_05_http_400_error.json");
    expect(verdict.kind).toBe("adjudicated");
    if (verdict.kind === "adjudicated") expect(verdict.outcomes[0]?.kind).toBe("rejected");
  });
});

describe("mapBatchResponse edge cases", () => {
  const ids = ["A", "B"];
  it("412 halts with the server's guidance", () => {
    const body = { ok: false, error_code: "client-too-old", sync_protocol: { upgrade_guidance: "upgrade spec-kitty to 3.3" } };
    expect(mapBatchResponse({ status: 412, body: JSON.stringify(body), retryAfter: null }, ids)).toEqual({
      kind: "halt",
      code: "client-too-old",
      guidance: "upgrade spec-kitty to 3.3",
    });
  });
  it("413 shrinks with the body's limits; a single event is parked", () => {
    const body = { error: "Batch payload exceeds decompressed byte limit", limits: { max_events_per_batch: 25 } };
    expect(mapBatchResponse({ status: 413, body: JSON.stringify(body), retryAfter: null }, ids)).toMatchObject({
      kind: "shrink",
      limits: { maxEventsPerBatch: 25 },
    });
    const one = mapBatchResponse({ status: 413, body: "", retryAfter: null }, ["A"]);
    expect(one).toMatchObject({ kind: "adjudicated", outcomes: [{ eventId: "A", kind: "parked" }] });
  });
  it("a project-refused category parks instead of retrying", () => {
    const body = { results: [{ event_id: "A", status: "rejected", error_category: "project_not_admitted" }] };
    const verdict = mapBatchResponse({ status: 200, body: JSON.stringify(body), retryAfter: null }, ["A"]);
    expect(verdict).toMatchObject({ kind: "adjudicated", outcomes: [{ kind: "parked", category: "project_not_admitted" }] });
  });
  it("429 honours Retry-After clamped to the advertised bounds", () => {
    const verdict = mapBatchResponse({ status: 429, body: "", retryAfter: "120" }, ids, { retryAfterMinSeconds: 5, retryAfterMaxSeconds: 60 });
    expect(verdict).toMatchObject({ kind: "transient", category: "throttled", retryAfterMs: 60_000 });
    expect(retryAfterMs("1", { retryAfterMinSeconds: 5 })).toBe(5_000);
    expect(retryAfterMs("Thu, 01 Jan 1970 00:00:10 GMT", {}, 4_000)).toBe(6_000);
    expect(retryAfterMs(null, {})).toBeNull();
  });
});
