/**
 * The spec-kitty-server command as a process: admin commands (output, --json, exit codes), serve over TLS with
 * the 028-era login and WebSocket on wss://, configuration by environment, rebuild-views.
 */
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { assert, describe, it } from "vitest";
import WebSocket from "ws";
import { PKG_DIR, runCli, startServerProcess, statusEvent, tempDir } from "./support.ts";

const TLS = join(PKG_DIR, "test/fixtures/tls");
const CA = readFileSync(join(TLS, "cert.pem"));

const httpsJson = (url: string, method: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; json: any }> =>
  new Promise((resolve, reject) => {
    const req = request(url, { method, ca: CA, headers: { "content-type": "application/json", ...headers }, timeout: 10_000 }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, json: text === "" ? undefined : JSON.parse(text) }));
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });

describe("spec-kitty-server command", () => {
  it("admin commands: JSON output, distinct exit codes, clear errors", async () => {
    const dir = tempDir();
    const t = await runCli(["team", "create", "acme", "--data", dir, "--json"]);
    assert.strictEqual(t.code, 0, t.stderr);
    assert.strictEqual(JSON.parse(t.stdout).team.slug, "acme");
    const again = await runCli(["team", "create", "acme", "--data", dir]);
    assert.strictEqual(again.code, 1);
    assert.include(again.stderr, "team 'acme' already exists");
    const badSlug = await runCli(["team", "create", "Not A Slug", "--data", dir]);
    assert.strictEqual(badSlug.code, 2);
    assert.include(badSlug.stderr, "team slug");
    const noPw = await runCli(["user", "create", "a@example.com", "--team", "acme", "--data", dir]);
    assert.strictEqual(noPw.code, 2);
    assert.include(noPw.stderr, "--password-stdin");
    const u = await runCli(["user", "create", "a@example.com", "--team", "acme", "--password-stdin", "--data", dir, "--json"], "s3cret-password\n");
    assert.strictEqual(u.code, 0, u.stderr);
    assert.strictEqual(JSON.parse(u.stdout).team.slug, "acme");
    const noTeam = await runCli(["user", "create", "b@example.com", "--team", "nope", "--password-stdin", "--data", dir], "s3cret-password\n");
    assert.strictEqual(noTeam.code, 1);
    assert.include(noTeam.stderr, "team 'nope' does not exist");
    const tok = await runCli(["token", "create", "--team", "acme", "--data", dir]);
    assert.strictEqual(tok.code, 0);
    assert.match(tok.stdout.trim(), /^skt_[A-Za-z0-9_-]{43}$/);
    const version = await runCli(["--version"]);
    assert.strictEqual(version.code, 0);
    assert.strictEqual(version.stdout, `${JSON.parse(readFileSync(join(PKG_DIR, "package.json"), "utf8")).version}\n`);
    const usage = await runCli(["frobnicate"]);
    assert.strictEqual(usage.code, 2);
    assert.include(usage.stderr, "unknown command 'frobnicate'");
    const pg = await runCli(["team", "create", "x", "--database-url", "mysql://nope"]);
    assert.strictEqual(pg.code, 2);
    assert.include(pg.stderr, "postgres://");
    const rebuilt = await runCli(["rebuild-views", "--data", dir, "--json"]);
    assert.strictEqual(rebuilt.code, 0, rebuilt.stderr);
    assert.deepStrictEqual(JSON.parse(rebuilt.stdout), { missions: 0 });
  }, 90_000);

  it("serve over TLS (--tls-cert/--tls-key): 028-era login, ws-token and wss:// WebSocket; data folder from the environment", async () => {
    const dir = tempDir();
    assert.strictEqual((await runCli(["user", "create", "ada@example.com", "--password-stdin"], "correct horse battery\n", { SPEC_KITTY_SERVER_DATA: dir })).code, 0);
    const server = await startServerProcess(dir, ["--tls-cert", join(TLS, "cert.pem"), "--tls-key", join(TLS, "key.pem")]);
    try {
      assert.match(server.url, /^https:\/\/127\.0\.0\.1:\d+$/);
      const login = await httpsJson(`${server.url}/api/v1/token/`, "POST", { username: "ada@example.com", password: "correct horse battery" });
      assert.strictEqual(login.status, 200);
      const access = login.json.access as string;
      const batch = await httpsJson(`${server.url}/api/v1/events/batch/`, "POST", { events: [statusEvent(1)] }, { authorization: `Bearer ${access}` });
      assert.strictEqual(batch.status, 200);
      assert.strictEqual(batch.json.results[0].status, "success");
      const wsTok = await httpsJson(`${server.url}/api/v1/ws-token/`, "POST", undefined, { authorization: `Bearer ${access}` });
      const first = await new Promise<string>((resolve, reject) => {
        const ws = new WebSocket(`${server.url.replace("https", "wss")}/ws/v1/events/`, { ca: CA, headers: { authorization: `Bearer ${wsTok.json.ws_token}` } });
        ws.once("message", (d) => {
          resolve(String(d));
          ws.close();
        });
        ws.once("error", reject);
      });
      assert.strictEqual(JSON.parse(first).type, "snapshot");
    } finally {
      assert.strictEqual(await server.stop(), 0);
    }
    const logs = server.stderr();
    assert.include(logs, '"msg":"request"');
    assert.notInclude(logs, "correct horse", "no passwords in the logs");
    assert.notInclude(logs, "WPStatusChanged", "no payloads in the logs");
  }, 90_000);
});
