/**
 * Signs in to a running spec-kitty-server's dashboard in Debian's Chromium, opens a mission's board, waits for
 * its cards and saves a screenshot. For the demo and for looking at a server by hand:
 *
 *   echo PASSWORD | node apps/dashboard/tools/board-screenshot.ts --server URL --email EMAIL --password-stdin \
 *     --team TEAM --project PROJECT_UUID --mission MISSION --out board.png
 *
 * `--team` takes the team's slug or id. Prints the board's address and how many cards and lanes it showed;
 * exit 1 when the board stays empty or the page fails, 2 for a usage error.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { launchChromium, WIDTHS } from "../test/support/browser.ts";

const usage = (message: string): never => {
  process.stderr.write(`board-screenshot: ${message}\n`);
  process.exit(2);
};

let values;
try {
  ({ values } = parseArgs({
    options: {
      server: { type: "string" },
      email: { type: "string" },
      "password-stdin": { type: "boolean", default: false },
      team: { type: "string" },
      project: { type: "string" },
      mission: { type: "string" },
      out: { type: "string" },
    },
    strict: true,
  }));
} catch (e) {
  usage(e instanceof Error ? e.message : String(e));
}
const { server, email, team, project, mission, out } = values!;
for (const [name, v] of Object.entries({ server, email, team, project, mission, out })) if (v === undefined) usage(`--${name} is required`);
if (!values!["password-stdin"]) usage("--password-stdin is required (the password is read from standard input)");
const password = readFileSync(0, "utf8").trim();
const base = server!.replace(/\/+$/, "");

const me = await fetch(`${base}/api/v1/token/`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ username: email, password }),
  signal: AbortSignal.timeout(10_000),
}).then(async (r) => {
  if (!r.ok) throw new Error(`sign-in refused (HTTP ${r.status})`);
  const pair = (await r.json()) as { access: string };
  const meResponse = await fetch(`${base}/api/v1/me`, { headers: { authorization: `Bearer ${pair.access}` }, signal: AbortSignal.timeout(10_000) });
  return (await meResponse.json()) as { teams: ReadonlyArray<{ id: string; slug?: string }> };
});
const teamId = me.teams.find((t) => t.id === team || t.slug === team)?.id;
if (teamId === undefined) {
  process.stderr.write(`board-screenshot: ${email} is not a member of team ${team}\n`);
  process.exit(1);
}
const path = `/teams/${encodeURIComponent(teamId)}/projects/${encodeURIComponent(project!)}/missions/${encodeURIComponent(mission!)}`;
process.stdout.write(`dashboard: ${base}${path}\n`);

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: WIDTHS.desktop });
  await page.goto(`${base}/signin?next=${encodeURIComponent(path)}`, { timeout: 15_000 });
  await page.getByLabel("Email").fill(email!);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator(".card").first().waitFor({ timeout: 15_000 });
  await page.locator("[data-live='open']").waitFor({ timeout: 10_000 });
  const cards = await page.locator(".card").count();
  const lanes = await page.locator(".lane").count();
  await page.screenshot({ path: out!, fullPage: true, timeout: 15_000 });
  process.stdout.write(`board: ${cards} card(s) in ${lanes} lanes, live; screenshot saved to ${out}\n`);
} catch (e) {
  process.stderr.write(`board-screenshot: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
} finally {
  await browser.close();
}
