import { existsSync, readFileSync, statSync } from "node:fs";
import type { IncomingMessage } from "node:http";
import { extname, join, normalize, resolve } from "node:path";
import type { HttpResponse } from "./types.ts";

/**
 * Serving the team dashboard (ADR-0018): the built single-page app of apps/dashboard is a folder of static
 * files. Hashed assets under /assets/ are cached for a year; every other path that is not an API, OAuth or
 * WebSocket path gets index.html (no-cache), so the app's own routes load directly.
 */

/**
 * The dashboard's build output beside this package in the repository (apps/dashboard/dist), seen from this module
 * in src/http/ or from the bundle in dist/.
 */
export const DEFAULT_DASHBOARD_DIR =
  [resolve(import.meta.dirname, "../../../dashboard/dist"), resolve(import.meta.dirname, "../../dashboard/dist")].find((d) =>
    existsSync(join(d, "index.html")),
  ) ?? resolve(import.meta.dirname, "../../../dashboard/dist");

const TEXT_TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".txt": "text/plain; charset=utf-8",
};

const RESERVED = /^\/(api|oauth|ws)(\/|$)/;

/** The page's security policy: its own scripts and styles, API and WebSocket calls to its own origin. */
const CSP = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export interface DashboardFiles {
  readonly dir: string;
  /** The answer for a GET of `path`, or undefined when the path is not the dashboard's. */
  serve(path: string): HttpResponse | undefined;
}

/** Loads nothing up front; each request reads the file (the build is a handful of small files). */
export const dashboardFiles = (dir: string): DashboardFiles => {
  const root = resolve(dir);
  const index = join(root, "index.html");
  if (!existsSync(index)) throw new Error(`--dashboard ${dir}: no index.html there (build it with: pnpm --filter @spec-kitty/dashboard build)`);
  return {
    dir: root,
    serve(path) {
      if (RESERVED.test(path)) return undefined;
      let decoded: string;
      try {
        decoded = decodeURIComponent(path);
      } catch {
        return undefined;
      }
      const file = normalize(join(root, decoded));
      const isFile = file.startsWith(root + "/") && existsSync(file) && statSync(file).isFile();
      const type = TEXT_TYPES[extname(isFile ? file : index)];
      if (type === undefined) return undefined;
      const target = isFile ? file : index;
      const immutable = isFile && decoded.startsWith("/assets/");
      return {
        status: 200,
        headers: {
          "content-type": type,
          "cache-control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
          "x-content-type-options": "nosniff",
          ...(target === index ? { "content-security-policy": CSP, "x-frame-options": "DENY" } : {}),
        },
        body: readFileSync(target, "utf8"),
      };
    },
  };
};

const BEARER_PROTOCOL = /^bearer\.([A-Za-z0-9._~+/=-]+)$/;

/**
 * A browser cannot set an Authorization header on a WebSocket; the dashboard offers its access token as the
 * second subprotocol (`spec-kitty.dashboard, bearer.<token>`). This moves it into the Authorization header
 * before the gateway checks the upgrade, when no header is present. `ws` answers with the first subprotocol,
 * so the token is never echoed back.
 */
export const adoptBrowserBearer = (req: IncomingMessage): void => {
  if (req.headers.authorization !== undefined) return;
  const offered = (req.headers["sec-websocket-protocol"] ?? "").split(",").map((s) => s.trim());
  if (offered[0] !== "spec-kitty.dashboard") return;
  for (const p of offered.slice(1)) {
    const m = BEARER_PROTOCOL.exec(p);
    if (m !== null) {
      req.headers.authorization = `Bearer ${m[1]}`;
      return;
    }
  }
};
