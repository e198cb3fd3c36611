import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { adoptBrowserBearer, dashboardFiles } from "../src/http/dashboard.ts";

const dir = mkdtempSync(join(tmpdir(), "sk-dashboard-"));
mkdirSync(join(dir, "assets"));
writeFileSync(join(dir, "index.html"), "<!doctype html><title>app</title>");
writeFileSync(join(dir, "assets", "index-abc123.js"), "console.log(1)");
writeFileSync(join(dir, "assets", "logo.png"), "binary");
writeFileSync(join(tmpdir(), "sk-dashboard-secret.txt"), "secret");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("serving the dashboard", () => {
  const files = dashboardFiles(dir);

  it("answers app routes with index.html, not cached, under a strict content security policy", () => {
    for (const path of ["/", "/teams/t/projects/p/missions/m", "/signin"]) {
      const r = files.serve(path);
      expect(r?.status, path).toBe(200);
      expect(r?.body).toContain("<title>app</title>");
      expect(r?.headers["cache-control"]).toBe("no-cache");
      expect(r?.headers["content-security-policy"]).toContain("default-src 'self'");
    }
  });

  it("serves hashed assets as immutable with their type", () => {
    const r = files.serve("/assets/index-abc123.js");
    expect(r?.body).toBe("console.log(1)");
    expect(r?.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(r?.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
  });

  it("leaves API, OAuth and WebSocket paths and unknown file types to the server", () => {
    for (const path of ["/api/v1/nothing", "/api", "/oauth/x", "/ws/v1/events/", "/assets/logo.png"]) expect(files.serve(path), path).toBeUndefined();
    expect(files.serve("/%E0%A4%A")).toBeUndefined();
  });

  it("never reads outside its folder", () => {
    const r = files.serve("/../sk-dashboard-secret.txt");
    expect(r?.body ?? "").not.toContain("secret");
    const encoded = files.serve("/..%2Fsk-dashboard-secret.txt");
    expect(encoded?.body ?? "").not.toContain("secret");
  });

  it("refuses a folder without a build, naming the folder", () => {
    expect(() => dashboardFiles(join(dir, "assets"))).toThrow(/assets: no index.html/);
  });
});

describe("a browser's WebSocket token", () => {
  const req = (headers: Record<string, string>) => ({ headers: { ...headers } }) as unknown as IncomingMessage;

  it("moves the bearer subprotocol into the Authorization header", () => {
    const r = req({ "sec-websocket-protocol": "spec-kitty.dashboard, bearer.abc.DEF-123_x" });
    adoptBrowserBearer(r);
    expect(r.headers.authorization).toBe("Bearer abc.DEF-123_x");
  });

  it("leaves an explicit header, other subprotocols and a missing token alone", () => {
    const explicit = req({ authorization: "Bearer mine", "sec-websocket-protocol": "spec-kitty.dashboard, bearer.other" });
    adoptBrowserBearer(explicit);
    expect(explicit.headers.authorization).toBe("Bearer mine");
    for (const proto of ["chat, bearer.x", "spec-kitty.dashboard", "bearer.x, spec-kitty.dashboard", "spec-kitty.dashboard, bearer."]) {
      const r = req({ "sec-websocket-protocol": proto });
      adoptBrowserBearer(r);
      expect(r.headers.authorization, proto).toBeUndefined();
    }
  });
});
