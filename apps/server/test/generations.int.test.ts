/**
 * Both client generations' request shapes (reference-server.md §2, §3, §5, §15, §17): the 028-era JWT pair and
 * envelopes, the current client's OAuth sessions, transport extras and protocol header, and the request-level
 * answers (400/412/413/415/429/503).
 */
import { createHash, randomBytes } from "node:crypto";
import { gzipSync } from "node:zlib";
import { afterEach, assert, beforeEach, describe, it } from "vitest";
import { harness, PROJECT, seedTeam, statusEvent, ulidOf, type Harness } from "./support.ts";

const form = (o: Record<string, string>) => ({ headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(o).toString() });
const jsonBody = (o: unknown) => ({ headers: { "content-type": "application/json" }, body: JSON.stringify(o) });

/** A 028-era (@BASE) envelope as its emitter built them. */
const baseEvent = (n: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  event_id: ulidOf(n, "01H"),
  event_type: "WPStatusChanged",
  aggregate_id: "WP01",
  aggregate_type: "WorkPackage",
  payload: { wp_id: "WP01", previous_status: "planned", new_status: "doing", changed_by: "claude", feature_slug: "028-cli-event-emission" },
  timestamp: "2026-02-09T10:00:00+00:00",
  node_id: "a1b2c3d4e5f6",
  lamport_clock: n,
  causation_id: null,
  team_slug: "local",
  project_uuid: PROJECT,
  project_slug: "demo",
  git_branch: "main",
  head_commit_sha: null,
  repo_slug: null,
  ...extra,
});

