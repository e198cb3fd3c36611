import { writeFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EmissionFunnel, ensureIdentity, OutboxStore, outboxPath, rescuePath, statusPostCommitHook, type Fact } from "../src/index.ts";
import { git, makeRepo, statusFact, tempDir } from "./support/repo.ts";

const funnelIn = (repo: string, home: string, lines: string[] = []) =>
  new EmissionFunnel({ cwd: repo, root: home, diagnostics: (l) => lines.push(l), env: { ...process.env, LOGNAME: "ann" } });

describe("the emission funnel", () => {
  it("builds the canonical 3.0.0 envelope with identity, git and one correlation id per funnel", async () => {
    const repo = makeRepo();
    git(repo, "remote", "add", "origin", "https://github.com/acme/widgets.git");
    const { identity } = ensureIdentity(repo, { LOGNAME: "ann" });
    const home = tempDir();
    const lines: string[] = [];
    const f = funnelIn(repo, home, lines);
    const a = await f.emit(statusFact("WP01"));
    const b = await f.emit({ ...statusFact("WP02"), causationId: a.eventId });
    f.close();
    expect(lines).toEqual([]);
    expect([a.outcome, b.outcome]).toEqual(["captured", "captured"]);
    const s = OutboxStore.open(home);
    const env = JSON.parse(s.envelope(a.eventId)!);
    const head = git(repo, "rev-parse", "HEAD").trim();
    expect(env).toMatchObject({
      event_type: "WPStatusChanged",
      aggregate_id: "WP01",
      aggregate_type: "WorkPackage",
      node_id: identity.nodeId,
      build_id: identity.buildId,
      lamport_clock: 1,
      causation_id: null,
      correlation_id: f.correlationId,
      schema_version: "3.0.0",
      data_tier: 0,
      team_slug: null,
      project_uuid: identity.projectUuid,
      project_slug: identity.projectSlug,
      git_branch: "main",
      head_commit_sha: head,
      repo_slug: "acme/widgets",
    });
    expect(env.event_id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(env.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00$/);
    const env2 = JSON.parse(s.envelope(b.eventId)!);
    expect(env2).toMatchObject({ causation_id: a.eventId, correlation_id: f.correlationId, lamport_clock: 2 });
    expect(s.project(identity.projectUuid!).selectBatch("t|x")).toHaveLength(2);
    s.close();
  });

  it("parks an invalid fact with its violations and says so once", async () => {
    const repo = makeRepo();
    ensureIdentity(repo);
    const home = tempDir();
    const lines: string[] = [];
    const f = funnelIn(repo, home, lines);
    const bad: Fact = { ...statusFact("WP01"), payload: { ...statusFact().payload, to_lane: "nowhere" } };
    const r1 = await f.emit(bad);
    const r2 = await f.emit({ ...bad, eventType: "NoSuchEvent" });
    f.close();
    expect([r1.outcome, r2.outcome]).toEqual(["parked", "parked"]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("parked");
    const st = OutboxStore.open(home).stats();
    expect(st.parkedEvents.map((p) => p.eventId)).toEqual([r1.eventId, r2.eventId]);
    expect(JSON.stringify(st.parkedEvents[0]!.violations)).toContain("to_lane");
  });

  it("keeps events without identity blocked, and adopts them once the identity exists", async () => {
    const repo = makeRepo();
    const home = tempDir();
    const lines: string[] = [];
    const f = funnelIn(repo, home, lines);
    const r = await f.emit(statusFact("WP01"));
    await f.emit(statusFact("WP02"));
    f.close();
    expect(r.outcome).toBe("blocked");
    expect(lines).toEqual([]);
    let s = OutboxStore.open(home);
    expect(s.projectsWithUndelivered()).toEqual([]);
    expect(s.stats().projects[0]).toMatchObject({ projectUuid: null, repoRoot: repo, blocked: { missing_identity: 2 } });
    s.close();
    const { identity } = ensureIdentity(repo);
    const g = funnelIn(repo, home);
    await g.emit(statusFact("WP03"));
    g.close();
    s = OutboxStore.open(home);
    const batch = s.project(identity.projectUuid!).selectBatch("t|x");
    expect(batch.map((e) => e.eventId)[0]).toBe(r.eventId);
    expect(batch).toHaveLength(3);
    expect(JSON.parse(batch[0]!.json)).toMatchObject({ project_uuid: identity.projectUuid, build_id: identity.buildId });
    s.close();
  });

  it("spools events when the outbox is corrupt, says what was not captured, and takes them in on the next open", async () => {
    const repo = makeRepo();
    ensureIdentity(repo);
    const home = tempDir();
    mkdirSync(join(home, "sync"), { recursive: true });
    writeFileSync(outboxPath(home), "garbage ".repeat(1000));
    const lines: string[] = [];
    const f = funnelIn(repo, home, lines);
    const a = await f.emit(statusFact("WP01"));
    const b = await f.emit(statusFact("WP02"));
    f.close();
    expect([a.outcome, b.outcome]).toEqual(["spooled", "spooled"]);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(outboxPath(home));
    expect(lines[0]).toContain(a.eventId);
    expect(lines[0]).toContain(rescuePath(home));
    writeFileSync(outboxPath(home), "");
    const s = OutboxStore.open(home);
    expect(s.allEvents().map((e) => e.eventId)).toEqual([a.eventId, b.eventId]);
    s.close();
  });

  it("turns the status post-commit rows into exactly one WPStatusChanged each", async () => {
    const repo = makeRepo();
    const { identity } = ensureIdentity(repo);
    const home = tempDir();
    const f = funnelIn(repo, home);
    const row = (id: string, wp: string, from: string, to: string) => ({
      event_id: id, mission_slug: "m-1", wp_id: wp, from_lane: from, to_lane: to, at: "2026-06-03T12:05:54.581038+00:00",
      actor: "alice", force: false, execution_mode: "worktree", reason: null, review_ref: null, evidence: null, policy_metadata: null,
    });
    await statusPostCommitHook(f)({
      missionSlug: "m-1",
      missionId: null,
      receipt: {} as never,
      rows: [
        row("01J0000000000000000000A001", "WP01", "planned", "claimed"),
        { event_id: "01J0000000000000000000A002", kind: "annotation", wp_id: "WP01", at: "2026-06-03T12:05:54.581038+00:00", actor: "a", delta: {} },
        row("01J0000000000000000000A003", "WP02", "uninitialized", "planned"),
      ] as never,
    });
    f.close();
    const s = OutboxStore.open(home);
    const all = s.allEvents();
    expect(all.map((e) => e.eventId)).toEqual(["01J0000000000000000000A001", "01J0000000000000000000A003"]);
    expect(all.every((e) => e.parkedReason === null && e.projectUuid === identity.projectUuid)).toBe(true);
    expect(JSON.parse(all[1]!.json).payload.from_lane).toBeNull();
    expect(JSON.parse(all[0]!.json).timestamp).toBe("2026-06-03T12:05:54.581038+00:00");
    s.close();
  });
});

describe("deferred validation", () => {
  it("captures first; releaseCaptured makes valid events selectable and parks invalid ones with one warning", async () => {
    const { releaseCaptured } = await import("../src/index.ts");
    const repo = makeRepo();
    const { identity } = ensureIdentity(repo);
    const home = tempDir();
    const f = new EmissionFunnel({ cwd: repo, root: home, validation: "deferred", diagnostics: () => undefined });
    const ok = await f.emit(statusFact("WP01"));
    const bad = await f.emit({ ...statusFact("WP02"), payload: { ...statusFact().payload, execution_mode: "teleport" } });
    f.close();
    expect([ok.outcome, bad.outcome]).toEqual(["captured", "captured"]);
    const s = OutboxStore.open(home);
    expect(s.project(identity.projectUuid!).selectBatch("t|x")).toEqual([]);
    expect(s.stats().projects[0]!.unvalidated).toBe(2);
    const lines: string[] = [];
    expect(await releaseCaptured(s, { diagnostics: (l) => lines.push(l) })).toEqual({ released: 1, parked: 1 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(bad.eventId);
    expect(s.project(identity.projectUuid!).selectBatch("t|x").map((e) => e.eventId)).toEqual([ok.eventId]);
    expect(s.stats().parkedEvents.map((p) => p.eventId)).toEqual([bad.eventId]);
    expect(await releaseCaptured(s)).toEqual({ released: 0, parked: 0 });
    s.close();
  });
});
