/**
 * The dashboard in Chromium against the real server on loopback (one server, one browser for the file): sign in,
 * the seeded board, live moves, the collaboration panel, the timeline filter, a dropped WebSocket, sync health,
 * screenshots and an axe check; then who sees what (a second team's user) and the device flow.
 */
import axe from "axe-core";
import { spawnSync } from "node:child_process";
import { mkdtempSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ALICE, ACME_PROJECT, BOB, envelopeFactory, GLOBEX_PROJECT, makeSeed, NODE_B, SEEDED_LANES, wpId } from "./support/seed.ts";
import { launchChromium, screenshot, signIn, WIDTHS } from "./support/browser.ts";
import { startProxy, type Proxy } from "./support/proxy.ts";
import { startServer, type RunningServer } from "./support/server.ts";

const WP_COUNT = 12;
const seed = makeSeed(WP_COUNT);
const acme = seed.projects[0]!;
const globex = seed.projects[1]!;
let server: RunningServer;
let proxy: Proxy;
/** The page's origin: the proxy in front of the server. */
let base: string;
let teamId: string;
let globexId: string;
let boardPath: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
// Live events get lamport clocks above the seeded ones and ids of their own.
const live = envelopeFactory(ACME_PROJECT, "acme-shop", 9, new Date("2026-12-02T10:00:00Z"));
const bumpLamport = (n: number) => {
  for (let i = 0; i < n; i += 1) live("Noop", "x", {});
};
bumpLamport(1_000);

const move = (wp: string, from: string, to: string, reason: string | null = null) =>
  live(
    "WPStatusChanged",
    wp,
    { mission_slug: acme.mission_slug, wp_id: wp, from_lane: from, to_lane: to, actor: "codex", force: reason !== null, reason, execution_mode: "worktree", review_ref: null, evidence: null },
    NODE_B,
  );

const cardLane = (wp: string) => page.locator(`.card[data-wp="${wp}"]`).getAttribute("data-lane", { timeout: 15_000 });

beforeAll(async () => {
  server = await startServer(seed);
  proxy = await startProxy(server.url);
  base = proxy.url;
  teamId = server.teams.get(ALICE.team.id)!.id;
  globexId = server.teams.get(BOB.team.id)!.id;
  boardPath = `/teams/${teamId}/projects/${ACME_PROJECT}/missions/${acme.mission_id}`;
  browser = await launchChromium();
  context = await browser.newContext({ viewport: WIDTHS.desktop, colorScheme: "light" });
  page = await context.newPage();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  await server?.stop();
});