describe("028-era client (legacy JWT pair, legacy envelopes)", () => {
  let h: Harness;
  let seed: Awaited<ReturnType<typeof seedTeam>>;
  beforeEach(async () => {
    h = await harness();
    seed = await seedTeam(h, "acme");
  });
  afterEach(async () => h.close());

  const login = async () => {
    const r = await h.request("POST", "/api/v1/token/", jsonBody({ username: seed.email, password: seed.password }));
    assert.strictEqual(r.status, 200, r.text);
    return r.json as { access: string; refresh: string; access_lifetime: number; refresh_lifetime: number; team_slug: string };
  };

  it("token obtain: access + refresh + lifetimes + the private team's slug; 401 for a wrong password", async () => {
    const t = await login();
    assert.isString(t.access);
    assert.isString(t.refresh);
    assert.strictEqual(t.access_lifetime, 900);
    assert.isAbove(t.refresh_lifetime, 600_000);
    assert.strictEqual(t.team_slug, seed.privateTeam.slug);
    const bad = await h.request("POST", "/api/v1/token/", jsonBody({ username: seed.email, password: "wrong" }));
    assert.strictEqual(bad.status, 401);
    const unknown = await h.request("POST", "/api/v1/token/", jsonBody({ username: "nobody@example.com", password: "x" }));
    assert.strictEqual(unknown.status, 401);
  });

  it("refresh rotates: both tokens come back, the old refresh token is dead (401)", async () => {
    const t = await login();
    const r1 = await h.request("POST", "/api/v1/token/refresh/", jsonBody({ refresh: t.refresh }));
    assert.strictEqual(r1.status, 200);
    assert.isString(r1.json.access);
    assert.isString(r1.json.refresh);
    assert.notStrictEqual(r1.json.refresh, t.refresh);
    const r2 = await h.request("POST", "/api/v1/token/refresh/", jsonBody({ refresh: "skr_nonsense" }));
    assert.strictEqual(r2.status, 401);
    const r3 = await h.request("POST", "/api/v1/token/refresh/", jsonBody({ refresh: r1.json.refresh }));
    assert.strictEqual(r3.status, 200);
  });

  it("ws-token with the slash, no body → {ws_token}; 401 without a valid access token", async () => {
    const t = await login();
    const r = await h.request("POST", "/api/v1/ws-token/", { headers: { authorization: `Bearer ${t.access}` } });
    assert.strictEqual(r.status, 200);
    assert.match(r.json.ws_token, /^skw_/);
    assert.strictEqual((await h.request("POST", "/api/v1/ws-token/", { headers: { authorization: "Bearer x.y.z" } })).status, 401);
    assert.strictEqual((await h.request("POST", "/api/v1/ws-token/")).status, 401);
  });

  it("accepts @BASE envelopes (4-lane status, FeatureCreated, no schema_version/build_id, team_slug local, project_uuid null)", async () => {
    const t = await login();
    const events = [
      baseEvent(1),
      baseEvent(2, {
        event_type: "FeatureCreated",
        aggregate_id: "028-cli-event-emission",
        aggregate_type: "Feature",
        payload: { feature_slug: "028-cli-event-emission", feature_number: "028", target_branch: "main", wp_count: 3 },
      }),
      baseEvent(3, { event_type: "WPCreated", payload: { wp_id: "WP02", title: "Queue", feature_slug: "028-cli-event-emission", dependencies: ["WP01"] } }),
      baseEvent(4, { project_uuid: null }),
    ];
    const r = await h.batch(t.access, events);
    assert.strictEqual(r.status, 200, r.text);
    assert.deepStrictEqual(
      r.json.results.map((x: { status: string }) => x.status),
      ["success", "success", "success", "success"],
    );
    const stored = await h.store.readEvents({ teamId: seed.privateTeam.id, limit: 10 });
    assert.deepStrictEqual(
      stored.map((e) => e.verdict),
      ["valid", "valid", "valid", "valid"],
    );
    const canon = JSON.parse(stored[0]!.canonical!) as { payload: Record<string, unknown> };
    assert.strictEqual(canon.payload["to_lane"], "in_progress");
    assert.strictEqual(canon.payload["mission_slug"], "028-cli-event-emission");
    assert.strictEqual(JSON.parse(stored[1]!.canonical!).event_type, "MissionCreated");
    // The board reads the upgraded events.
    const view = await h.request("GET", `/api/v1/teams/${seed.privateTeam.slug}/projects/${PROJECT}/missions/028-cli-event-emission/views/board`, { headers: { authorization: `Bearer ${t.access}` } });
    assert.strictEqual(view.status, 200, view.text);
    assert.deepStrictEqual(
      view.json.views.board.work_packages.map((c: { wp_id: string; lane: string }) => [c.wp_id, c.lane]),
      [
        ["WP01", "in_progress"],
        ["WP02", "planned"],
      ],
    );
  });

  it("an event refused for its content is quarantined and answered success (what ends this client's retries)", async () => {
    const t = await login();
    const bad = baseEvent(5, { event_type: "ErrorLogged", payload: { error_message: "boom" } });
    const r = await h.batch(t.access, [bad]);
    assert.deepStrictEqual(r.json, { results: [{ event_id: bad["event_id"], status: "success" }] });
    const again = await h.batch(t.access, [bad]);
    assert.strictEqual(again.json.results[0].status, "duplicate");
    const q = await h.store.readEvents({ teamId: seed.privateTeam.id, verdict: "quarantined", limit: 10 });
    assert.strictEqual(q.length, 1);
    assert.include(q[0]!.violations!, "error_type");
  });

  it("dedups by the normalised id but echoes each id verbatim", async () => {
    const t = await login();
    const e = baseEvent(6);
    const lower = { ...e, event_id: String(e["event_id"]).toLowerCase() };
    const r = await h.batch(t.access, [e, lower]);
    assert.deepStrictEqual(r.json.results, [
      { event_id: e["event_id"], status: "success" },
      { event_id: lower.event_id, status: "duplicate" },
    ]);
  });
});

