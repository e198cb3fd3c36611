/**
 * The reference's request/response fixtures (../shared/fixtures/sync-contract): status code and body. A body
 * matches when every field of the fixture's body is in the answer with the same value; the answer may add the
 * fields the current clients read besides (`error_category`, `code`, `detail`).
 */
import { afterEach, assert, beforeEach, describe, it } from "vitest";
import { contains, fixture, harness, seedTeam, type Harness } from "./support.ts";

describe("sync-contract fixtures", () => {
  let h: Harness;
  let token: string;
  beforeEach(async () => {
    h = await harness();
    token = (await seedTeam(h, "priivacy")).apiToken;
  });
  afterEach(async () => h.close());

  const check = async (name: string, tok = token) => {
    const f = fixture(name);
    const r = await h.batch(tok, f.request);
    assert.strictEqual(r.status, f.expected_response.status_code, `${name}: ${r.text}`);
    assert.isTrue(contains(r.json, f.expected_response.body), `${name}: ${r.text}`);
    return r;
  };

  it("01: one WPStatusChanged → success", async () => {
    await check("fixture_01_single_wp_status_changed.json");
    const stored = await h.request("GET", "/api/v1/events/?project_uuid=550e8400-e29b-41d4-a716-446655440000", { headers: { authorization: `Bearer ${token}` } });
    assert.deepStrictEqual(
      stored.json.events.map((e: { event_id: string; verdict: string }) => [e.event_id, e.verdict]),
      [["01JMBY7K8N3QRVX2DPFG5HWT4E", "valid"]],
    );
  });

  it("02: mixed batch → three successes, in order", async () => {
    await check("fixture_02_mixed_batch.json");
  });

  it("the February 2026 copies of 01 and 02 pass too", async () => {
    await check("v2c7562df8/fixture_01_single_wp_status_changed.json");
    await check("v2c7562df8/fixture_02_mixed_batch.json");
  });

  it("03: fixture 01's event again → duplicate", async () => {
    await check("fixture_01_single_wp_status_changed.json");
    await check("fixture_03_duplicate_event.json");
    const all = await h.store.readEvents({ teamId: (await h.store.teamBySlug("priivacy"))!.id, limit: 100 });
    assert.strictEqual(all.length, 1);
  });

  it("04: ErrorLogged without error_type → rejected with a terminal category, and quarantined", async () => {
    const r = await check("fixture_04_rejected_event.json");
    assert.strictEqual(r.json.results[0].error_category, "project_refused");
    const q = await h.request("GET", "/api/v1/teams/priivacy/quarantine/", { headers: { authorization: `Bearer ${token}` } });
    assert.strictEqual(q.json.events.length, 1);
    assert.strictEqual(q.json.events[0].event_id, "01JMBYB3C4D5E6F7G8H9J0KABM");
    assert.include(q.json.events[0].violations[0].message, "missing required field 'error_type'");
  });

  it("05: a project owned by another team → 400 with per-event details, nothing stored", async () => {
    const other = await seedTeam(h, "other");
    // The project of every fixture is claimed by another team first.
    assert.strictEqual((await h.batch(other.apiToken, fixture("fixture_01_single_wp_status_changed.json").request)).status, 200);
    const r = await check("fixture_05_http_400_error.json");
    assert.strictEqual(r.json.details[0].error_category, "project_not_admitted");
    const mine = await h.store.readEvents({ teamId: (await h.store.teamBySlug("priivacy"))!.id, limit: 100 });
    assert.strictEqual(mine.length, 0);
  });
});
