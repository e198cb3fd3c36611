/**
 * SIGKILL during ingest: every event the server acknowledged before it died is stored; re-sending everything
 * after a restart stores the rest exactly once (acknowledged ones come back `duplicate`).
 */
import { rmSync } from "node:fs";
import { assert, describe, it } from "vitest";
import { openSqliteStore } from "../src/store/sqlite.ts";
import { postBatch, seedWithCli, startServerProcess, statusEvent, tempDir } from "./support.ts";

describe("crash during ingest", () => {
  it("acknowledged events survive SIGKILL; the rest are accepted once when re-sent", async () => {
    const dir = tempDir();
    try {
      const token = await seedWithCli(dir, "acme");
      const server = await startServerProcess(dir);
      const attempted: Array<Record<string, unknown>> = [];
      const acknowledged = new Set<string>();
      let killed = false;
      const sender = async (s: number) => {
        for (let b = 0; !killed && b < 400; b++) {
          const events = Array.from({ length: 50 }, (_, i) => statusEvent(s * 1_000_000 + b * 50 + i));
          attempted.push(...events);
          try {
            const r = await postBatch(server.url, token, events);
            if (r.status === 200) for (const x of r.json.results as Array<{ event_id: string; status: string }>) if (x.status === "success" || x.status === "duplicate") acknowledged.add(x.event_id);
          } catch {
            return; // the server died under this request
          }
        }
      };
      const senders = [sender(1), sender(2), sender(3)];
      while (acknowledged.size < 600) await new Promise((r) => setTimeout(r, 20));
      server.proc.kill("SIGKILL");
      killed = true;
      await Promise.all(senders);
      await new Promise<void>((r) => (server.proc.exitCode !== null || server.proc.signalCode !== null ? r() : server.proc.once("exit", () => r())));
      assert.isAbove(acknowledged.size, 0);

      const store = openSqliteStore({ dataDir: dir });
      await store.migrate();
      const team = (await store.teamBySlug("acme"))!;
      const storedIds = async () => {
        const ids = new Set<string>();
        let after = 0;
        for (;;) {
          const page = await store.readEvents({ teamId: team.id, afterSeq: after, limit: 1000 });
          if (page.length === 0) return ids;
          for (const e of page) {
            ids.add(e.eventId);
            after = e.seq;
          }
        }
      };
      const before = await storedIds();
      for (const id of acknowledged) assert.isTrue(before.has(id), `acknowledged ${id} lost`);
      await store.close();

      const again = await startServerProcess(dir);
      let fresh = 0;
      let dup = 0;
      for (let i = 0; i < attempted.length; i += 500) {
        const r = await postBatch(again.url, token, attempted.slice(i, i + 500));
        assert.strictEqual(r.status, 200);
        for (const x of r.json.results as Array<{ status: string }>) {
          if (x.status === "success") fresh++;
          else if (x.status === "duplicate") dup++;
          else assert.fail(`unexpected ${x.status}`);
        }
      }
      assert.strictEqual(await again.stop(), 0);
      const check = openSqliteStore({ dataDir: dir });
      await check.migrate();
      let total = 0;
      let after = 0;
      for (;;) {
        const page = await check.readEvents({ teamId: team.id, afterSeq: after, limit: 1000 });
        if (page.length === 0) break;
        total += page.length;
        after = page.at(-1)!.seq;
      }
      await check.close();
      assert.strictEqual(dup, before.size, "what was stored before the kill is answered duplicate");
      assert.strictEqual(fresh, attempted.length - before.size, "the rest is accepted once");
      assert.strictEqual(total, attempted.length, "every attempted event is stored exactly once");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
