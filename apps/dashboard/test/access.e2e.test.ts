/**
 * Who sees what: a second team's user sees none of the first team's projects and its pages never ask for
 * a foreign id; the device-flow approval page completes a command line's login.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ACME_PROJECT, ALICE, BOB, GLOBEX_PROJECT, makeSeed } from "./support/seed.ts";
import { launchChromium, screenshot, signIn, WIDTHS } from "./support/browser.ts";
import { startServer, type RunningServer } from "./support/server.ts";

const seed = makeSeed(6);
const acme = seed.projects[0]!;
const globex = seed.projects[1]!;
let server: RunningServer;
let acmeId: string;
let globexId: string;
let browser: Browser;

beforeAll(async () => {
  server = await startServer(seed);
  acmeId = server.teams.get(ALICE.team.id)!.id;
  globexId = server.teams.get(BOB.team.id)!.id;
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe("team isolation", () => {
  it("shows a second team's user only its own projects, and no page request carries a foreign id", async () => {
    const context = await browser.newContext({ viewport: WIDTHS.desktop });
    const page = await context.newPage();
    const urls: Array<string> = [];
    page.on("request", (r) => urls.push(r.url()));
    page.on("websocket", (ws) => urls.push(ws.url()));
    await signIn(page, server.url, BOB.email, BOB.password, `/?team=${globexId}`);
    await page.locator(".mission").first().waitFor({ timeout: 5_000 });
    expect(await page.locator(".project").count()).toBe(1);
    expect(await page.locator(".project").getAttribute("data-project")).toBe(GLOBEX_PROJECT);
    const text = await page.locator("body").textContent();
    expect(text).toContain("Globex hidden plan");
    expect(text).not.toContain("Checkout rework");
    expect(text).not.toContain("acme");
    // walk every page of the team
    await page.locator(".mission a").click();
    await page.locator(".card").first().waitFor({ timeout: 5_000 });
    await page.getByRole("link", { name: "Timeline" }).click();
    await page.locator(".event").first().waitFor({ timeout: 5_000 });
    await page.getByRole("link", { name: "Sync health" }).click();
    await page.locator(".nodes tbody tr").first().waitFor({ timeout: 5_000 });
    // a hand-typed address of the other team's mission shows nothing and asks the API for nothing of it
    await page.goto(`${server.url}/teams/${acmeId}/projects/${ACME_PROJECT}/missions/${acme.mission_id}`);
    await page.getByRole("heading", { name: "Not found" }).waitFor({ timeout: 5_000 });
    await screenshot(page, "foreign-mission-desktop");
    const foreign = [acmeId, ACME_PROJECT, acme.mission_id];
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
    await signIn(page, server.url, BOB.email, BOB.password);
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
      [acmeId, ACME_PROJECT, acme.mission_id] as const,
    );
    expect(statuses).toEqual([200, 404, 404, 404]);
    await context.close();
  });
});

describe("device flow", () => {
  it("a command line's device login completes once the user approves it on the approval page", async () => {
    // the command line asks for a device code
    const device = (await (
      await fetch(`${server.url}/oauth/device`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "client_id=cli_native&scope=offline_access",
        signal: AbortSignal.timeout(5_000),
      })
    ).json()) as { device_code: string; user_code: string; verification_uri_complete: string };
    const poll = async () =>
      fetch(`${server.url}/oauth/token`, {
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
    await page.getByText("return to your terminal").waitFor({ timeout: 5_000 });

    // the command line's next poll gets tokens that work for the approving user
    const granted = await poll();
    expect(granted.status).toBe(200);
    const tokens = (await granted.json()) as { access_token: string };
    const me = (await (
      await fetch(`${server.url}/api/v1/me`, { headers: { authorization: `Bearer ${tokens.access_token}` }, signal: AbortSignal.timeout(5_000) })
    ).json()) as { email: string };
    expect(me.email).toBe(ALICE.email);
    await context.close();
  });
});
