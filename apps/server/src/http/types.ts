/** The request handler's own view of HTTP, so it runs the same in a server and in-process (tests, fuzzing). */
export interface HttpRequest {
  readonly method: string;
  /** Path with query string, as received. */
  readonly url: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /**
   * Reads the (still compressed) body, at most `maxBytes`; "too_large" as soon as it would exceed them. Not
   * called at all when a request is refused before its body matters.
   */
  readonly readBody: (maxBytes: number) => Promise<Buffer | "too_large">;
  readonly requestId: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Close the connection after answering (the body was not read). */
  readonly close?: boolean;
}

export const json = (status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): HttpResponse => ({
  status,
  headers: { "content-type": "application/json", "cache-control": "no-store", ...headers },
  body: JSON.stringify(body),
});

export const html = (status: number, body: string, headers: Readonly<Record<string, string>> = {}): HttpResponse => ({
  status,
  headers: {
    "content-type": "text/html; charset=utf-8",
    "cache-control": "no-store",
    "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self' http://127.0.0.1:* http://localhost:* http://[::1]:*",
    "x-frame-options": "DENY",
    ...headers,
  },
  body,
});
