import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { drain, type DrainOptions } from "../src/index.ts";
import { startFakeServer, type FakeServer } from "./support/fake-server.ts";
import { MemoryOutbox } from "./support/memory-outbox.ts";

const PROJECT = "11111111-2222-4333-8444-555555555555";
const OTHER = "99999999-2222-4333-8444-555555555555";

let server: FakeServer;
beforeEach(async () => {
  server = await startFakeServer();
});
afterEach(async () => {
  await server.close();
});

const options = (outbox: MemoryOutbox, extra: Partial<DrainOptions> = {}): DrainOptions => ({
  outbox,
  projectUuid: PROJECT,
  target: `${server.url}#team-a`,
  serverUrl: server.url,
  accessToken: async () => "good-token",
  refresh: async () => null,
  ...extra,
});

describe("drain over HTTP", () => {
  it("delivers every event of the project once, in batches within the byte budget, and none of another project", async () => {
    const outbox = new MemoryOutbox();
    const ids = outbox.add(PROJECT, 2500, (i) => ({ payload: "x".repeat(i % 7 === 0 ? 600 : 50) }));
    outbox.add(OTHER, 40);
    const result = await drain(options(outbox));
    expect(result.stop).toEqual({ kind: "drained" });
    expect(result.counts.synced).toBe(2500);
    expect(result.remaining).toBe(0);
    expect([...server.stored.keys()].sort()).toEqual([...ids].sort());
    expect([...server.stored.values()].every((n) => n === 1)).toBe(true);
    for (const request of server.requests) {
      expect(request.eventIds.length).toBeLessThanOrEqual(1000);
      expect(request.headers["content-encoding"]).toBe("gzip");
      expect(request.headers["x-spec-kitty-sync-protocol"]).toBe("2.0");
    }
  });

  it("a rejected event bumps only itself and does not hold back the events after it", async () => {
    const outbox = new MemoryOutbox();
    const ids = outbox.add(PROJECT, 30);
    server.rejectIds.add(ids[0] as string);
    const result = await drain(options(outbox));
    expect(result.counts).toMatchObject({ synced: 29, rejected: 1 });
    expect(outbox.retries.get(ids[0] as string)).toBe(1);
    expect(outbox.retries.size).toBe(1);
    expect(result.remaining).toBe(1);
  });

  it("batch-level 5xx, 429 and resets never bump retries; the pass retries and then delivers", async () => {
    const outbox = new MemoryOutbox();
    outbox.add(PROJECT, 10);
    server.faults.push({ kind: "status", status: 503, body: { error: "unavailable" } }, { kind: "reset" }, { kind: "status", status: 429, headers: { "Retry-After": "0" } });
    const result = await drain(options(outbox, { transientRetries: 3 }));
    expect(result.stop.kind).toBe("drained");
    expect(result.counts.synced).toBe(10);
    expect(outbox.retries.size).toBe(0);
  });

  it("a Retry-After longer than the pass may wait ends the pass at once instead of sleeping", async () => {
    const outbox = new MemoryOutbox();
    outbox.add(PROJECT, 3);
    server.faults.push({ kind: "status", status: 429, headers: { "Retry-After": "600" } });
    const started = Date.now();
    const result = await drain(options(outbox, { transientRetries: 3, maxWaitMs: 1000 }));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(result.stop).toMatchObject({ kind: "transient", category: "throttled", retryAfterMs: 600_000 });
    expect(result.remaining).toBe(3);
  });

  it("a transient failure without retries left ends the pass with every event untouched", async () => {
    const outbox = new MemoryOutbox();
    outbox.add(PROJECT, 10);
    server.faults.push({ kind: "status", status: 500, body: { error: "internal" } });
    const result = await drain(options(outbox));
    expect(result.stop).toMatchObject({ kind: "transient", category: "server_error" });
    expect(result.remaining).toBe(10);
    expect(outbox.records).toHaveLength(0);
  });

  it("400 without details bisects down to the poison event; the innocent ones are delivered", async () => {
    const outbox = new MemoryOutbox();
    const ids = outbox.add(PROJECT, 8);
    let calls = 0;
    const result = await drain(
      options(outbox, {
        send: async (events) => {
          calls += 1;
          if (events.some((e) => e.includes(ids[5] as string))) return { status: 400, body: '{"error":"bad batch"}', retryAfter: null };
          const results = events.map((e) => ({ event_id: (JSON.parse(e) as { event_id: string }).event_id, status: "success" }));
          return { status: 200, body: JSON.stringify({ results }), retryAfter: null };
        },
      }),
    );
    expect(result.counts).toMatchObject({ synced: 7, rejected: 1 });
    expect(result.failures.map((f) => f.eventId)).toEqual([ids[5]]);
    expect(calls).toBeLessThan(10);
  });

  it("413 shrinks the batch; a single event above the server's limit is parked and the drain goes on", async () => {
    const outbox = new MemoryOutbox();
    const ids = outbox.add(PROJECT, 20, (i) => ({ payload: "y".repeat(i === 3 ? 5000 : 200) }));
    server.maxBytes = 3000;
    const result = await drain(options(outbox));
    expect(result.stop.kind).toBe("drained");
    expect(result.counts).toMatchObject({ synced: 19, parked: 1 });
    expect(result.failures[0]).toMatchObject({ eventId: ids[3], kind: "parked" });
    expect(server.stored.size).toBe(19);
  });

  it("401 refreshes once and resends; a refused refresh ends the pass as unauthenticated with nothing bumped", async () => {
    const outbox = new MemoryOutbox();
    outbox.add(PROJECT, 5);
    const ok = await drain(options(outbox, { accessToken: async () => "stale", refresh: async () => "good-token" }));
    expect(ok.counts.synced).toBe(5);
    const outbox2 = new MemoryOutbox();
    outbox2.add(PROJECT, 5);
    const refused = await drain(options(outbox2, { accessToken: async () => "stale", refresh: async () => null }));
    expect(refused.stop.kind).toBe("unauthenticated");
    expect(outbox2.records).toHaveLength(0);
  });

  it("412 halts the pass and carries the server's guidance", async () => {
    const outbox = new MemoryOutbox();
    outbox.add(PROJECT, 5);
    server.faults.push({ kind: "status", status: 412, body: { error_code: "client-too-new", sync_protocol: { upgrade_guidance: "pin spec-kitty below 4" } } });
    const result = await drain(options(outbox, { transientRetries: 5 }));
    expect(result.stop).toEqual({ kind: "halted", code: "client-too-new", message: "pin spec-kitty below 4" });
  });

  it("a hanging server is cut off by the caller's deadline", async () => {
    const outbox = new MemoryOutbox();
    outbox.add(PROJECT, 5);
    server.faults.push({ kind: "hang" });
    const started = Date.now();
    const result = await drain(options(outbox, { signal: AbortSignal.timeout(300) }));
    expect(Date.now() - started).toBeLessThan(3000);
    expect(["aborted", "transient"]).toContain(result.stop.kind);
    expect(result.remaining).toBe(5);
  });
});
