/**
 * Fuzzing the ingest path with mutated envelopes and batches: bad JSON, bad gzip, huge strings, deep nesting,
 * wrong types, forbidden keys, transport extras, odd ids. Nothing may crash or answer 500, and every refusal
 * carries a code. Most cases run in-process (the envelope judge, then the whole request handler); a smaller
 * sample goes over real HTTP. Sizes: 100,000 envelopes + 6,000 in-process batches + 300 HTTP batches.
 */
import { gzipSync } from "node:zlib";
import { afterAll, assert, beforeAll, describe, it } from "vitest";
import { startServer, type RunningServer } from "../src/http/server.ts";
import { checkItem, judge } from "../src/ingest/envelope.ts";
import { InProcessNotifier } from "../src/realtime/notifier.ts";
import { silentLogger } from "../src/util/log.ts";
import { harness, seedTeam, statusEvent, ulidOf, type Harness } from "./support.ts";

const SEED = Number(process.env["SK_FUZZ_SEED"] ?? 20261204);

/** mulberry32: small, fast, reproducible. */
const prng = (seed: number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

type Rand = ReturnType<typeof prng>;
const pick = <A>(r: Rand, xs: ReadonlyArray<A>): A => xs[Math.floor(r() * xs.length)]!;

const deep = (n: number): unknown => {
  let v: unknown = "x";
  for (let i = 0; i < n; i++) v = { k: v };
  return v;
};

const WEIRD_VALUES = (r: Rand): unknown =>
  pick(r, [
    null,
    true,
    0,
    -1,
    1.5,
    Number.MAX_SAFE_INTEGER + 2,
    "",
    // Huge strings are rare (they are slow to build, not to judge) and bounded by the batch byte limits anyway.
    r() < 0.02 ? "x".repeat(200_000) : "x".repeat(1 + Math.floor(r() * 2_000)),
    "\u0000\ud800",
    [],
    {},
    [1, [2, [3]]],
    deep(1 + Math.floor(r() * 100)),
    "2026-13-45T99:99:99",
    "01J00000000000000000000000",
    "not-a-uuid",
    "feature_slug",
  ]);

const FIELDS = ["event_id", "event_type", "aggregate_id", "aggregate_type", "payload", "timestamp", "build_id", "node_id", "lamport_clock", "causation_id", "correlation_id", "schema_version", "data_tier", "project_uuid", "project_slug", "team_slug", "type", "admission_generation"];
const PAYLOAD_FIELDS = ["wp_id", "from_lane", "to_lane", "actor", "force", "reason", "execution_mode", "review_ref", "evidence", "mission_slug", "feature_slug", "feature_number", "mission_key", "previous_status", "new_status", "title"];
const TYPES = ["WPStatusChanged", "WPCreated", "WPAssigned", "MissionCreated", "MissionClosed", "FeatureCreated", "ErrorLogged", "HistoryAdded", "DependencyResolved", "TokenUsageRecorded", "BuildRegistered", "", "X".repeat(300)];

/** One mutated envelope from a valid one. */
const mutateEnvelope = (r: Rand, n: number): unknown => {
  const e: Record<string, unknown> = { ...statusEvent(n), payload: { ...(statusEvent(n)["payload"] as object) } };
  const p = e["payload"] as Record<string, unknown>;
  const steps = 1 + Math.floor(r() * 4);
  for (let i = 0; i < steps; i++) {
    switch (Math.floor(r() * 9)) {
      case 0:
        e[pick(r, FIELDS)] = WEIRD_VALUES(r);
        break;
      case 1:
        delete e[pick(r, FIELDS)];
        break;
      case 2:
        p[pick(r, PAYLOAD_FIELDS)] = WEIRD_VALUES(r);
        break;
      case 3:
        delete p[pick(r, PAYLOAD_FIELDS)];
        break;
      case 4:
        e["event_type"] = pick(r, TYPES);
        break;
      case 5:
        p[pick(r, ["feature_slug", "feature_number", "mission_key", "legacy_aggregate_id"])] = "x";
        break;
      case 6:
        e["payload"] = WEIRD_VALUES(r);
        break;
      case 7:
        e["event_id"] = pick(r, [ulidOf(n).toLowerCase(), "550e8400-e29b-41d4-a716-446655440000", "550E8400E29B41D4A716446655440000", " ", "z".repeat(129), ulidOf(n)]);
        break;
      default:
        return pick(r, [null, 42, "string", [e], WEIRD_VALUES(r)]);
    }
  }
  return e;
};

/** A request body: JSON text, possibly broken, possibly not gzip. */
const mutateBody = (r: Rand, n: number): { body: Buffer; gzip: boolean } => {
  const events = Array.from({ length: 1 + Math.floor(r() * 4) }, (_, i) => mutateEnvelope(r, n * 8 + i));
  let text = JSON.stringify(pick(r, [{ events }, { events }, { events }, { events: "no" }, events, { evnts: events }, { events: [] }]));
  switch (Math.floor(r() * 6)) {
    case 0:
      text = text.slice(0, Math.floor(r() * text.length));
      break;
    case 1:
      text = `${"[".repeat(5000 + Math.floor(r() * 5000))}`;
      break;
    default:
      break;
  }
  const gzip = r() < 0.85;
  let body = gzip ? gzipSync(text) : Buffer.from(text);
  if (gzip && r() < 0.15) {
    body = Buffer.from(body);
    for (let i = 0; i < 3; i++) body[Math.floor(r() * body.length)] = Math.floor(r() * 256);
  }
  if (gzip && r() < 0.05) body = body.subarray(0, Math.floor(r() * body.length));
  return { body, gzip };
};

const ALLOWED = new Set([200, 400, 412, 413, 415, 429]);

const checkAnswer = (status: number, text: string, sent: number | undefined, label: string): void => {
  assert.isTrue(ALLOWED.has(status), `${label}: status ${status}: ${text.slice(0, 300)}`);
  const j = JSON.parse(text) as Record<string, unknown>;
  if (status !== 200) {
    assert.isTrue(typeof (j["code"] ?? j["error_code"] ?? j["category"]) === "string", `${label}: refusal without a code: ${text.slice(0, 300)}`);
    assert.isString(j["error"], label);
    return;
  }
  const results = j["results"] as Array<Record<string, unknown>>;
  assert.isArray(results, label);
  if (sent !== undefined) assert.strictEqual(results.length, sent, label);
  for (const x of results) {
    assert.include(["success", "duplicate", "rejected"], x["status"], label);
    if (x["status"] === "rejected") assert.isString(x["error_category"], label);
  }
};

describe("ingest fuzzing", () => {
  let h: Harness;
  let token: string;
  beforeAll(async () => {
    h = await harness();
    token = (await seedTeam(h, "fuzz")).apiToken;
  });
  afterAll(async () => h.close());

  it("100,000 mutated envelopes: the judge never throws and every violation is coded", () => {
    const r = prng(SEED);
    let quarantined = 0;
    let unusable = 0;
    for (let n = 0; n < 100_000; n++) {
      const e = mutateEnvelope(r, n);
      try {
        const problem = checkItem(e, 0);
        if (problem !== undefined) {
          unusable++;
          assert.isString(problem.message);
          continue;
        }
        const j = judge(e as Record<string, unknown>);
        for (const v of j.violations) {
          assert.isString(v.code);
          assert.isString(v.message);
        }
        if (j.violations.length > 0) quarantined++;
        JSON.stringify(j.canonical);
      } catch (err) {
        throw new Error(`seed ${SEED}, case ${n}: ${String(err)}`, { cause: err });
      }
    }
    // The mutations reach every branch: refusals, quarantines and clean passes.
    assert.isAbove(unusable, 1000);
    assert.isAbove(quarantined, 10_000);
    assert.isBelow(quarantined + unusable, 100_000);
  }, 120_000);

  it("6,000 mutated batches through the request handler: no 500, every refusal coded", async () => {
    const r = prng(SEED + 1);
    const seen = new Map<number, number>();
    for (let n = 0; n < 6_000; n++) {
      const { body, gzip } = mutateBody(r, n);
      const a = await h.request("POST", "/api/v1/events/batch/", {
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...(gzip ? { "content-encoding": "gzip" } : {}), ...(r() < 0.05 ? { "x-spec-kitty-sync-protocol": pick(r, ["2.0", "1", "9.9", "??"]) } : {}) },
        body,
      });
      seen.set(a.status, (seen.get(a.status) ?? 0) + 1);
      checkAnswer(a.status, a.text, undefined, `seed ${SEED + 1}, batch ${n}`);
    }
    for (const s of [200, 400]) assert.isAbove(seen.get(s) ?? 0, 250, `status ${s} reached: ${JSON.stringify([...seen])}`);
  }, 120_000);

  it("300 mutated batches over real HTTP", async () => {
    const server: RunningServer = await startServer({ store: h.store, notifier: new InProcessNotifier(), log: silentLogger, host: "127.0.0.1", port: 0 });
    try {
      const r = prng(SEED + 2);
      for (let n = 0; n < 300; n++) {
        const { body, gzip } = mutateBody(r, 1_000_000 + n);
        const res = await fetch(`${server.url}/api/v1/events/batch/`, {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...(gzip ? { "content-encoding": "gzip" } : {}) },
          body,
          signal: AbortSignal.timeout(20_000),
        });
        checkAnswer(res.status, await res.text(), undefined, `seed ${SEED + 2}, http batch ${n}`);
      }
      const health = await fetch(`${server.url}/healthz`);
      assert.strictEqual(health.status, 200, "still serving");
    } finally {
      await server.stop();
    }
  }, 120_000);
});