describe("current client (OAuth, transport extras, protocol header)", () => {
  let h: Harness;
  let seed: Awaited<ReturnType<typeof seedTeam>>;
  beforeEach(async () => {
    h = await harness();
    seed = await seedTeam(h, "acme");
  });
  afterEach(async () => h.close());

  const deviceLogin = async () => {
    const d = await h.request("POST", "/oauth/device", form({ client_id: "cli_native", scope: "offline_access" }));
    assert.strictEqual(d.status, 200);
    assert.match(d.json.verification_uri, /\/device$/);
    assert.isString(d.json.user_code);
    const poll = () => h.request("POST", "/oauth/token", form({ grant_type: "urn:ietf:params:oauth:grant-type:device_code", device_code: d.json.device_code, client_id: "cli_native" }));
    const pending = await poll();
    assert.strictEqual(pending.status, 400);
    assert.strictEqual(pending.json.error, "authorization_pending");
    const page = await h.request("GET", `/device?user_code=${encodeURIComponent(d.json.user_code)}`);
    assert.strictEqual(page.status, 200);
    assert.include(page.text, d.json.user_code);
    const wrong = await h.request("POST", "/device", form({ user_code: d.json.user_code, email: seed.email, password: "nope", decision: "approve" }));
    assert.strictEqual(wrong.status, 401);
    const ok = await h.request("POST", "/device", form({ user_code: d.json.user_code, email: seed.email, password: seed.password, decision: "approve" }));
    assert.strictEqual(ok.status, 200, ok.text);
    const granted = await poll();
    assert.strictEqual(granted.status, 200, granted.text);
    for (const k of ["access_token", "refresh_token", "expires_in", "session_id"]) assert.property(granted.json, k);
    assert.strictEqual((await poll()).status, 400, "a device code is exchanged once");
    return granted.json as { access_token: string; refresh_token: string; session_id: string };
  };

  it("device flow approved on the HTML page; /api/v1/me lists teams with the private one flagged", async () => {
    const t = await deviceLogin();
    const me = await h.request("GET", "/api/v1/me", { headers: { authorization: `Bearer ${t.access_token}` } });
    assert.strictEqual(me.status, 200);
    assert.strictEqual(me.json.email, seed.email);
    assert.strictEqual(me.json.user_id, seed.user.id);
    const flags = me.json.teams.map((x: { name: string; is_private_teamspace: boolean; role: string; id: string }) => [x.id, x.is_private_teamspace, x.role]);
    assert.deepStrictEqual(flags, [
      [seed.privateTeam.id, true, "owner"],
      [seed.team.id, false, "member"],
    ]);
    const status = await h.request("GET", "/api/v1/session-status", { headers: { authorization: `Bearer ${t.access_token}` } });
    assert.strictEqual(status.json.session_id, t.session_id);
  });

  it("a denied device code answers access_denied", async () => {
    const d = await h.request("POST", "/oauth/device", form({ client_id: "cli_native" }));
    await h.request("POST", "/device", form({ user_code: d.json.user_code, email: seed.email, password: seed.password, decision: "deny" }));
    const r = await h.request("POST", "/oauth/token", form({ grant_type: "urn:ietf:params:oauth:grant-type:device_code", device_code: d.json.device_code, client_id: "cli_native" }));
    assert.strictEqual(r.json.error, "access_denied");
  });

  it("PKCE sign-in redirects to the loopback callback; the code exchanges once with the right verifier", async () => {
    const verifier = randomBytes(32).toString("base64url");
    const challenge = createHash("sha256").update(verifier).digest("base64url");
    const params = { client_id: "cli_native", redirect_uri: "http://127.0.0.1:53123/callback", response_type: "code", scope: "offline_access", code_challenge: challenge, code_challenge_method: "S256", state: "st4te" };
    const page = await h.request("GET", `/oauth/authorize?${new URLSearchParams(params)}`);
    assert.strictEqual(page.status, 200);
    const evil = await h.request("GET", `/oauth/authorize?${new URLSearchParams({ ...params, redirect_uri: "https://evil.example/cb" })}`);
    assert.strictEqual(evil.status, 400);
    const post = await h.request("POST", "/oauth/authorize", form({ ...params, email: seed.email, password: seed.password }));
    assert.strictEqual(post.status, 302);
    const loc = new URL(post.headers["location"]!);
    assert.strictEqual(loc.origin + loc.pathname, "http://127.0.0.1:53123/callback");
    assert.strictEqual(loc.searchParams.get("state"), "st4te");
    const code = loc.searchParams.get("code")!;
    const wrong = await h.request("POST", "/oauth/token", form({ grant_type: "authorization_code", code, redirect_uri: params.redirect_uri, client_id: "cli_native", code_verifier: "x".repeat(43) }));
    assert.strictEqual(wrong.status, 400);
    // The code was consumed by the failed attempt: a stolen code cannot be retried.
    const post2 = await h.request("POST", "/oauth/authorize", form({ ...params, email: seed.email, password: seed.password }));
    const code2 = new URL(post2.headers["location"]!).searchParams.get("code")!;
    const ok = await h.request("POST", "/oauth/token", form({ grant_type: "authorization_code", code: code2, redirect_uri: params.redirect_uri, client_id: "cli_native", code_verifier: verifier }));
    assert.strictEqual(ok.status, 200, ok.text);
    for (const k of ["access_token", "refresh_token", "expires_in", "session_id", "refresh_token_expires_at"]) assert.property(ok.json, k);
  });

  it("refresh rotation, benign replay (409), revoke → invalid_grant", async () => {
    const t = await deviceLogin();
    const r1 = await h.request("POST", "/oauth/token", form({ grant_type: "refresh_token", refresh_token: t.refresh_token, client_id: "cli_native" }));
    assert.strictEqual(r1.status, 200);
    assert.notStrictEqual(r1.json.refresh_token, t.refresh_token);
    assert.strictEqual(r1.json.session_id, t.session_id);
    const replay = await h.request("POST", "/oauth/token", form({ grant_type: "refresh_token", refresh_token: t.refresh_token, client_id: "cli_native" }));
    assert.strictEqual(replay.status, 409);
    assert.strictEqual(replay.json.error, "refresh_replay_benign_retry");
    const rev = await h.request("POST", "/oauth/revoke", form({ token: r1.json.refresh_token, token_type_hint: "refresh_token" }));
    assert.deepStrictEqual(rev.json, { revoked: true });
    const dead = await h.request("POST", "/oauth/token", form({ grant_type: "refresh_token", refresh_token: r1.json.refresh_token, client_id: "cli_native" }));
    assert.strictEqual(dead.status, 400);
    assert.strictEqual(dead.json.error, "invalid_grant");
  });

  it("ws-token without the slash: {team_id} → ws_token, ws_url, expires_in, session_id; 403/404/400", async () => {
    const t = await deviceLogin();
    const auth = { authorization: `Bearer ${t.access_token}`, "content-type": "application/json" };
    const ok = await h.request("POST", "/api/v1/ws-token", { headers: auth, body: JSON.stringify({ team_id: seed.privateTeam.id }) });
    assert.strictEqual(ok.status, 200);
    assert.deepStrictEqual(Object.keys(ok.json).sort(), ["expires_in", "session_id", "ws_token", "ws_url"]);
    assert.strictEqual(ok.json.ws_url, "ws://127.0.0.1:9/ws/v1/events/");
    assert.notInclude(ok.json.ws_url, "token");
    const stranger = await h.app.auth.createTeam("stranger");
    assert.strictEqual((await h.request("POST", "/api/v1/ws-token", { headers: auth, body: JSON.stringify({ team_id: stranger.id }) })).json.error, "not_a_team_member");
    assert.strictEqual((await h.request("POST", "/api/v1/ws-token", { headers: auth, body: JSON.stringify({ team_id: "team_nope" }) })).status, 404);
    assert.strictEqual((await h.request("POST", "/api/v1/ws-token", { headers: auth, body: "{}" })).status, 400);
  });

  it("accepts @HEAD items with transport extras and the protocol header; content refusals are terminal rejections", async () => {
    const t = await deviceLogin();
    const good = { ...statusEvent(1), type: "event", spec_kitty_delivery_identity: ulidOf(1), admission_generation: 1, binding_audience: "local-nonstrict:x", drain_blocked_reason: null, build_id: "" };
    const withTop = { ...statusEvent(2, { from: "claimed", to: "in_progress" }), from_lane: "claimed", to_lane: "in_progress", actor: "agent-1" };
    const bad = { ...statusEvent(3), payload: { ...(statusEvent(3)["payload"] as object), to_lane: "sideways" } };
    const r = await h.batch(t.access_token, [good, withTop, bad], { headers: { "x-spec-kitty-sync-protocol": "2.0" } });
    assert.strictEqual(r.status, 200, r.text);
    assert.deepStrictEqual(r.json.results.slice(0, 2), [
      { event_id: ulidOf(1), status: "success" },
      { event_id: ulidOf(2), status: "success" },
    ]);
    const rejected = r.json.results[2];
    assert.strictEqual(rejected.status, "rejected");
    assert.strictEqual(rejected.error_category, "project_refused");
    assert.include(rejected.error, "sideways");
  });

  it("another team's project is refused per event (project_not_admitted) in a mixed batch", async () => {
    const other = await seedTeam(h, "other");
    await h.batch(other.apiToken, [statusEvent(10, { project: "11111111-2222-4333-8444-555555555555" })]);
    const r = await h.batch(seed.apiToken, [statusEvent(11), statusEvent(12, { project: "11111111-2222-4333-8444-555555555555" })]);
    assert.strictEqual(r.status, 200);
    assert.strictEqual(r.json.results[0].status, "success");
    assert.strictEqual(r.json.results[1].status, "rejected");
    assert.strictEqual(r.json.results[1].error_category, "project_not_admitted");
  });

  it("X-Team-Slug selects one of the caller's teams; another team's slug is 403", async () => {
    const t = await deviceLogin();
    const r = await h.batch(t.access_token, [statusEvent(20)], { headers: { "x-team-slug": seed.team.id } });
    assert.strictEqual(r.status, 200);
    assert.strictEqual((await h.store.readEvents({ teamId: seed.team.id, limit: 5 })).length, 1);
    await h.app.auth.createTeam("stranger");
    const f = await h.batch(t.access_token, [statusEvent(21)], { headers: { "x-team-slug": "stranger" } });
    assert.strictEqual(f.status, 403);
  });
});