describe("dashboard in Chromium", () => {
  it("sends a signed-out visitor to sign in, refuses a wrong password, then signs in", async () => {
    await page.goto(`${base}${boardPath}`);
    await page.waitForURL(/\/signin\?next=/, { timeout: 10_000 });
    await page.getByLabel("Email").fill(ALICE.email);
    await page.getByLabel("Password").fill("wrong password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent(), { timeout: 15_000 }).toContain("Wrong email or password");
    await page.getByLabel("Password").fill(ALICE.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((u) => u.pathname === boardPath, { timeout: 10_000 });
    await page.locator(".card").first().waitFor({ timeout: 10_000 });
  });

  it("shows every seeded work package as one card in its lane, columns in FSM order", async () => {
    const lanes = await page.locator(".lane").evaluateAll((els) => els.map((e) => e.getAttribute("data-lane")));
    expect(lanes).toEqual(["planned", "claimed", "in_progress", "for_review", "in_review", "approved", "done", "blocked", "canceled"]);
    expect(await page.locator(".card").count()).toBe(WP_COUNT);
    for (let i = 0; i < WP_COUNT; i += 1) {
      const wp = wpId(i);
      const column = await page.locator(`.lane:has(.card[data-wp="${wp}"])`).getAttribute("data-lane");
      expect(column, wp).toBe(SEEDED_LANES[i % SEEDED_LANES.length]);
    }
    const blocked = page.locator('.lane[data-lane="blocked"] .card').first();
    await expect.poll(() => blocked.locator(".blocked-reason").textContent()).toContain("payment provider sandbox");
    // dependencies appear on keyboard focus
    const withDeps = page.locator('.card[data-wp="WP04"]');
    expect(await withDeps.locator(".deps").isVisible()).toBe(false);
    await withDeps.focus();
    expect(await withDeps.locator(".deps").isVisible()).toBe(true);
    expect(await withDeps.locator(".deps").textContent()).toContain("WP03");
  });

  it("moves a card without a reload when an event is posted through the batch API", async () => {
    const marker = await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = Math.random()));
    expect(await cardLane("WP10")).toBe("planned");
    await server.post(ALICE.team.id, [move("WP10", "planned", "claimed")]);
    // the delay itself is measured by bench/run.ts (docs/benchmarks.md); here only that it arrives, live
    await page.locator('.lane[data-lane="claimed"] .card[data-wp="WP10"]').waitFor({ timeout: 15_000 });
    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(marker);
  });

  it("shows the seeded concurrent-driver warning, drivers, the decision and the comment", async () => {
    const warning = page.locator('.warning[data-warning="warn-drivers-1"]');
    await warning.waitFor({ timeout: 15_000 });
    expect(await warning.textContent()).toMatch(/Concurrent drivers.*Claude.*Codex/);
    expect(await warning.getAttribute("class")).toContain("open");
    expect(await page.locator(".participants li").count()).toBe(3);
    expect(await page.locator(".badge.driver").count()).toBe(2);
    expect(await page.locator(".decisions").textContent()).toContain("exponential backoff");
    expect(await page.locator(".comments").textContent()).toContain("please take WP07");
    // an acknowledgement arrives live
    await server.post(ALICE.team.id, [
      live("WarningAcknowledged", acme.mission_id, { participant_id: "p-alice", mission_id: acme.mission_id, warning_id: "warn-drivers-1", acknowledgement: "continue" }),
    ]);
    await expect.poll(() => warning.getAttribute("class"), { timeout: 10_000 }).toContain("acknowledged");
    expect(await warning.textContent()).toContain("Alice (continue)");
  });

  it("passes axe with no serious or critical violation, in light and dark", async () => {
    for (const scheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      // evaluated through the devtools protocol: the page's CSP (no inline scripts) stays in force
      await page.evaluate(axe.source);
      const result = await page.evaluate(async () => {
        const r = await (window as unknown as { axe: typeof axe }).axe.run(document, { resultTypes: ["violations"] });
        return r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length }));
      });
      const serious = result.filter((v) => v.impact === "serious" || v.impact === "critical");
      expect(serious, `${scheme}: ${JSON.stringify(serious)}`).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: "light" });
  });

  it("reaches the cards and the sign-out button by keyboard with a visible focus ring", async () => {
    await page.locator("body").focus();
    const seen = new Set<string>();
    let outline = "";
    for (let i = 0; i < 40; i += 1) {
      await page.keyboard.press("Tab");
      const info = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        return { cls: el?.className ?? "", text: el?.textContent?.trim().slice(0, 20) ?? "", outline: el === null ? "" : getComputedStyle(el).outlineStyle };
      });
      seen.add(info.cls.split(" ")[0] ?? "");
      if (info.cls.startsWith("card")) outline = info.outline;
      if (info.text === "Sign out") seen.add("signout");
    }
    expect(seen.has("card")).toBe(true);
    expect(seen.has("signout")).toBe(true);
    expect(outline).toBe("solid");
  });

  it("reconnects after a dropped WebSocket and catches up what happened meanwhile", async () => {
    await expect.poll(() => page.locator("[data-live]").getAttribute("data-live"), { timeout: 15_000 }).toBe("open");
    proxy.refuse = true;
    expect(proxy.drop()).toBeGreaterThan(0);
    await expect.poll(() => page.locator("[data-live]").getAttribute("data-live"), { timeout: 15_000 }).not.toBe("open");
    // while the page is cut off, two moves reach the server: no push can reach the page
    await server.post(ALICE.team.id, [move("WP11", "planned", "claimed"), move("WP06", "in_progress", "for_review")]);
    await new Promise((r) => setTimeout(r, 300));
    expect(await cardLane("WP11")).toBe("planned");
    const listings: Array<string> = [];
    const onRequest = (r: { url(): string }) => {
      if (r.url().includes("/api/v1/events/?")) listings.push(r.url());
    };
    page.on("request", onRequest);
    proxy.refuse = false;
    await expect.poll(() => page.locator("[data-live]").getAttribute("data-live"), { timeout: 15_000 }).toBe("open");
    await page.locator('.lane[data-lane="claimed"] .card[data-wp="WP11"]').waitFor({ timeout: 15_000 });
    expect(await cardLane("WP06")).toBe("for_review");
    page.off("request", onRequest);
    // the reconnect asked the listing for what came after the last event it had seen
    expect(listings.some((u) => /after=\d+/.test(u) && !u.includes("after=0&"))).toBe(true);
  });

  it("lists every mission event in Lamport order on the timeline and filters by type, work package and actor", async () => {
    await page.getByRole("link", { name: "Timeline" }).click();
    await page.locator(".event").first().waitFor({ timeout: 15_000 });
    const total = await page.locator(".event").count();
    const missionEvents = acme.events.length + 4; // the seeded ones plus the three moves and the acknowledgement above
    expect(total).toBe(missionEvents);
    const clocks = await page.locator(".event .lamport").allTextContents();
    const numbers = clocks.map(Number);
    expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
    await page.getByLabel("Type").selectOption("ConcurrentDriverWarning");
    expect(await page.locator(".event").count()).toBe(1);
    await page.getByLabel("Type").selectOption("WPStatusChanged");
    await page.getByLabel("Work package").selectOption("WP10");
    const rows = await page.locator(".event").count();
    expect(rows).toBe(2); // its seeded bootstrap plus the live move
    await page.getByLabel("Actor").selectOption("codex");
    expect(await page.locator(".event").count()).toBe(1);
    await page.locator(".event summary").first().click();
    expect(await page.locator(".event pre").first().textContent()).toContain('"to_lane": "claimed"');
    // a live event appears on the timeline too
    await page.getByLabel("Work package").selectOption("");
    await page.getByLabel("Actor").selectOption("");
    await server.post(ALICE.team.id, [move("WP09", "planned", "claimed")]);
    await expect.poll(() => page.locator(".event").count(), { timeout: 10_000 }).toBeGreaterThan(rows);
  });

  it("shows sync health: nodes with their last event, events per hour, quarantined events with violations", async () => {
    const bad = { ...live("WPStatusChanged", "WP01", { wp_id: "WP01" }), lamport_clock: -3 };
    await server.post(ALICE.team.id, [bad]);
    await page.getByRole("link", { name: "Sync health" }).first().click();
    await page.locator(".nodes tbody tr").first().waitFor({ timeout: 15_000 });
    expect(await page.locator(".nodes tbody tr").count()).toBe(2);
    expect(await page.locator(".rate li").count()).toBeGreaterThan(0);
    const q = page.locator(`[data-quarantined="${bad.event_id}"]`);
    await q.waitFor({ timeout: 15_000 });
    expect(await q.textContent()).toContain("lamport_clock");
  });

  it("shows the team's projects with each mission's progress and keeps every page readable at both widths", async () => {
    await page.goto(`${base}/?team=${teamId}`);
    await page.locator(".mission").first().waitFor({ timeout: 15_000 });
    expect(await page.locator(".project").count()).toBe(1);
    expect(await page.locator(".mission .progress-text").textContent()).toMatch(/Done 2/);
    // each page with the element that shows its data has arrived
    const pages: Record<string, [string, string]> = {
      home: [`/?team=${teamId}`, ".mission"],
      board: [boardPath, ".warning"],
      timeline: [`${boardPath}/timeline`, ".event"],
      health: [`/teams/${teamId}/projects/${ACME_PROJECT}/health`, ".nodes tbody tr"],
    };
    for (const [name, [path, ready]] of Object.entries(pages)) {
      for (const [width, viewport] of Object.entries(WIDTHS)) {
        await page.setViewportSize(viewport);
        await page.goto(`${base}${path}`);
        await page.locator(ready).first().waitFor({ timeout: 10_000 });
        // nothing overflows the viewport sideways except the board's own scroller
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow, `${name} at ${width}`).toBeLessThanOrEqual(1);
        await screenshot(page, `${name}-${width}`);
      }
    }
    // the board is not empty or broken at the phone width: every lane and card is rendered and visible
    await page.goto(`${base}${boardPath}`);
    await page.locator(".card").first().waitFor({ timeout: 15_000 });
    expect(await page.locator(".lane").count()).toBe(9);
    expect(await page.locator(".card:visible").count()).toBe(WP_COUNT);
    const sizes = await page.locator(".card").evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
    expect(Math.min(...sizes)).toBeGreaterThan(200);
    await page.setViewportSize(WIDTHS.desktop);
  });

  it("signs out and is sent back to sign in", async () => {
    await page.goto(`${base}/`);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(/\/signin/, { timeout: 15_000 });
    await page.goto(`${base}${boardPath}`);
    await page.waitForURL(/\/signin\?next=/, { timeout: 15_000 });
  });
});

