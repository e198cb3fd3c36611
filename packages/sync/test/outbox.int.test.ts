import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { OutboxError, OutboxStore, outboxPath, targetKey, type CaptureInput } from "../src/index.ts";

const roots: OutboxStore[] = [];
const open = (root = mkdtempSync(join(tmpdir(), "sk-outbox-")), now?: () => number): OutboxStore => {
  const s = OutboxStore.open(root, now ? { now } : {});
  roots.push(s);
  return s;
};
afterEach(() => {
  for (const s of roots.splice(0)) s.close();
});

let n = 0;
const input = (project: string | null, extra: Partial<CaptureInput> = {}): CaptureInput => {
  n++;
  const eventId = `01J00000000000000000${String(n).padStart(6, "0")}`;
  return {
    eventId,
    eventType: "WPStatusChanged",
    projectUuid: project,
    repoRoot: "/repo/a",
    envelope: { event_id: eventId, event_type: "WPStatusChanged", lamport_clock: 0, project_uuid: project, payload: { n } },
    ...(project === null ? { blockedReason: "missing_identity" as const } : {}),
    ...extra,
  };
};
const P = "11111111-1111-4111-8111-111111111111";
const Q = "22222222-2222-4222-8222-222222222222";
const T = targetKey("https://sync.example/", "team-a");

describe("outbox capture", () => {
  it("allocates strictly increasing Lamport values and stamps them into the envelope", () => {
    const s = open();
    const a = s.capture(input(P));
    const b = s.capture(input(P));
    expect([a.lamport, b.lamport]).toEqual([1, 2]);
    expect(JSON.parse(s.envelope(b.eventId)!).lamport_clock).toBe(2);
    expect(s.lamport()).toBe(2);
  });

  it("captures an event id once", () => {
    const s = open();
    const i = input(P);
    const a = s.capture(i);
    const b = s.capture(i);
    expect(b).toEqual(a);
    expect(s.allEvents()).toHaveLength(1);
  });

  it("receive advances the clock past a remote value and never moves it back", () => {
    const s = open();
    s.capture(input(P));
    expect(s.receive(40)).toBe(40);
    expect(s.receive(3)).toBe(40);
    expect(s.capture(input(P)).lamport).toBe(41);
  });

  it("keeps the clock across gc", () => {
    let now = 1_000;
    const s = open(undefined, () => now);
    const e = s.capture(input(P));
    s.project(P).record(T, [{ eventId: e.eventId, outcome: "delivered" }]);
    now = 100_000;
    expect(s.gc(10_000).removed).toBe(1);
    expect(s.capture(input(P)).lamport).toBe(2);
  });
});

