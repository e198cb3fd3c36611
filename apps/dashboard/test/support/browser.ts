/**
 * Launches Debian's Chromium through playwright-core. A missing browser is an error naming the install
 * command, never a skipped test.
 */
import { existsSync } from "node:fs";
import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";

export const CHROMIUM = process.env["SPEC_KITTY_CHROMIUM"] ?? "/usr/bin/chromium";

/** The flags of stack.md; playwright adds --headless and a fresh temporary --user-data-dir per launch. */
export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
] as const;

export const ARTIFACTS = resolve(import.meta.dirname, "../../.artifacts");

export const launchChromium = async (): Promise<Browser> => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: the browser tests need it. Install it with 'bash tooling/ci/install-chromium.sh' (apt-get install -y chromium).`,
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_FLAGS], timeout: 30_000 });
};

export const WIDTHS = { desktop: { width: 1280, height: 800 }, phone: { width: 390, height: 844 } } as const;

/** Saves a full-page screenshot under .artifacts/screenshots/ (git-ignored). */
export const screenshot = async (page: Page, name: string): Promise<string> => {
  const dir = resolve(ARTIFACTS, "screenshots");
  mkdirSync(dir, { recursive: true });
  const path = resolve(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true, timeout: 15_000 });
  return path;
};

/** Signs in through the page's own form. */
export const signIn = async (page: Page, base: string, email: string, password: string, next = "/"): Promise<void> => {
  await page.goto(`${base}/signin?next=${encodeURIComponent(next)}`, { timeout: 15_000 });
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => !u.pathname.startsWith("/signin"), { timeout: 10_000 });
};