describe("team isolation", () => {
  it("shows a second team's user only its own projects, and no page request carries a foreign id", async () => {
    const context = await browser.newContext({ viewport: WIDTHS.desktop });
    const page = await context.newPage();
    const urls: Array<string> = [];
    page.on("request", (r) => urls.push(r.url()));
    page.on("websocket", (ws) => urls.push(ws.url()));
    await signIn(page, base, BOB.email, BOB.password, `/?team=${globexId}`);
    await page.locator(".mission").first().waitFor({ timeout: 15_000 });
    expect(await page.locator(".project").count()).toBe(1);
    expect(await page.locator(".project").getAttribute("data-project")).toBe(GLOBEX_PROJECT);
    const text = await page.locator("body").textContent();
    expect(text).toContain("Globex hidden plan");
    expect(text).not.toContain("Checkout rework");
    expect(text).not.toContain("acme");
    // walk every page of the team
    await page.locator(".mission a").click();
    await page.locator(".card").first().waitFor({ timeout: 15_000 });
    await page.getByRole("link", { name: "Timeline" }).click();
    await page.locator(".event").first().waitFor({ timeout: 15_000 });
    await page.getByRole("link", { name: "Sync health" }).click();
    await page.locator(".nodes tbody tr").first().waitFor({ timeout: 15_000 });
    // a hand-typed address of the other team's mission shows nothing and asks the API for nothing of it
    await page.goto(`${base}/teams/${teamId}/projects/${ACME_PROJECT}/missions/${acme.mission_id}`);
    await page.getByRole("heading", { name: "Not found" }).waitFor({ timeout: 15_000 });
    await screenshot(page, "foreign-mission-desktop");
    const foreign = [teamId, ACME_PROJECT, acme.mission_id];
    const apiCalls = urls.filter((u) => new URL(u).pathname.startsWith("/api/") || new URL(u).pathname.startsWith("/ws/"));
    expect(apiCalls.length).toBeGreaterThan(5);
    for (const url of apiCalls) for (const id of foreign) expect(url, url).not.toContain(id);
    expect(urls.some((u) => u.includes(GLOBEX_PROJECT))).toBe(true);
    expect(urls.some((u) => u.includes(globex.mission_id))).toBe(true);
    await context.close();
  });

  it("the API itself refuses the other team's data to a signed-in user", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, base, BOB.email, BOB.password);
    const statuses = await page.evaluate(
      async ([team, project, mission]) => {
        const { access } = JSON.parse(sessionStorage.getItem("spec-kitty.session") ?? "{}") as { access: string };
        const get = async (p: string) => (await fetch(p, { headers: { authorization: `Bearer ${access}` } })).status;
        return [
          await get("/api/v1/me"),
          await get(`/api/v1/teams/${team}/projects`),
          await get(`/api/v1/teams/${team}/projects/${project}/missions/${mission}`),
          await get(`/api/v1/events/?project_uuid=${project}`),
        ];
      },
      [teamId, ACME_PROJECT, acme.mission_id] as const,
    );
    expect(statuses).toEqual([200, 404, 404, 404]);
    await context.close();
  });
});

