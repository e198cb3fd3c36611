import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  Backoff,
  EmissionFunnel,
  backgroundIntervalMs,
  reconnectDelayMs,
  OutboxStore,
  deliverProject,
  flushAfterCommand,
  passwordLogin,
  readDeliveryHealth,
  removeConsent,
  saveCredentials,
  stampTeam,
  targetKey,
  writeConsent,
} from "../src/index.ts";
import { startFakeServer, type FakeServer } from "./support/fake-server.ts";
import { makeRepo, statusFact, tempDir } from "./support/repo.ts";

const PROJECT = "7d3c8a2e-1b4f-4c6d-9e8a-0f1e2d3c4b5a";

let server: FakeServer;
let root: string;
let repo: string;
beforeEach(async () => {
  server = await startFakeServer();
  root = tempDir();
  repo = makeRepo("deliver-me");
  mkdirSync(join(repo, ".kittify"), { recursive: true });
  writeFileSync(join(repo, ".kittify", "config.yaml"), `project:\n  uuid: ${PROJECT}\n  slug: deliver-me\n  node_id: 0123456789ab\n`);
});
afterEach(async () => {
  await server.close();
});

const capture = async (n: number): Promise<void> => {
  const funnel = new EmissionFunnel({ cwd: repo, root });
  for (let i = 0; i < n; i += 1) {
    const r = await funnel.emit(statusFact());
    expect(r.outcome).toBe("captured");
  }
  funnel.close();
};

const login = async (): Promise<void> => {
  const c = await passwordLogin(server.url, "ana", "secret");
  await saveCredentials(root, c);
};

describe("the gates in front of delivery", () => {
  it("a project that is not enabled is never sent, even when logged in; the flush skips it at once", async () => {
    await capture(3);
    await login();
    const started = Date.now();
    const flush = await flushAfterCommand(root, repo);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(flush).toEqual({ flushed: false, skipped: "project not enabled" });
    const store = OutboxStore.open(root);
    try {
      const run = await deliverProject({ root, store, projectUuid: PROJECT, mode: "now" });
      expect(run).toMatchObject({ sent: false, reason: { code: "not_enabled" } });
    } finally {
      store.close();
    }
    expect(server.requests).toHaveLength(0);
  });

  it("an enabled project is delivered by the flush under the consented team (envelope and header)", async () => {
    await capture(4);
    await login();
    writeConsent(root, { projectUuid: PROJECT, serverUrl: server.url, teamSlug: "team-a" });
    const flush = await flushAfterCommand(root, repo);
    expect(flush).toMatchObject({ flushed: true, warning: null });
    expect(server.stored.size).toBe(4);
    expect(server.requests.every((r) => r.headers["x-team-slug"] === "team-a")).toBe(true);
    expect(readDeliveryHealth(root, PROJECT)).toMatchObject({ consecutiveFailures: 0 });
    expect(readDeliveryHealth(root, PROJECT).lastSuccessAt).not.toBeNull();
  });

  it("a login for another team than the consent's sends nothing and says why", async () => {
    await capture(2);
    await login();
    writeConsent(root, { projectUuid: PROJECT, serverUrl: server.url, teamSlug: "team-b" });
    const flush = await flushAfterCommand(root, repo);
    expect(flush).toMatchObject({ flushed: true, warning: expect.stringMatching(/team 'team-a'.*team 'team-b'/) });
    expect(server.requests).toHaveLength(0);
  });

  it("sync.auto_start: false turns the flush off; logged out gives one warning and no request", async () => {
    await capture(2);
    writeConsent(root, { projectUuid: PROJECT, serverUrl: server.url, teamSlug: "team-a" });
    const loggedOut = await flushAfterCommand(root, repo);
    expect(loggedOut).toMatchObject({ flushed: true, warning: expect.stringMatching(/not logged in/) });
    writeFileSync(join(repo, ".kittify", "config.yaml"), `project:\n  uuid: ${PROJECT}\n  slug: deliver-me\n  node_id: 0123456789ab\nsync:\n  auto_start: false\n`);
    await login();
    expect(await flushAfterCommand(root, repo)).toEqual({ flushed: false, skipped: "sync.auto_start is false" });
    expect(server.requests).toHaveLength(0);
    expect(removeConsent(root, PROJECT)).toBe(true);
  });

  it("an unreachable server: the flush ends within its deadline, warns once, records a failure and never a success", async () => {
    await capture(2);
    await login();
    writeConsent(root, { projectUuid: PROJECT, serverUrl: server.url, teamSlug: "team-a" });
    server.faults.push({ kind: "hang" });
    const started = Date.now();
    const flush = await flushAfterCommand(root, repo, 500);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(flush).toMatchObject({ flushed: true, warning: expect.stringMatching(/2 event\(s\) not delivered yet/) });
    const health = readDeliveryHealth(root, PROJECT);
    expect(health.lastSuccessAt).toBeNull();
    expect(health.consecutiveFailures).toBe(1);
    const store = OutboxStore.open(root);
    try {
      expect(store.project(PROJECT).counters(targetKey(server.url, "team-a"))).toMatchObject({ pending: 2, delivered: 0 });
    } finally {
      store.close();
    }
  });
});

describe("small parts", () => {
  it("stampTeam sets the team without a parse when the envelope carries team_slug null, and by parsing otherwise", () => {
    const stamp = stampTeam("team-a");
    expect(stamp('{"event_id":"A","team_slug":null,"payload":{}}')).toBe('{"event_id":"A","team_slug":"team-a","payload":{}}');
    expect(JSON.parse(stamp('{"event_id":"A","team_slug":"local"}'))).toEqual({ event_id: "A", team_slug: "team-a" });
    expect(JSON.parse(stamp('{"event_id":"A","payload":{"team_slug":null},"team_slug":null}'))).toMatchObject({ team_slug: "team-a", payload: { team_slug: null } });
  });

  it("backoff doubles from 0.5 s to a 30 s cap and resets on success", () => {
    const b = new Backoff();
    expect([b.fail(), b.fail(), b.fail(), b.fail()]).toEqual([500, 1000, 2000, 4000]);
    for (let i = 0; i < 10; i += 1) b.fail();
    expect(b.current()).toBe(30_000);
    b.succeed();
    expect(b.current()).toBe(0);
  });

  it("reconnect waits follow the same curve with ±50 % jitter; background pacing is FR-033's 5 s unless the server advertised limits", () => {
    expect([0, 1, 2, 6, 12].map((n) => reconnectDelayMs(n, () => 0.5))).toEqual([500, 1000, 2000, 30_000, 30_000]);
    expect(reconnectDelayMs(3, () => 0)).toBe(2000);
    expect(reconnectDelayMs(3, () => 0.999999)).toBe(6000);
    expect(backgroundIntervalMs(null)).toBe(5000);
    expect(backgroundIntervalMs({ retryAfterMinSeconds: 2 })).toBe(2000);
    expect(backgroundIntervalMs({})).toBe(0);
  });
});
