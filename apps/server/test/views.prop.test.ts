/**
 * Views are always a replay: whatever the batch split, arrival order, duplicates and channel, the incrementally
 * maintained views of every mission equal the views computed from scratch over the stored events, and
 * `rebuild-views` reproduces them.
 */
import { FastCheck as fc } from "effect";
import { assert, describe, it } from "vitest";
import { encodeReducedStatus, reduceStatusEvents } from "@spec-kitty/events";
import { decodeStored } from "../src/views/compute.ts";
import { ViewMaintainer } from "../src/views/maintainer.ts";
import { harness, seedTeam, statusEvent, PROJECT, ulidOf } from "./support.ts";

const LANES = ["planned", "claimed", "in_progress", "for_review", "in_review", "approved", "done", "blocked", "canceled"] as const;

/** One mission's events: WP creations and lane moves, some forced, some invalid for the reducer. */
const eventsArb = fc
  .array(
    fc.record({
      kind: fc.constantFrom("status", "status", "status", "created", "bogus"),
      wp: fc.integer({ min: 1, max: 4 }),
      mission: fc.constantFrom("m-1", "m-2"),
      from: fc.option(fc.constantFrom(...LANES), { nil: null }),
      to: fc.constantFrom(...LANES),
      force: fc.boolean(),
      lamport: fc.integer({ min: 1, max: 40 }),
    }),
    { minLength: 1, maxLength: 30 },
  )
  .map((rows) =>
    rows.map((r, i) => {
      const wp = `WP0${r.wp}`;
      const base = statusEvent(1000 + i, { wp, mission: r.mission, from: r.from, to: r.to, lamport: r.lamport });
      if (r.kind === "created") {
        return { ...base, event_type: "WPCreated", payload: { wp_id: wp, wp_title: `Title ${wp}`, mission_slug: r.mission, actor: "a", depends_on: [] } };
      }
      if (r.kind === "bogus") return { ...base, payload: { mission_slug: r.mission, nonsense: true } };
      const payload: Record<string, unknown> = { ...(base["payload"] as Record<string, unknown>), force: r.force, reason: r.force ? "because" : null };
      if (r.to === "done" || r.to === "approved") {
        payload["evidence"] = { repos: [{ repo: "r", branch: "b", commit: "c" }], review: { reviewer: "x", verdict: "approved", reference: "r" } };
      }
      return { ...base, payload };
    }),
  );

describe("views equal a replay of the stored events", () => {
  it("for any batch split, order and duplication", async () => {
    const h = await harness();
    try {
      const seed = await seedTeam(h, "acme");
      let round = 0;
      let compared = 0;
      let cards = 0;
      await fc.assert(
        fc.asyncProperty(eventsArb, fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 1, maxLength: 10 }), fc.integer(), async (events, splits, seed2) => {
          round++;
          const project = `00000000-0000-4000-8000-${String(round).padStart(12, "0")}`;
          // Fresh ids per run: ids are unique per team, and every run uses the same team.
          const mine = events.map((e, i) => ({ ...e, event_id: ulidOf(round * 1000 + i), project_uuid: project }));
          // Shuffle deterministically and duplicate a few.
          const order = [...mine.keys()].sort((a, b) => ((a * 7919 + seed2) % 101) - ((b * 7919 + seed2) % 101));
          const sent = [...order.map((i) => mine[i]!), ...mine.slice(0, Math.min(3, mine.length))];
          let at = 0;
          let k = 0;
          while (at < sent.length) {
            const n = splits[k++ % splits.length]!;
            const r = await h.batch(seed.apiToken, sent.slice(at, at + n));
            assert.strictEqual(r.status, 200, r.text);
            at += n;
          }
          for (const mission of ["m-1", "m-2"]) {
            const stored = await h.store.missions(seed.team.id, project);
            if (!stored.some((m) => m.missionKey === mission)) continue;
            await h.app.views.ensureFresh(seed.team.id, project, mission);
            const rows = await h.store.views(seed.team.id, project, mission);
            const live = Object.fromEntries(rows.map((r) => [r.kind, JSON.parse(r.body) as unknown]));
            const replay = JSON.parse(JSON.stringify(await ViewMaintainer.replay(h.store, seed.team.id, project, mission))) as unknown;
            assert.deepStrictEqual(live, replay);
            // The per-WP status equals the events package's reducer over the whole mission.
            const all = (await h.store.readEvents({ teamId: seed.team.id, projectUuid: project, missionKey: mission, verdict: "valid", limit: 1000 }))
              .map(decodeStored)
              .filter((e) => e !== undefined);
            const reference = encodeReducedStatus(reduceStatusEvents(all)) as { wp_states: object; anomalies: Array<unknown>; event_count: number; last_processed_event_id: string | null };
            const status = live["status"] as typeof reference;
            assert.deepStrictEqual(status.wp_states, reference.wp_states);
            assert.strictEqual(status.event_count, reference.event_count);
            assert.strictEqual(status.last_processed_event_id, reference.last_processed_event_id);
            const canon = (xs: Array<unknown>) => xs.map((x) => JSON.stringify(x)).sort();
            assert.deepStrictEqual(canon(status.anomalies), canon(reference.anomalies));
            compared++;
            cards += ((live["board"] as { work_packages: Array<unknown> }).work_packages ?? []).length;
          }
        }),
        { numRuns: 40 },
      );
      // The property exercised real views, not empty ones.
      assert.isAbove(compared, 40);
      assert.isAbove(cards, 40);
      // rebuild-views from nothing reproduces the same rows.
      const before = await Promise.all((await h.store.allMissions()).map((m) => h.store.views(m.teamId, m.projectUuid, m.missionKey)));
      const n = await new ViewMaintainer(h.store).rebuildAll();
      assert.isAbove(n, 0);
      const after = await Promise.all((await h.store.allMissions()).map((m) => h.store.views(m.teamId, m.projectUuid, m.missionKey)));
      assert.deepStrictEqual(
        after.map((rows) => rows.map((r) => [r.kind, r.lastSeq, r.body])),
        before.map((rows) => rows.map((r) => [r.kind, r.lastSeq, r.body])),
      );
    } finally {
      await h.close();
    }
  }, 120_000);

  it("a 028-era stream and a canonical one produce the board a reader expects", async () => {
    const h = await harness();
    try {
      const seed = await seedTeam(h, "acme");
      const e1 = statusEvent(1, { wp: "WP01", from: null, to: "planned", lamport: 1 });
      const e2 = statusEvent(2, { wp: "WP01", from: "planned", to: "claimed", lamport: 2 });
      const e3 = statusEvent(3, { wp: "WP02", from: null, to: "planned", lamport: 3 });
      await h.batch(seed.apiToken, [e3, e2]);
      await h.batch(seed.apiToken, [e1]);
      const r = await h.request("GET", `/api/v1/teams/acme/projects/${PROJECT}/missions/001-demo/views/board`, { headers: { authorization: `Bearer ${seed.apiToken}` } });
      assert.strictEqual(r.status, 200, r.text);
      assert.deepStrictEqual(r.json.views.board.lanes, { claimed: ["WP01"], planned: ["WP02"] });
    } finally {
      await h.close();
    }
  });
});