describe("request-level answers", () => {
  let h: Harness;
  let token: string;
  beforeEach(async () => {
    h = await harness({ limits: { maxDecompressedBytes: 64 * 1024, legacyMaxDecompressedBytes: 128 * 1024 }, rate: { burst: 1_000_000, perSecond: 1_000_000 } });
    token = (await seedTeam(h, "acme")).apiToken;
  });
  afterEach(async () => h.close());

  it("uncompressed JSON is accepted; an empty batch is the 400 the status probe looks for", async () => {
    assert.strictEqual((await h.batch(token, [statusEvent(1)], { gzip: false })).status, 200);
    const empty = await h.batch(token, { events: [] }, { gzip: false });
    assert.strictEqual(empty.status, 400);
    assert.include(empty.text, "No events provided");
  });

  it("unparseable bodies are 400 with details; unusable items name their index", async () => {
    const notJson = await h.batch(token, "{not json", { gzip: true });
    assert.strictEqual(notJson.status, 400);
    assert.isArray(notJson.json.details);
    const badGzip = await h.request("POST", "/api/v1/events/batch/", { headers: { authorization: `Bearer ${token}`, "content-encoding": "gzip" }, body: Buffer.from("not gzip") });
    assert.strictEqual(badGzip.status, 400);
    assert.strictEqual(badGzip.json.code, "malformed_body");
    const noId = await h.batch(token, [statusEvent(1), { event_type: "X" }, 5]);
    assert.strictEqual(noId.status, 400);
    assert.deepStrictEqual(
      noId.json.details.map((d: { index: number }) => d.index),
      [1, 2],
    );
    assert.strictEqual((await h.store.readEvents({ teamId: (await h.store.teamBySlug("acme"))!.id, limit: 5 })).length, 0, "400 stores nothing");
  });

  it("415 for an unknown Content-Encoding, 405 for a wrong method, 404 for a wrong slash", async () => {
    const r = await h.request("POST", "/api/v1/events/batch/", { headers: { authorization: `Bearer ${token}`, "content-encoding": "br" }, body: "x" });
    assert.strictEqual(r.status, 415);
    assert.strictEqual((await h.request("GET", "/api/v1/events/batch/", { headers: { authorization: `Bearer ${token}` } })).status, 405);
    assert.strictEqual((await h.request("POST", "/api/v1/events/batch", { headers: { authorization: `Bearer ${token}` } })).status, 404);
  });

  it("a gzip bomb stops at the decompressed limit: 413 with the advertised limits", async () => {
    const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20));
    assert.isBelow(bomb.length, 100_000);
    const r = await h.request("POST", "/api/v1/events/batch/", { headers: { authorization: `Bearer ${token}`, "content-encoding": "gzip", "x-spec-kitty-sync-protocol": "2.0" }, body: bomb });
    assert.strictEqual(r.status, 413);
    assert.strictEqual(r.json.error_code, "sync_batch_too_large");
    assert.strictEqual(r.json.limits.max_decompressed_bytes_per_batch, 64 * 1024);
    // Without a budget header the larger legacy cap applies, still far below the bomb.
    const legacy = await h.request("POST", "/api/v1/events/batch/", { headers: { authorization: `Bearer ${token}`, "content-encoding": "gzip" }, body: bomb });
    assert.strictEqual(legacy.status, 413);
    assert.include(legacy.json.detail, String(128 * 1024));
  });

  it("412 for an advertised, unsupported protocol, with upgrade guidance; 2 and 2.0 pass", async () => {
    const old = await h.batch(token, [statusEvent(1)], { headers: { "x-spec-kitty-sync-protocol": "1.0" } });
    assert.strictEqual(old.status, 412);
    assert.strictEqual(old.json.error_code, "client-too-old");
    assert.include(old.json.sync_protocol.upgrade_guidance, "Upgrade");
    const newer = await h.batch(token, [statusEvent(1)], { headers: { "x-spec-kitty-sync-protocol": "3.0" } });
    assert.strictEqual(newer.json.error_code, "client-too-new");
    assert.include(newer.json.sync_protocol.upgrade_guidance, "Pin");
    assert.strictEqual((await h.batch(token, [statusEvent(1)], { headers: { "x-spec-kitty-sync-protocol": "banana" } })).json.error_code, "client-protocol-unparseable");
    assert.strictEqual((await h.batch(token, [statusEvent(1)], { headers: { "x-spec-kitty-sync-protocol": "2" } })).status, 200);
  });

  it("health advertises the ingress limits, cacheably, without a database round trip", async () => {
    const r = await h.request("GET", "/api/v1/sync/health/");
    assert.strictEqual(r.status, 200);
    assert.deepStrictEqual(r.json.sync_ingress, {
      contract_version: "sync-ingress-limits.v1",
      limits: { max_events_per_batch: 1000, max_decompressed_bytes_per_batch: 64 * 1024, retry_after_min_seconds: 2, retry_after_max_seconds: 30 },
    });
    assert.match(r.headers["cache-control"]!, /max-age=\d+/);
    assert.strictEqual((await h.request("GET", "/api/v1/sync/health/", { headers: { authorization: "Bearer junk" } })).status, 401);
  });

  it("preflight judges without storing", async () => {
    const body = JSON.stringify({ history_action_id: "h1", preview_hash: "x", events: [statusEvent(1), statusEvent(2)] });
    const r = await h.request("POST", "/api/v1/events/preflight/", { headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body });
    assert.strictEqual(r.status, 200);
    assert.isTrue(r.json.accepted);
    assert.deepStrictEqual(
      r.json.results.map((x: { status: string }) => x.status),
      ["success", "success"],
    );
    assert.strictEqual((await h.store.readEvents({ teamId: (await h.store.teamBySlug("acme"))!.id, limit: 5 })).length, 0);
    const bad = JSON.stringify({ events: [{ ...statusEvent(3), lamport_clock: "x" }] });
    const rb = await h.request("POST", "/api/v1/events/preflight/", { headers: { authorization: `Bearer ${token}` }, body: bad });
    assert.isFalse(rb.json.accepted);
    assert.strictEqual(rb.json.details[0].event_id, ulidOf(3));
  });

  it("503, never 401, when credentials cannot be checked", async () => {
    const jwt = await h.app.auth.issuePair((await h.store.userByEmail("acme@example.com"))!.id, "legacy");
    await h.store.close();
    const r = await h.batch(jwt.accessToken, [statusEvent(1)]);
    assert.strictEqual(r.status, 503);
    const api = await h.batch(`${token}x`, [statusEvent(1)]);
    assert.strictEqual(api.status, 503);
  });
});

