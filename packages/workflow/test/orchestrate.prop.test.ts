import { readFileSync } from "node:fs";
import { join } from "node:path";
import { tempDirs } from "@spec-kitty/test-support";
import { FastCheck as fc } from "effect";
import { afterAll, describe, expect, it } from "vitest";
import { lanesNow, MISSION, startHarness, type Outcome } from "./orchestrate-harness.ts";

/**
 * For random dependency graphs, random agent outcomes and random limits: no work package starts before its
 * dependencies are approved, parallelism never exceeds the global and per-agent limits, the run always ends
 * (completed or paused), and what was reported matches the lane history.
 */
const temps = tempDirs("sk-orch-prop-");
afterAll(() => temps.cleanup());

const IMPL: readonly Outcome[] = ["ok", "ok", "ok", "ok", "fail", "noop", "auth", "ratelimit", "timeout"];
const REVIEW: readonly Outcome[] = ["approve", "approve", "approve", "reject", "chatty", "fail"];

const scenario = fc
  .integer({ min: 1, max: 6 })
  .chain((n) =>
    fc.record({
      n: fc.constant(n),
      edges: fc.array(fc.array(fc.boolean(), { minLength: n, maxLength: n }), { minLength: n, maxLength: n }),
      impl: fc.array(fc.array(fc.integer({ min: 0, max: IMPL.length - 1 }), { minLength: 4, maxLength: 4 }), { minLength: n, maxLength: n }),
      review: fc.array(fc.array(fc.integer({ min: 0, max: REVIEW.length - 1 }), { minLength: 4, maxLength: 4 }), { minLength: n, maxLength: n }),
      limit: fc.integer({ min: 1, max: 3 }),
      alphaMax: fc.integer({ min: 1, max: 2 }),
      betaMax: fc.integer({ min: 1, max: 2 }),
    }),
  );

const id = (i: number): string => `WP${String(i + 1).padStart(2, "0")}`;

describe("orchestration properties", () => {
  it("dependencies first, limits kept, always ends, reports match the lanes", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        // Edges only from later to earlier ids: a DAG.
        const graph: Record<string, string[]> = {};
        for (let i = 0; i < s.n; i++) graph[id(i)] = Array.from({ length: i }, (_, j) => j).filter((j) => s.edges[i]?.[j] === true).map(id);
        const limits: Record<string, number> = { alpha: s.alphaMax, beta: s.betaMax };
        const h = await startHarness(temps, {
          graph,
          concurrency: s.limit,
          agents: { alpha: { maxConcurrent: s.alphaMax }, beta: { maxConcurrent: s.betaMax } },
          extraConfig: "max_review_cycles: 2",
          script: (wp, phase, k) => {
            const i = Number(wp.slice(2)) - 1;
            return phase === "implementation" ? (IMPL[s.impl[i]?.[k % 4] ?? 0] as Outcome) : (REVIEW[s.review[i]?.[k % 4] ?? 0] as Outcome);
          },
        });
        const state = await h.control.done;
        const lanes = await lanesNow(h);

        // Ends, and says honestly how.
        expect(["completed", "paused"]).toContain(state.status);
        const allApproved = Object.keys(graph).every((w) => lanes[w] === "approved");
        expect(state.status === "completed").toBe(allApproved);
        for (const w of Object.keys(graph)) expect(state.work_packages[w]?.status === "completed").toBe(lanes[w] === "approved");

        // Dependencies first; limits.
        const approvedSoFar = new Set<string>();
        const active = new Map<string, number>();
        let total = 0;
        for (const e of h.seq) {
          if (e.kind === "row") {
            if (e.lane === "approved") approvedSoFar.add(e.wpId);
            continue;
          }
          if (e.kind === "start") {
            for (const d of graph[e.wpId] ?? []) expect(approvedSoFar.has(d)).toBe(true);
            total += 1;
            active.set(e.agent, (active.get(e.agent) ?? 0) + 1);
            expect(total).toBeLessThanOrEqual(s.limit);
            expect(active.get(e.agent)).toBeLessThanOrEqual(limits[e.agent] ?? 0);
          } else {
            total -= 1;
            active.set(e.agent, (active.get(e.agent) ?? 0) - 1);
          }
        }
        expect(state.parallel_peak).toBeLessThanOrEqual(s.limit);
        expect(h.preparing.max).toBeLessThanOrEqual(1);

        // Every persisted transition was reported once; nothing else was.
        const logged = readFileSync(join(h.root, "kitty-specs", MISSION, "status.events.jsonl"), "utf8")
          .split("\n")
          .filter((l) => l !== "")
          .map((l) => JSON.parse(l) as { event_id: string; from_lane: string })
          .filter((r) => r.from_lane !== "genesis")
          .map((r) => r.event_id);
        expect(h.rows.map((r) => r.event_id)).toEqual(logged);

        // WPAssigned per assignment; DependencyResolved per approved WP and direct dependent; MissionClosed iff all done.
        const facts = (t: string) => h.facts.filter((f) => f.eventType === t);
        for (const w of Object.keys(graph)) {
          const assigned = (phase: string) => facts("WPAssigned").filter((f) => f.payload["wp_id"] === w && f.payload["phase"] === phase);
          const into = (lane: string) => h.rows.filter((r) => r.wp_id === w && r.to_lane === lane);
          expect(assigned("review").length).toBeGreaterThanOrEqual(into("in_review").length);
          // A rejection that used up the review cycles sends the lane back without a new assignment (escalated).
          const last = h.rows.filter((r) => r.wp_id === w).at(-1);
          const escalatedRework = state.work_packages[w]?.status === "failed" && last?.from_lane === "in_review" && last.to_lane === "in_progress" ? 1 : 0;
          expect(assigned("implementation").length).toBeGreaterThanOrEqual(into("in_progress").length - escalatedRework);
          const approved = into("approved")[0];
          if (approved !== undefined) expect(assigned("review").at(-1)?.payload["agent_id"]).toBe(approved.actor);
          for (const f of facts("WPAssigned")) expect(f.payload["retry_count"]).toBeGreaterThanOrEqual(0);
        }
        const expected = Object.keys(graph)
          .filter((w) => lanes[w] === "approved")
          .flatMap((w) => Object.keys(graph).filter((d) => graph[d]?.includes(w)).map((d) => `${d}<-${w}`))
          .sort();
        expect(facts("DependencyResolved").map((f) => `${f.payload["wp_id"]}<-${f.payload["dependency_wp_id"]}`).sort()).toEqual(expected);
        expect(facts("MissionClosed")).toHaveLength(allApproved ? 1 : 0);
        // The journal holds every fact reported, with the same event ids.
        expect((state.events ?? []).map((e) => e.event_id)).toEqual(h.facts.map((f) => f.eventId));
      }),
      { numRuns: 20 },
    );
  }, 120_000);
});
