/**
 * The storage port's contract as one parameterized suite: every adapter runs it through
 * `describeStore(name, makeStore)`. `makeStore` returns a fresh, empty, migrated store each time.
 */
import { assert, describe, it } from "vitest";
import { StoreError, type AppendItem, type Credential, type Store, type Team, type User } from "../src/store/port.ts";

export interface StoreHandle {
  readonly store: Store;
  /** Closes the store and removes whatever it created. */
  readonly dispose: () => Promise<void>;
  /** Opens a second store on the same database (another process would), when the adapter supports it. */
  readonly reopen?: () => Promise<Store>;
}

export const describeStore = (name: string, makeStore: () => Promise<StoreHandle>): void => {
  const withStore = (title: string, body: (store: Store, handle: StoreHandle) => Promise<void>, timeout?: number) =>
    it(
      title,
      async () => {
        const handle = await makeStore();
        try {
          await body(handle.store, handle);
        } finally {
          await handle.dispose();
        }
      },
      timeout,
    );

  describe(`store contract: ${name}`, () => {
    withStore("migrations are versioned and idempotent", async (store) => {
      const v = await store.schemaVersion();
      assert.isAtLeast(v, 1);
      const again = await store.migrate();
      assert.deepStrictEqual(again.applied, []);
      assert.strictEqual(again.from, v);
      assert.strictEqual(again.to, v);
      await store.ping();
    });

    withStore("a secret is generated once and then shared", async (store) => {
      const a = await store.secret("jwt", () => "first");
      const b = await store.secret("jwt", () => "second");
      assert.strictEqual(a, "first");
      assert.strictEqual(b, "first");
      assert.strictEqual(await store.secret("other", () => "x"), "x");
    });

    withStore("teams and users are unique; memberships list the private team first", async (store) => {
      const t1 = await store.createTeam(team("t1", "zeta", true));
      await store.createTeam(team("t2", "alpha", false));
      await rejectsWith(() => store.createTeam(team("t3", "zeta", false)), "conflict");
      assert.deepStrictEqual(await store.teamBySlug("zeta"), t1);
      assert.deepStrictEqual(await store.teamById("t1"), t1);
      assert.isUndefined(await store.teamBySlug("nope"));

      const u = await store.createUser(user("u1", "Ada@Example.com"));
      await rejectsWith(() => store.createUser(user("u2", "ada@example.COM")), "conflict");
      assert.deepStrictEqual(await store.userByEmail("ada@example.com"), u);
      assert.deepStrictEqual(await store.userById("u1"), u);

      await store.putMembership("t2", "u1", "member");
      await store.putMembership("t1", "u1", "owner");
      const ms = await store.memberships("u1");
      assert.deepStrictEqual(
        ms.map((m) => [m.team.slug, m.role, m.team.isPrivate]),
        [
          ["zeta", "owner", true],
          ["alpha", "member", false],
        ],
      );
      await store.putMembership("t2", "u1", "admin");
      assert.strictEqual((await store.memberships("u1"))[1]?.role, "admin");
      assert.deepStrictEqual(await store.memberships("nobody"), []);
    });

    withStore("credentials: lookup, single consumption, expiry, revocation by session", async (store) => {
      await store.createTeam(team("t1", "one", true));
      await store.createUser(user("u1", "a@x.io"));
      const now = 1_000_000;
      await store.putCredential(cred("c1", "ws_token", { sessionId: "s1", expiresAt: now + 60_000 }));
      await store.putCredential(cred("c2", "refresh_token", { sessionId: "s1" }));
      await store.putCredential(cred("c3", "device_code", { lookup: "ABCD-EFGH", data: { approved: false } }));
      await store.putCredential(cred("c4", "ws_token", { expiresAt: now - 1 }));
      await rejectsWith(() => store.putCredential(cred("c1", "ws_token", {})), "conflict");

      assert.strictEqual((await store.credential("ws_token", "c1"))?.sessionId, "s1");
      assert.isUndefined(await store.credential("refresh_token", "c1"), "kind is part of the key");
      assert.strictEqual((await store.credentialByLookup("device_code", "ABCD-EFGH"))?.id, "c3");

      const first = await store.consumeCredential("ws_token", "c1", now);
      assert.strictEqual(first?.id, "c1");
      assert.isNull(first?.consumedAt);
      assert.isUndefined(await store.consumeCredential("ws_token", "c1", now), "consumed once only");
      assert.strictEqual((await store.credential("ws_token", "c1"))?.consumedAt, now);
      assert.isUndefined(await store.consumeCredential("ws_token", "c4", now), "expired");
      assert.isUndefined(await store.consumeCredential("ws_token", "missing", now));

      assert.isTrue(await store.updateCredentialData("device_code", "c3", { approved: true, userId: "u1" }));
      assert.deepStrictEqual((await store.credential("device_code", "c3"))?.data, { approved: true, userId: "u1" });
      assert.isFalse(await store.updateCredentialData("device_code", "nope", {}));

      assert.strictEqual(await store.revokeSession("s1", now + 5), 2);
      assert.strictEqual((await store.credential("refresh_token", "c2"))?.revokedAt, now + 5);
      assert.isUndefined(await store.consumeCredential("refresh_token", "c2", now + 6), "revoked");
      assert.strictEqual(await store.revokeCredential("device_code", "c3", now), 1);
      assert.strictEqual(await store.revokeCredential("device_code", "c3", now), 0);
    });

    withStore("concurrent consumers: exactly one wins", async (store) => {
      await store.putCredential(cred("once", "refresh_token", {}));
      const results = await Promise.all(Array.from({ length: 8 }, () => store.consumeCredential("refresh_token", "once", 5)));
      assert.strictEqual(results.filter((r) => r !== undefined).length, 1);
    });

    withStore("appendBatch stores once per team, answers duplicate, keeps first copy", async (store) => {
      await store.createTeam(team("t1", "one", true));
      await store.createTeam(team("t2", "two", true));
      const a = item("E1", { projectUuid: "p-1", missionKey: "m1" });
      const out1 = await store.appendBatch({ teamId: "t1", receivedAt: 10, items: [a, item("E2", { projectUuid: "p-1" }), a] });
      assert.deepStrictEqual(
        out1.map((o) => o.kind),
        ["stored", "stored", "duplicate"],
      );
      const s1 = out1[0]!.kind === "stored" ? out1[0]!.seq : -1;
      assert.strictEqual(out1[2]!.kind === "duplicate" && out1[2]!.seq, s1);

      const changed = { ...a, raw: '{"changed":true}' };
      const out2 = await store.appendBatch({ teamId: "t1", receivedAt: 11, items: [changed] });
      assert.deepStrictEqual(out2, [{ kind: "duplicate", seq: s1, verdict: "valid" }]);
      assert.strictEqual((await store.eventById("t1", "E1"))?.raw, a.raw, "first copy wins");

      // The same id in another team's (other) project is that team's own event.
      const out3 = await store.appendBatch({ teamId: "t2", receivedAt: 12, items: [item("E1", { projectUuid: "p-2" })] });
      assert.strictEqual(out3[0]!.kind, "stored");
      assert.strictEqual((await store.readEvents({ teamId: "t1", limit: 100 })).length, 2);
      assert.strictEqual((await store.readEvents({ teamId: "t2", limit: 100 })).length, 1);
    });

    withStore("canonical comes back exactly: absent, equal to raw (stored once), different, or starting with the mark", async (store) => {
      const raw = '{"event_id":"C1","n":1}';
      const cases: ReadonlyArray<readonly [string, string, string | null]> = [
        ["C1", raw, null],
        ["C2", raw, raw],
        ["C3", raw, '{"event_id":"C3"}'],
        ["C4", raw, "\u0001"],
        ["C5", raw, "\u0001\u0001x"],
        ["C6", raw, ""],
        ["C7", "\u0001", "\u0001"],
      ];
      const items = cases.map(([id, r, canonical]) => ({ ...item(id, { projectUuid: "p-c" }), raw: r, canonical }));
      await store.appendBatch({ teamId: "t1", receivedAt: 1, items });
      for (const [id, r, canonical] of cases) {
        const e = await store.eventById("t1", id);
        assert.deepStrictEqual([e?.raw, e?.canonical], [r, canonical], id);
      }
      const page = await store.readEvents({ teamId: "t1", afterSeq: 0, limit: 10 });
      assert.deepStrictEqual(
        page.map((e) => e.canonical),
        cases.map((c) => c[2]),
      );
    });

    withStore("a project belongs to the first team that sends it", async (store) => {
      await store.createTeam(team("t1", "one", true));
      await store.createTeam(team("t2", "two", true));
      await store.appendBatch({ teamId: "t1", receivedAt: 1, items: [item("A1", { projectUuid: "p-1" })] });
      const out = await store.appendBatch({
        teamId: "t2",
        receivedAt: 2,
        items: [item("B1", { projectUuid: "p-1" }), item("B2", { projectUuid: "p-2" }), item("B3", { projectUuid: null })],
      });
      assert.deepStrictEqual(
        out.map((o) => o.kind),
        ["project_refused", "stored", "stored"],
      );
      assert.strictEqual(await store.projectOwner("p-1"), "t1");
      assert.strictEqual(await store.projectOwner("p-2"), "t2");
      assert.isUndefined(await store.projectOwner("p-3"));
      assert.isUndefined(await store.eventById("t2", "B1"), "refused events are not stored");
      assert.deepStrictEqual(
        (await store.projects("t2")).map((p) => [p.projectUuid, p.eventCount]),
        [["p-2", 1]],
      );
      assert.deepStrictEqual(
        (await store.projects("t1")).map((p) => [p.projectUuid, p.projectSlug, p.eventCount]),
        [["p-1", "slug-A1", 1]],
      );
    });

    withStore("readEvents pages by cursor and filters by project, mission and verdict", async (store) => {
      await store.createTeam(team("t1", "one", true));
      const items: Array<AppendItem> = [];
      for (let i = 0; i < 25; i++) {
        items.push(
          item(`E${String(i).padStart(3, "0")}`, {
            projectUuid: i % 2 === 0 ? "p-even" : "p-odd",
            missionKey: i % 5 === 0 ? "m5" : "m",
            verdict: i % 7 === 0 ? "quarantined" : "valid",
          }),
        );
      }
      await store.appendBatch({ teamId: "t1", receivedAt: 1, items });
      const all: Array<string> = [];
      let after = 0;
      for (;;) {
        const page = await store.readEvents({ teamId: "t1", afterSeq: after, limit: 4 });
        if (page.length === 0) break;
        assert.isAtMost(page.length, 4);
        for (const e of page) {
          assert.isAbove(e.seq, after);
          after = e.seq;
          all.push(e.eventId);
        }
      }
      assert.deepStrictEqual(
        all,
        items.map((i) => i.eventId),
      );
      const even = await store.readEvents({ teamId: "t1", projectUuid: "p-even", limit: 100 });
      assert.strictEqual(even.length, 13);
      const q = await store.readEvents({ teamId: "t1", verdict: "quarantined", limit: 100 });
      assert.deepStrictEqual(
        q.map((e) => e.eventId),
        ["E000", "E007", "E014", "E021"],
      );
      assert.strictEqual(q[0]!.violations, '[{"code":"X"}]');
      const m5 = await store.readEvents({ teamId: "t1", projectUuid: "p-odd", missionKey: "m5", limit: 100 });
      assert.deepStrictEqual(
        m5.map((e) => e.eventId),
        ["E005", "E015"],
      );
      const stored = m5[0]!;
      assert.strictEqual(stored.rawEventId, "raw-E005");
      assert.strictEqual(stored.receivedAt, 1);
      assert.strictEqual(stored.lamportClock, 5);
      assert.strictEqual(stored.source, "http");
      assert.deepStrictEqual(await store.readEvents({ teamId: "other", limit: 100 }), []);
    });

    withStore("missions count valid events only; allMissions spans teams", async (store) => {
      await store.createTeam(team("t1", "one", true));
      await store.createTeam(team("t2", "two", true));
      await store.appendBatch({
        teamId: "t1",
        receivedAt: 1,
        items: [
          item("A", { projectUuid: "p", missionKey: "m1" }),
          item("B", { projectUuid: "p", missionKey: "m1" }),
          item("C", { projectUuid: "p", missionKey: "m2", verdict: "quarantined" }),
          item("D", { projectUuid: "p", missionKey: null }),
        ],
      });
      await store.appendBatch({ teamId: "t2", receivedAt: 1, items: [item("A", { projectUuid: "q", missionKey: "m9" })] });
      const ms = await store.missions("t1", "p");
      assert.deepStrictEqual(
        ms.map((m) => [m.missionKey, m.eventCount]),
        [["m1", 2]],
      );
      assert.deepStrictEqual(await store.missions("t2", "p"), []);
      assert.deepStrictEqual(
        (await store.allMissions()).map((m) => [m.teamId, m.projectUuid, m.missionKey]),
        [
          ["t1", "p", "m1"],
          ["t2", "q", "m9"],
        ],
      );
    });

    withStore("views are upserted per (team, project, mission, kind) and cleared", async (store) => {
      const v = { teamId: "t1", projectUuid: "p", missionKey: "m", kind: "status", lastSeq: 3, body: "{}", updatedAt: 1 };
      await store.putViews([v, { ...v, kind: "lifecycle" }]);
      await store.putViews([{ ...v, lastSeq: 9, body: '{"a":1}' }]);
      const rows = await store.views("t1", "p", "m");
      assert.deepStrictEqual(
        rows.map((r) => [r.kind, r.lastSeq, r.body]),
        [
          ["lifecycle", 3, "{}"],
          ["status", 9, '{"a":1}'],
        ],
      );
      assert.deepStrictEqual(await store.views("t2", "p", "m"), []);
      await store.clearViews();
      assert.deepStrictEqual(await store.views("t1", "p", "m"), []);
    });

    withStore(
      "concurrent overlapping batches store every event exactly once",
      async (store, handle) => {
        await store.createTeam(team("t1", "one", true));
        const other = handle.reopen === undefined ? store : await handle.reopen();
        try {
          const ids = Array.from({ length: 200 }, (_, i) => `C${String(i).padStart(4, "0")}`);
          const batches = Array.from({ length: 10 }, (_, b) =>
            ids.slice(b * 15, b * 15 + 60).map((id) => item(id, { projectUuid: "p" })),
          );
          const outs = await Promise.all(
            batches.map((items, i) => (i % 2 === 0 ? store : other).appendBatch({ teamId: "t1", receivedAt: i, items })),
          );
          const stored = outs.flat().filter((o) => o.kind === "stored").length;
          const distinct = new Set(batches.flat().map((i) => i.eventId)).size;
          assert.strictEqual(stored, distinct);
          const rows = await store.readEvents({ teamId: "t1", limit: 1000 });
          assert.strictEqual(rows.length, distinct);
          assert.strictEqual(new Set(rows.map((r) => r.eventId)).size, distinct);
        } finally {
          if (other !== store) await other.close();
        }
      },
      60_000,
    );

    withStore("errors carry stable codes", async (store) => {
      const e = await store.createTeam(team("t", "s", true)).then(() => store.createTeam(team("t2", "s", true))).catch((x: unknown) => x);
      assert.instanceOf(e, StoreError);
      assert.strictEqual((e as StoreError).code, "conflict");
      assert.include((e as StoreError).message, "'s'");
    });
  });
};

