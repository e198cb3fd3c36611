import { describe, expect, it } from "vitest";
import { gateStep } from "../src/index.ts";

const lanes = (o: Record<string, string>) => new Map(Object.entries(o));

describe("work-package gating", () => {
  it("lets other steps advance", () => {
    expect(gateStep("plan", lanes({ WP01: "planned" }))).toEqual({ advance: true });
  });

  it("holds implement until every WP is for_review, in_review, approved or done, naming the next WP by number", () => {
    expect(gateStep("implement", lanes({ WP10: "planned", WP02: "in_progress", WP01: "done" }))).toEqual({ advance: false, wpId: "WP02", lane: "in_progress", blocked: false });
    expect(gateStep("implement", lanes({ WP01: "for_review", WP02: "in_review", WP03: "approved", WP04: "done" }))).toEqual({ advance: true });
    expect(gateStep("implement", lanes({}))).toEqual({ advance: true });
  });

  it("a blocked WP holds the step; only blocked WPs left gives a blocked verdict", () => {
    expect(gateStep("implement", lanes({ WP01: "blocked", WP02: "for_review" }))).toEqual({ advance: false, wpId: "WP01", lane: "blocked", blocked: true });
    expect(gateStep("implement", lanes({ WP01: "blocked", WP02: "planned" }))).toMatchObject({ wpId: "WP02", blocked: false });
  });

  it("holds review until every WP is approved or done, preferring WPs awaiting review", () => {
    expect(gateStep("review", lanes({ WP01: "planned", WP02: "for_review", WP03: "done" }))).toMatchObject({ wpId: "WP02", blocked: false });
    expect(gateStep("review", lanes({ WP01: "in_progress", WP03: "done" }))).toMatchObject({ wpId: "WP01" });
    expect(gateStep("review", lanes({ WP01: "approved", WP02: "done", WP03: "canceled" }))).toEqual({ advance: true });
  });
});
