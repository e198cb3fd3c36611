import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const REPO = resolve(import.meta.dirname, "../../..");
const temps: Array<string> = [];
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

/**
 * A copy of ./dev in an otherwise empty folder, on a PATH whose `node` claims to be Node 20 (it forwards everything
 * but `--version` to the real Node, so npm still runs), as on a machine that has only an old Node and npm.
 */
const isolatedDev = (): { root: string; path: string } => {
  const root = mkdtempSync(join(tmpdir(), "sk-dev-"));
  temps.push(root);
  writeFileSync(join(root, "dev"), readFileSync(join(REPO, "dev")));
  chmodSync(join(root, "dev"), 0o755);
  const bin = join(root, "fakebin");
  mkdirSync(bin);
  writeFileSync(
    join(bin, "node"),
    `#!/bin/sh\nif [ "$1" = "--version" ]; then echo v20.20.2; exit 0; fi\nexec ${JSON.stringify(process.execPath)} "$@"\n`,
  );
  chmodSync(join(bin, "node"), 0o755);
  const npm = execFileSync("bash", ["-c", "command -v npm"], { encoding: "utf8" }).trim();
  writeFileSync(join(bin, "npm"), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(realpathSync(npm))} "$@"\n`);
  chmodSync(join(bin, "npm"), 0o755);
  return { root, path: [bin, "/usr/bin", "/bin"].join(":") };
};

describe("./dev", () => {
  it("explains an unreachable registry instead of failing obscurely", () => {
    const { root, path } = isolatedDev();
    const result = spawnSync(join(root, "dev"), ["setup"], {
      cwd: root,
      encoding: "utf8",
      env: {
        PATH: path,
        HOME: root,
        npm_config_registry: "http://127.0.0.1:9/",
        npm_config_fetch_retries: "0",
        npm_config_fetch_timeout: "2000",
        npm_config_userconfig: join(root, "no-npmrc"),
      },
      timeout: 120_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("npm registry unreachable: cannot install node@24.21.0 pnpm@11.28.10");
  });

  it("rejects an unknown command with exit 1 and a pointer to help", () => {
    const result = spawnSync(join(REPO, "dev"), ["frobnicate"], { encoding: "utf8" });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("unknown command 'frobnicate' (try: ./dev help)");
  });

  it("setup is idempotent and records the toolchain for the launcher", () => {
    const result = spawnSync(join(REPO, "dev"), ["setup"], { encoding: "utf8" });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/toolchain ready: node v(\d+)\./);
    const major = Number(/toolchain ready: node v(\d+)\./.exec(result.stderr)?.[1]);
    expect(major).toBeGreaterThanOrEqual(24);
    const env = readFileSync(join(REPO, ".tools", "env.sh"), "utf8");
    expect(env).toMatch(/^SK_NODE=/m);
  });
});