describe("device flow", () => {
  it("a command line's device login completes once the user approves it on the approval page", async () => {
    // the command line asks for a device code
    const device = (await (
      await fetch(`${base}/oauth/device`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "client_id=cli_native&scope=offline_access",
        signal: AbortSignal.timeout(5_000),
      })
    ).json()) as { device_code: string; user_code: string; verification_uri_complete: string };
    const poll = async () =>
      fetch(`${base}/oauth/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ grant_type: "urn:ietf:params:oauth:grant-type:device_code", device_code: device.device_code, client_id: "cli_native" }).toString(),
        signal: AbortSignal.timeout(5_000),
      });
    const pending = await poll();
    expect(pending.status).toBe(400);
    expect(((await pending.json()) as { error: string }).error).toBe("authorization_pending");

    // the user opens the address the command line printed and approves with their password
    const context = await browser.newContext({ viewport: WIDTHS.phone });
    const page = await context.newPage();
    await page.goto(device.verification_uri_complete);
    expect(await page.getByLabel("Code").inputValue()).toBe(device.user_code);
    await page.getByLabel("Email").fill(ALICE.email);
    await page.getByLabel("Password").fill(ALICE.password);
    await screenshot(page, "device-phone");
    await page.getByRole("button", { name: "Approve" }).click();
    await page.getByText("return to your terminal").waitFor({ timeout: 15_000 });

    // the command line's next poll gets tokens that work for the approving user
    const granted = await poll();
    expect(granted.status).toBe(200);
    const tokens = (await granted.json()) as { access_token: string };
    const me = (await (
      await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${tokens.access_token}` }, signal: AbortSignal.timeout(5_000) })
    ).json()) as { email: string };
    expect(me.email).toBe(ALICE.email);
    await context.close();
  });
});

