import { describe, expect, it } from "vitest";
import { ApiError, makeApiClient, paths } from "../src/api/client.ts";

const fakeFetch = (status: number, body: unknown, seen: Array<{ url: string; init: RequestInit }>) =>
  (async (url: string | URL | Request, init?: RequestInit) => {
    seen.push({ url: String(url), init: init ?? {} });
    return new Response(typeof body === "string" ? body : JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
  }) as typeof fetch;

describe("API client", () => {
  it("builds every path from encoded ids and never from anything else", () => {
    expect(paths.board("p/1", "m 2")).toBe("/api/v1/projects/p%2F1/missions/m%202/board");
    expect(paths.events("p", null, 10)).toBe("/api/v1/events/?project_uuid=p&limit=10");
    expect(paths.events("p", "42", 10)).toBe("/api/v1/events/?project_uuid=p&after=42&limit=10");
    expect(paths.live("team a")).toBe("/ws/v1/dashboard/?team_id=team%20a");
  });

  it("posts JSON with the session cookie and returns the decoded answer", async () => {
    const seen: Array<{ url: string; init: RequestInit }> = [];
    const api = makeApiClient("http://h", fakeFetch(200, { user_id: "u", email: "e", teams: [] }, seen));
    const me = await api.login("a@b.c", "pw");
    expect(me.email).toBe("e");
    expect(seen[0]?.url).toBe("http://h/api/v1/session/login");
    expect(seen[0]?.init.method).toBe("POST");
    expect(seen[0]?.init.credentials).toBe("same-origin");
    expect(JSON.parse(String(seen[0]?.init.body))).toEqual({ email: "a@b.c", password: "pw" });
    expect(seen[0]?.init.signal).toBeInstanceOf(AbortSignal);
  });

  it("turns HTTP failures into coded errors carrying the server's description", async () => {
    const cases: Array<[number, string]> = [
      [401, "unauthorized"],
      [403, "forbidden"],
      [404, "not_found"],
      [422, "bad_request"],
      [503, "server"],
    ];
    for (const [status, code] of cases) {
      const api = makeApiClient("", fakeFetch(status, { error_description: `nope ${status}` }, []));
      const error = await api.me().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).code).toBe(code);
      expect((error as ApiError).status).toBe(status);
      expect((error as ApiError).message).toContain(`nope ${status}`);
    }
  });

  it("reports an unreachable server as a network error naming the path", async () => {
    const api = makeApiClient("", (async () => {
      throw new TypeError("fetch failed");
    }) as typeof fetch);
    const error = (await api.projects("t").catch((e: unknown) => e)) as ApiError;
    expect(error.code).toBe("network");
    expect(error.message).toContain("/api/v1/teams/t/projects");
  });
});
