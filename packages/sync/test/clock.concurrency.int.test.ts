import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { OutboxStore } from "../src/index.ts";
import { tempDir } from "./support/repo.ts";

const CHILD = resolve(import.meta.dirname, "support/capture-child.ts");
const P = "11111111-1111-4111-8111-111111111111";

const runChild = (root: string, tag: string, count: number): Promise<string[]> =>
  new Promise((done, fail) => {
    const child = spawn(process.execPath, [CHILD, root, P, String(count), tag], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      fail(new Error(`child ${tag} did not finish within 60 s: ${err}`));
    }, 60_000);
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (code !== 0) fail(new Error(`child ${tag} exited ${code}: ${err}`));
      else done(out.split("\n").filter((l) => l !== "" && l !== "ready"));
    });
  });

describe("the Lamport clock across processes", () => {
  it("8 processes × 500 captures: nothing lost, values unique and strictly increasing in capture order", async () => {
    const root = tempDir();
    OutboxStore.open(root).close(); // create the schema once, as the first command on a machine does
    const reports = await Promise.all(Array.from({ length: 8 }, (_, i) => runChild(root, `p${i}`, 500)));
    const store = OutboxStore.open(root);
    const all = store.allEvents();
    store.close();
    expect(all).toHaveLength(4000);
    for (let i = 1; i < all.length; i++) expect(all[i]!.lamport).toBeGreaterThan(all[i - 1]!.lamport);
    expect(all.map((e) => e.lamport)).toEqual(Array.from({ length: 4000 }, (_, i) => i + 1));
    // what each process was told matches what was stored, and each process saw its own values increase
    const stored = new Map(all.map((e) => [e.eventId, e.lamport]));
    for (const lines of reports) {
      expect(lines).toHaveLength(500);
      let last = 0;
      for (const line of lines) {
        const [id, lamport] = line.split(" ");
        expect(stored.get(id!)).toBe(Number(lamport));
        expect(Number(lamport)).toBeGreaterThan(last);
        last = Number(lamport);
      }
    }
  });
});