describe("board screenshot tool (for the demo)", () => {
  const TOOL = new URL("../tools/board-screenshot.ts", import.meta.url).pathname;
  // straight to the server: spawnSync blocks this process, and with it the proxy
  const runTool = (args: ReadonlyArray<string>, input: string) => {
    const r = spawnSync(process.execPath, [TOOL, ...args], { input, encoding: "utf8", timeout: 60_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it("prints the board's address, signs in and saves a screenshot of a non-empty live board", () => {
    const out = join(mkdtempSync(join(tmpdir(), "sk-shot-")), "board.png");
    const r = runTool(["--server", server.url, "--email", ALICE.email, "--password-stdin", "--team", ALICE.team.id, "--project", ACME_PROJECT, "--mission", acme.mission_id, "--out", out], `${ALICE.password}\n`);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`dashboard: ${server.url}${boardPath}`);
    expect(r.stdout).toMatch(/board: 12 card\(s\) in 9 lanes, live/);
    expect(statSync(out).size).toBeGreaterThan(10_000);
  });

  it("refuses a missing option with exit 2 and a wrong team with exit 1", () => {
    const usage = runTool(["--server", server.url], "");
    expect([usage.code, usage.stderr]).toEqual([2, expect.stringContaining("--email is required")]);
    const foreign = runTool(["--server", server.url, "--email", BOB.email, "--password-stdin", "--team", ALICE.team.id, "--project", ACME_PROJECT, "--mission", acme.mission_id, "--out", "/tmp/x.png"], `${BOB.password}\n`);
    expect([foreign.code, foreign.stderr]).toEqual([1, expect.stringContaining("not a member of team acme")]);
  });
});