const team = (id: string, slug: string, isPrivate: boolean): Team => ({ id, slug, name: `Team ${slug}`, isPrivate, createdAt: 1 });
const user = (id: string, email: string): User => ({ id, email, name: email, passwordHash: "scrypt$x", createdAt: 1 });

const cred = (
  id: string,
  kind: Credential["kind"],
  o: Partial<Pick<Credential, "sessionId" | "expiresAt" | "lookup" | "data">>,
): Credential => ({
  id,
  kind,
  userId: "u1",
  teamId: "t1",
  sessionId: o.sessionId ?? null,
  lookup: o.lookup ?? null,
  data: o.data ?? {},
  createdAt: 1,
  expiresAt: o.expiresAt ?? null,
  consumedAt: null,
  revokedAt: null,
});

const item = (
  eventId: string,
  o: { projectUuid: string | null; missionKey?: string | null; verdict?: "valid" | "quarantined" },
): AppendItem => {
  const n = Number(eventId.replace(/\D/g, "")) || 0;
  return {
    eventId,
    rawEventId: `raw-${eventId}`,
    eventType: "WPStatusChanged",
    projectUuid: o.projectUuid,
    missionKey: o.missionKey ?? null,
    lamportClock: n,
    timestamp: "2026-01-01T00:00:00+00:00",
    raw: JSON.stringify({ event_id: `raw-${eventId}`, project_slug: `slug-${eventId}` }),
    canonical: JSON.stringify({ event_id: eventId }),
    verdict: o.verdict ?? "valid",
    violations: o.verdict === "quarantined" ? '[{"code":"X"}]' : null,
    source: "http",
  };
};

const rejectsWith = async (f: () => Promise<unknown>, code: StoreError["code"]): Promise<void> => {
  const e = await f().then(
    () => undefined,
    (x: unknown) => x,
  );
  assert.instanceOf(e, StoreError, "expected a StoreError");
  assert.strictEqual((e as StoreError).code, code);
};
