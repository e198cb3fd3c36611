import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { FastCheck } from "effect";
import { describe, expect, it } from "vitest";
import { OutboxStore } from "../src/index.ts";
import { tempDir } from "./support/repo.ts";

const CHILD = resolve(import.meta.dirname, "support/capture-child.ts");
const P = "11111111-1111-4111-8111-111111111111";

/** Starts two capturing processes and SIGKILLs them once each has reported `after` captures (plus a random delay). */
const killDuring = (root: string, after: ReadonlyArray<number>, delayMs: number): Promise<string[]> =>
  Promise.all(
    after.map(
      (n, k) =>
        new Promise<string[]>((done, fail) => {
          const child = spawn(process.execPath, [CHILD, root, P, "0", `k${k}-${n}`], { stdio: ["ignore", "pipe", "pipe"] });
          let out = "";
          let armed = false;
          const guard = setTimeout(() => {
            child.kill("SIGKILL");
            fail(new Error("the capturing process never reached the kill point within 60 s"));
          }, 60_000);
          child.stdout.on("data", (d: Buffer) => {
            out += d.toString();
            if (!armed && out.split("\n").length - 2 >= n) {
              armed = true;
              setTimeout(() => child.kill("SIGKILL"), delayMs);
            }
          });
          child.on("exit", (_code, signal) => {
            clearTimeout(guard);
            if (signal !== "SIGKILL") fail(new Error(`expected a SIGKILL, got ${signal}`));
            // A line cut by the kill was never fully reported: only complete lines count as "emit returned".
            const complete = out.endsWith("\n") ? out : out.slice(0, out.lastIndexOf("\n") + 1);
            done(complete.split("\n").filter((l) => l !== "" && l !== "ready").map((l) => l.split(" ")[0]!));
          });
        }),
    ),
  ).then((lists) => lists.flat());

describe("capture survives SIGKILL", () => {
  it("every event whose capture returned is in the outbox, with unique clocks", async () => {
    await FastCheck.assert(
      FastCheck.asyncProperty(
        FastCheck.tuple(FastCheck.integer({ min: 1, max: 400 }), FastCheck.integer({ min: 1, max: 400 })),
        FastCheck.integer({ min: 0, max: 15 }),
        async (after, delayMs) => {
          const root = tempDir();
          OutboxStore.open(root).close();
          const reported = await killDuring(root, after, delayMs);
          const store = OutboxStore.open(root);
          const all = store.allEvents();
          store.close();
          const ids = new Set(all.map((e) => e.eventId));
          for (const id of reported) expect(ids.has(id)).toBe(true);
          expect(new Set(all.map((e) => e.lamport)).size).toBe(all.length);
          for (let i = 1; i < all.length; i++) expect(all[i]!.lamport).toBeGreaterThan(all[i - 1]!.lamport);
        },
      ),
      { numRuns: 4 },
    );
  });
});
