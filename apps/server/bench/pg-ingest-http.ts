/**
 * The HTTP half of the PostgreSQL ingest benchmark: a real `spec-kitty-server serve --database-url` process, a team
 * with an API token created through the server's own admin commands, and gzip batches POSTed to
 * `/api/v1/events/batch/` over a fixed number of keep-alive connections (one `http.Agent` with one socket each).
 */
import { Agent, request } from "node:http";
import { provisionTeam, startServer } from "../test/support/server-process.ts";
import { drive, gzipBatch, makeBatches, type RunResult } from "./load.ts";

export const runHttpIngest = async (
  databaseUrl: string,
  batchCount: number,
  batchSize: number,
  connections: number,
  processes = 1,
): Promise<RunResult> => {
  const { token } = await provisionTeam(databaseUrl, `bench-${processes}p`);
  const servers = await Promise.all(Array.from({ length: processes }, () => startServer(["--database-url", databaseUrl])));
  // Connection c goes to server c mod processes, as a round-robin load balancer in front of them would send it.
  const agents = Array.from({ length: connections }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
  const serverOf = (c: number) => servers[c % servers.length]!.baseUrl;
  try {
    const project = { uuid: "550e8400-e29b-41d4-a716-446655440000", slug: "bench" };
    // Bodies first: a keep-alive connection left idle while they are built could be closed by the server (its
    // keep-alive timeout) just as the timed run reuses it.
    const bodies = makeBatches(batchCount, batchSize, project).map((b) => ({ body: gzipBatch(b), events: b.length }));
    const warm = makeBatches(connections, batchSize, { ...project, slug: "warm" });
    await Promise.all(warm.map((w, c) => postBatch(serverOf(c), token, gzipBatch(w), agents[c]!, w.length)));
    return await drive(
      bodies,
      connections,
      (b) => b.events,
      (b, c) => postBatch(serverOf(c), token, b.body, agents[c]!, b.events),
    );
  } finally {
    for (const a of agents) a.destroy();
    await Promise.all(servers.map((s) => s.stop()));
  }
};

/** POSTs one gzip batch and checks that every event was answered `success`. */
export const postBatch = (baseUrl: string, token: string, body: Buffer, agent: Agent, events: number): Promise<void> =>
  new Promise((resolvePromise, reject) => {
    const req = request(
      `${baseUrl}/api/v1/events/batch/`,
      {
        method: "POST",
        agent,
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": "application/json",
          "content-encoding": "gzip",
          "content-length": body.length,
        },
        timeout: 60_000,
      },
      (res) => {
        const chunks: Array<Buffer> = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString();
          if (res.statusCode !== 200) return reject(new Error(`batch answered ${res.statusCode}: ${text.slice(0, 500)}`));
          const results = (JSON.parse(text) as { results: Array<{ status: string }> }).results;
          const ok = results.filter((r) => r.status === "success").length;
          if (ok !== events) return reject(new Error(`batch: ${ok} of ${events} events answered success: ${text.slice(0, 500)}`));
          resolvePromise();
        });
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error("batch: no answer within 60 s")));
    req.on("error", reject);
    req.end(body);
  });
