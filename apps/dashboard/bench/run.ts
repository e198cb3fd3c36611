/**
 * Dashboard benchmark: bundle size, first load of a 200-work-package board, and the delay from a batch POST to
 * the card moving in the page. Runs the real spec-kitty-server (SQLite, loopback) and Debian's Chromium.
 * Prints figures; asserts nothing about time.
 *
 *   node bench/run.ts            (builds dist/ first)
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { loadavg } from "node:os";
import { launchChromium } from "../test/support/browser.ts";
import { ACME_PROJECT, ALICE, envelopeFactory, makeSeed, NODE_B, SEEDED_LANES, wpId } from "../test/support/seed.ts";
import { DIST, startServer } from "../test/support/server.ts";

const WP_COUNT = 200;
const LOAD_RUNS = 10;
const LIVE_RUNS = 20;

const median = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const p95 = (xs: ReadonlyArray<number>) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil(xs.length * 0.95) - 1)]!;
const ms = (x: number) => `${x.toFixed(0)} ms`;

const root = resolve(import.meta.dirname, "..");
execFileSync(process.execPath, [resolve(root, "node_modules/vite/bin/vite.js"), "build", "--logLevel", "warn"], { cwd: root, stdio: "inherit" });

const assets = readdirSync(join(DIST, "assets")).map((f) => {
  const body = readFileSync(join(DIST, "assets", f));
  return { file: f, bytes: statSync(join(DIST, "assets", f)).size, gzip: gzipSync(body).length };
});
console.log("\nbundle (dist/assets):");
for (const a of assets) console.log(`  ${a.file}: ${(a.bytes / 1024).toFixed(1)} KiB, ${(a.gzip / 1024).toFixed(1)} KiB gzipped`);
const total = assets.reduce((n, a) => n + a.gzip, 0);
console.log(`  total gzipped: ${(total / 1024).toFixed(1)} KiB (index.html ${statSync(join(DIST, "index.html")).size} B)`);

const seed = makeSeed(WP_COUNT);
const acme = seed.projects[0]!;
const server = await startServer(seed);
const browser = await launchChromium();
try {
  const teamId = server.teams.get(ALICE.team.id)!.id;
  const boardUrl = `${server.url}/teams/${teamId}/projects/${ACME_PROJECT}/missions/${acme.mission_id}`;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(`${server.url}/signin?next=${encodeURIComponent(new URL(boardUrl).pathname)}`);
  await page.getByLabel("Email").fill(ALICE.email);
  await page.getByLabel("Password").fill(ALICE.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForFunction((n) => document.querySelectorAll(".card").length === n, WP_COUNT, { timeout: 15_000 });

  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  const firstLoad = async (cache: boolean) => {
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: !cache });
    const times: Array<number> = [];
    const dcl: Array<number> = [];
    for (let i = 0; i < LOAD_RUNS; i += 1) {
      const started = performance.now();
      await page.goto(boardUrl, { waitUntil: "commit" });
      await page.waitForFunction((n) => document.querySelectorAll(".card").length === n, WP_COUNT, { timeout: 15_000, polling: "raf" });
      times.push(performance.now() - started);
      dcl.push(await page.evaluate(() => (performance.getEntriesByType("navigation")[0] as PerformanceNavigationTiming).domContentLoadedEventEnd));
    }
    return { times, dcl };
  };
  const cold = await firstLoad(false);
  const warm = await firstLoad(true);

  // live: a batch POST moves a card; measured from just before the POST to the card's new lane in the page
  const live = envelopeFactory(ACME_PROJECT, "acme-shop", 7, new Date("2026-12-03T10:00:00Z"));
  for (let i = 0; i < 5_000; i += 1) live("Noop", "x", {});
  const planned = Array.from({ length: WP_COUNT }, (_, i) => i).filter((i) => SEEDED_LANES[i % SEEDED_LANES.length] === "planned").map(wpId);
  const delays: Array<number> = [];
  for (const wp of planned.slice(0, LIVE_RUNS)) {
    const started = performance.now();
    await server.post(ALICE.team.id, [
      live(
        "WPStatusChanged",
        wp,
        { mission_slug: acme.mission_slug, wp_id: wp, from_lane: "planned", to_lane: "claimed", actor: "bench", force: false, reason: null, execution_mode: "worktree", review_ref: null, evidence: null },
        NODE_B,
      ),
    ]);
    await page.waitForFunction((w) => document.querySelector(`.card[data-wp="${w}"]`)?.getAttribute("data-lane") === "claimed", wp, { timeout: 10_000, polling: "raf" });
    delays.push(performance.now() - started);
  }

  console.log(`\n200-WP board (${WP_COUNT} cards, ${acme.events.length} seeded events), Chromium ${browser.version()}, load average ${loadavg()[0]!.toFixed(2)}:`);
  console.log(`  first load, cold cache: median ${ms(median(cold.times))}, p95 ${ms(p95(cold.times))} (DOMContentLoaded median ${ms(median(cold.dcl))})`);
  console.log(`  first load, warm cache: median ${ms(median(warm.times))}, p95 ${ms(p95(warm.times))} (DOMContentLoaded median ${ms(median(warm.dcl))})`);
  console.log(`  live update (batch POST -> card in new lane): median ${ms(median(delays))}, p95 ${ms(p95(delays))}, max ${ms(Math.max(...delays))} over ${delays.length}`);
} finally {
  await browser.close();
  await server.stop();
}