describe("rate limiting", () => {
  it("checks a per-team bucket before reading the body: 429 with a Retry-After within the advertised bounds", async () => {
    const h = await harness({ rate: { burst: 3, perSecond: 0.001 } });
    try {
      const token = (await seedTeam(h, "acme")).apiToken;
      const other = (await seedTeam(h, "other")).apiToken;
      const statuses: Array<number> = [];
      const waits: Array<number> = [];
      let bodyReads = 0;
      for (let i = 0; i < 8; i++) {
        const r = await h.app.handle({
          method: "POST",
          url: "/api/v1/events/batch/",
          headers: { authorization: `Bearer ${token}`, "content-encoding": "gzip" },
          requestId: `r${i}`,
          readBody: async () => {
            bodyReads++;
            return gzipSync(JSON.stringify({ events: [statusEvent(i)] }));
          },
        });
        statuses.push(r.status);
        if (r.status === 429) waits.push(Number(r.headers["retry-after"]));
      }
      assert.deepStrictEqual(statuses, [200, 200, 200, 429, 429, 429, 429, 429]);
      assert.strictEqual(bodyReads, 3, "a throttled request's body is never read");
      for (const w of waits) assert.isTrue(w >= 2 && w <= 30, `Retry-After ${w}`);
      assert.strictEqual((await h.batch(other, [statusEvent(100, { project: "99999999-2222-4333-8444-555555555555" })])).status, 200, "buckets are per team");
    } finally {
      await h.close();
    }
  });
});