describe("outbox delivery API", () => {
  it("selects one project's events in capture order, never blocked or parked ones", () => {
    const s = open();
    const p1 = s.capture(input(P));
    s.capture(input(Q));
    s.capture(input(null));
    s.capture(input(P, { parkedReason: "invalid_envelope", violations: [{ code: "X" }] }));
    const p2 = s.capture(input(P));
    const batch = s.project(P).selectBatch(T);
    expect(batch.map((e) => e.eventId)).toEqual([p1.eventId, p2.eventId]);
    expect(new Set(batch.map((e) => e.projectUuid))).toEqual(new Set([P]));
    expect(s.projectsWithUndelivered()).toEqual([P, Q]);
  });

  it("records outcomes per target; delivered and duplicate are terminal, retry waits, parked is never selected", () => {
    let now = 1_000;
    const s = open(undefined, () => now);
    const ids = [1, 2, 3, 4].map(() => s.capture(input(P)).eventId);
    const p = s.project(P);
    const r = p.record(T, [
      { eventId: ids[0]!, outcome: "delivered" },
      { eventId: ids[1]!, outcome: "duplicate" },
      { eventId: ids[2]!, outcome: "retry", reason: "rejected: bad lane", nextAttemptAt: 5_000 },
      { eventId: ids[3]!, outcome: "parked", reason: "oversized event" },
    ]);
    expect(r).toEqual({ recorded: 4, delivered: 1, duplicate: 1, retry: 1, parked: 1 });
    expect(p.selectBatch(T)).toEqual([]);
    now = 5_000;
    expect(p.selectBatch(T).map((e) => [e.eventId, e.attempts])).toEqual([[ids[2], 1]]);
    // another target has seen nothing yet
    expect(p.selectBatch(targetKey("https://other", "t")).map((e) => e.eventId)).toEqual(ids);
    // a terminal state is not overwritten
    p.record(T, [{ eventId: ids[0]!, outcome: "retry", reason: "late", nextAttemptAt: 0 }]);
    const c = p.counters(T);
    expect(c).toMatchObject({ pending: 0, delivered: 1, duplicate: 1, retry: 1, parked: 1, lastSuccessAt: 1_000 });
    expect(c.lastError).toContain("late");
  });

  it("refuses an outcome for another project's event and records nothing of that call", () => {
    const s = open();
    const a = s.capture(input(P));
    const b = s.capture(input(Q));
    expect(() =>
      s.project(P).record(T, [
        { eventId: a.eventId, outcome: "delivered" },
        { eventId: b.eventId, outcome: "delivered" },
      ]),
    ).toThrow(OutboxError);
    expect(s.project(P).counters(T).delivered).toBe(0);
  });

  it("a batch-level failure stamps the attempt but no event's attempts", () => {
    const s = open(undefined, () => 7);
    const a = s.capture(input(P));
    s.project(P).recordFailure(T, "HTTP 503");
    expect(s.project(P).counters(T)).toMatchObject({ pending: 1, lastAttemptAt: 7, lastError: "HTTP 503", lastSuccessAt: null });
    expect(s.project(P).selectBatch(T)[0]).toMatchObject({ eventId: a.eventId, attempts: 0 });
  });

  it("respects the byte budget, returning an oversized event alone", () => {
    const s = open();
    for (let i = 0; i < 5; i++) s.capture(input(P));
    const one = s.project(P).selectBatch(T)[0]!;
    const two = s.project(P).selectBatch(T, { maxBytes: 14 + 2 * (one.bytes + 2) + 1 });
    expect(two).toHaveLength(2);
    expect(s.project(P).selectBatch(T, { maxBytes: 10 })).toHaveLength(1);
    expect(s.project(P).selectBatch(T, { maxEvents: 3 })).toHaveLength(3);
  });

  it("adopts events captured without identity once the identity exists", () => {
    const s = open();
    const e = s.capture(input(null));
    expect(s.project(P).selectBatch(T)).toEqual([]);
    expect(s.adoptUnidentified("/repo/a", { projectUuid: P, projectSlug: "a", buildId: "b-1" })).toBe(1);
    const [got] = s.project(P).selectBatch(T);
    expect(got?.eventId).toBe(e.eventId);
    expect(JSON.parse(got!.json)).toMatchObject({ project_uuid: P, project_slug: "a", build_id: "b-1" });
    expect(got!.bytes).toBe(Buffer.byteLength(got!.json));
  });

  it("reports status counters from the same tables", () => {
    const s = open();
    const a = s.capture(input(P));
    s.capture(input(P));
    s.capture(input(null));
    s.capture(input(P, { parkedReason: "invalid_envelope", violations: [{ code: "PAYLOAD_SCHEMA_FAIL" }] }));
    s.project(P).record(T, [{ eventId: a.eventId, outcome: "delivered" }]);
    const st = s.stats();
    expect(st.totalEvents).toBe(4);
    expect(st.undelivered).toBe(2);
    const p = st.projects.find((x) => x.projectUuid === P)!;
    expect(p).toMatchObject({ captured: 3, undelivered: 1, parked: { invalid_envelope: 1 } });
    expect(p.targets[0]).toMatchObject({ target: T, pending: 1, delivered: 1 });
    const u = st.projects.find((x) => x.projectUuid === null)!;
    expect(u).toMatchObject({ repoRoot: "/repo/a", blocked: { missing_identity: 1 }, undelivered: 1 });
    expect(st.parkedEvents).toHaveLength(1);
    expect(st.parkedEvents[0]!.violations).toEqual([{ code: "PAYLOAD_SCHEMA_FAIL" }]);
  });
});

describe("outbox failures", () => {
  it("names a corrupt database file", () => {
    const root = mkdtempSync(join(tmpdir(), "sk-outbox-"));
    const s = open(root);
    s.close();
    writeFileSync(outboxPath(root), "this is not sqlite at all, just text ".repeat(200));
    try {
      OutboxStore.open(root);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(OutboxError);
      expect((e as OutboxError).code).toBe("OUTBOX_CORRUPT");
      expect((e as OutboxError).message).toContain(outboxPath(root));
    }
  });
});
