import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  AuthError,
  Session,
  acquireLock,
  chooseTeam,
  credentialsPath,
  deviceLogin,
  parseCredentials,
  passwordLogin,
  readCredentials,
  saveCredentials,
  tryLock,
  type Credentials,
} from "../src/index.ts";
import { startFakeServer, type FakeServer } from "./support/fake-server.ts";

let server: FakeServer;
let root: string;
beforeEach(async () => {
  server = await startFakeServer();
  root = mkdtempSync(join(tmpdir(), "sk-auth-"));
});
afterEach(async () => {
  await server.close();
});

describe("credentials store", () => {
  it("writes the reference's TOML layout with mode 0600 and reads it back", async () => {
    const c = await passwordLogin(server.url, "ana@example.com", "secret");
    await saveCredentials(root, c);
    const path = credentialsPath(root);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const text = readFileSync(path, "utf8");
    expect(text).toMatch(/\[tokens\][\s\S]*access = "access-1"/);
    expect(text).toMatch(/\[user\][\s\S]*team_slug = "team-a"/);
    expect(text).toMatch(/access_expires_at = "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d"/);
    expect(readCredentials(root)).toMatchObject({ accessToken: "access-1", teamSlug: "team-a", serverUrl: server.url, method: "password" });
  });

  it("reads a file written by the Python CLI (naive UTC times, no [auth] table)", () => {
    const text = [
      "[tokens]",
      'access = "a"',
      'refresh = "r"',
      'access_expires_at = "2099-02-12T10:15:00.123456"',
      'refresh_expires_at = "2099-02-19T10:00:00"',
      "[user]",
      'username = "u@example.com"',
      'team_slug = "my-team"',
      "[server]",
      'url = "https://sync.example"',
    ].join("\n");
    const c = parseCredentials(text, "credentials");
    expect(c).toMatchObject({ accessToken: "a", teamSlug: "my-team", method: "password" });
    expect(c?.accessExpiresAt).toBe(Date.parse("2099-02-12T10:15:00.123Z"));
  });

  it("a lock held by a live process times out; one left by a dead process is taken over", async () => {
    const path = join(root, "x.lock");
    const held = tryLock(path);
    expect(held).toBeDefined();
    await expect(acquireLock(path, 150)).rejects.toMatchObject({ code: "lock_timeout" });
    held?.release();
    writeFileSync(path, "999999999\n");
    const taken = await acquireLock(path, 150);
    taken.release();
  });
});

describe("password login and session", () => {
  it("refuses a wrong password and a plain-http remote server", async () => {
    await expect(passwordLogin(server.url, "ana", "nope")).rejects.toMatchObject({ code: "invalid_credentials" });
    await expect(passwordLogin("http://sync.example.com", "ana", "secret")).rejects.toBeInstanceOf(AuthError);
  });

  it("refreshes an expired access token once, even with concurrent callers", async () => {
    const c = await passwordLogin(server.url, "ana", "secret");
    await saveCredentials(root, { ...c, accessExpiresAt: Date.now() - 1000 });
    const session = new Session(root);
    const [a, b] = await Promise.all([session.accessToken(), new Session(root).accessToken()]);
    expect(a).toBe("access-2");
    expect(b).toBe("access-2");
    expect(readCredentials(root)?.accessToken).toBe("access-2");
  });

  it("a refused refresh clears the session", async () => {
    const c = await passwordLogin(server.url, "ana", "secret");
    await saveCredentials(root, { ...c, refreshToken: "revoked", accessExpiresAt: Date.now() - 1000 });
    expect(await new Session(root).accessToken()).toBeNull();
    expect(readCredentials(root)).toBeNull();
  });
});

describe("device flow", () => {
  it("polls at the server's interval until approved, then takes the private teamspace from /api/v1/me", async () => {
    let polls = 0;
    const http = createServer((req: IncomingMessage, res: ServerResponse) => {
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { "Content-Type": "application/json" });
        res.end(JSON.stringify(body));
      };
      if (req.url === "/oauth/device") return send(200, { device_code: "dc", user_code: "ABCD-EFGH", verification_uri: "http://x/device", interval: 1, expires_in: 60 });
      if (req.url === "/oauth/token") {
        polls += 1;
        if (polls === 1) return send(400, { error: "authorization_pending" });
        return send(200, { access_token: "at", refresh_token: "rt", expires_in: 3600, session_id: "s1" });
      }
      if (req.url === "/api/v1/me") {
        return send(200, { email: "ana@example.com", teams: [{ id: "shared", name: "Shared", role: "member" }, { id: "ana-private", name: "Ana", role: "owner", is_private_teamspace: true }] });
      }
      send(404, {});
    });
    await new Promise<void>((r) => http.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}`;
    const waits: Array<number> = [];
    let shown = "";
    try {
      const c: Credentials = await deviceLogin(url, { onCode: (a) => (shown = a.userCode), sleep: async (ms) => void waits.push(ms) });
      expect(shown).toBe("ABCD-EFGH");
      expect(waits).toEqual([1000, 1000]);
      expect(c).toMatchObject({ teamSlug: "ana-private", username: "ana@example.com", method: "device", sessionId: "s1" });
    } finally {
      http.close();
    }
  });

  it("never guesses a team among several", () => {
    const teams = [
      { id: "a", name: "A", role: "member", isPrivateTeamspace: false },
      { id: "b", name: "B", role: "member", isPrivateTeamspace: false },
    ];
    expect(() => chooseTeam(teams, undefined)).toThrow(/several teams/);
    expect(chooseTeam(teams, "b")).toBe("b");
  });
});
