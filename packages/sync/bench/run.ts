/**
 * In-process benchmarks of the sync capture path. Reports numbers; asserts nothing.
 * - capture: `OutboxStore.capture` alone (one transaction: Lamport allocation + insert), per event;
 * - emit: `EmissionFunnel.emit` (envelope, validation with @spec-kitty/events, capture), per event;
 * - runtime start: what a command pays before its first event is durable: loading @spec-kitty/sync, the funnel,
 *   identity and git resolution, opening (creating) the outbox, loading the validator, the first capture.
 * Run: `node packages/sync/bench/run.ts` (sources, type stripping) — `pnpm --filter @spec-kitty/sync bench`.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";

const N = Number(process.env["BENCH_EVENTS"] ?? 2000);
const work = mkdtempSync(join(tmpdir(), "sk-sync-bench-"));
const repo = join(work, "repo");
mkdirSync(repo);
const git = (...a: string[]) => execFileSync("git", a, { cwd: repo, stdio: "ignore" });
git("init", "-q", "-b", "main");
git("config", "user.name", "Bench");
git("config", "user.email", "bench@example.invalid");
writeFileSync(join(repo, "README.md"), "bench\n");
git("add", "-A");
git("commit", "-q", "-m", "init");

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};
const row = (name: string, xs: number[], target: string) =>
  `| ${name} | ${pct(xs, 50).toFixed(3)} ms | ${pct(xs, 99).toFixed(3)} ms | ${Math.max(...xs).toFixed(3)} ms | ${target} |`;

const fact = (i: number) => ({
  eventType: "WPStatusChanged",
  aggregateId: `WP${String((i % 99) + 1).padStart(2, "0")}`,
  aggregateType: "WorkPackage",
  payload: {
    mission_slug: "bench-mission",
    wp_id: `WP${String((i % 99) + 1).padStart(2, "0")}`,
    from_lane: "planned",
    to_lane: "claimed",
    actor: "bench",
    force: false,
    reason: null,
    execution_mode: "worktree",
    review_ref: null,
    evidence: null,
  },
});

try {
  // --- runtime start (cold: first import in this process, a fresh runtime root)
  const home = join(work, "home");
  const t0 = performance.now();
  const sync = await import("../src/index.ts");
  const tImport = performance.now();
  sync.ensureIdentity(repo);
  const tInit = performance.now();
  const funnel = new sync.EmissionFunnel({ cwd: repo, root: home, diagnostics: () => undefined });
  const first = await funnel.emit(fact(0));
  const tFirst = performance.now();
  if (first.outcome !== "captured") throw new Error(`first emit: ${first.outcome}`);
  const second = performance.now();
  await funnel.emit(fact(1));
  const tSecond = performance.now();

  // --- runtime start as the CLI's commands pay it (module already loaded): a fresh funnel with deferred
  // validation, identity and git resolution, opening (creating) a fresh outbox, the first capture
  const starts: number[] = [];
  for (let k = 0; k < 20; k++) {
    const s0 = performance.now();
    const f = new sync.EmissionFunnel({ cwd: repo, root: join(work, `start-${k}`), validation: "deferred", diagnostics: () => undefined });
    await f.emit(fact(k));
    starts.push(performance.now() - s0);
    f.close();
  }
  // --- deferred emit per event (what the CLI does)
  const deferred: number[] = [];
  {
    const f = new sync.EmissionFunnel({ cwd: repo, root: join(work, "deferred"), validation: "deferred", diagnostics: () => undefined });
    for (let i = 0; i < N; i++) {
      const s0 = performance.now();
      await f.emit(fact(i));
      deferred.push(performance.now() - s0);
    }
    f.close();
  }

  // --- emit per event (warm)
  const emits: number[] = [];
  for (let i = 2; i < N; i++) {
    const s = performance.now();
    await funnel.emit(fact(i));
    emits.push(performance.now() - s);
  }
  funnel.close();

  // --- capture per event (the store alone)
  const store = sync.OutboxStore.open(join(work, "home2"));
  const captures: number[] = [];
  const P = "11111111-1111-4111-8111-111111111111";
  for (let i = 0; i < N; i++) {
    const id = `01J${String(i).padStart(23, "0")}`;
    const env = { event_id: id, event_type: "WPStatusChanged", aggregate_id: "WP01", payload: fact(i).payload, lamport_clock: 0, project_uuid: P };
    const s = performance.now();
    store.capture({ eventId: id, eventType: "WPStatusChanged", projectUuid: P, repoRoot: repo, envelope: env });
    captures.push(performance.now() - s);
  }
  // --- batch selection over the captured events
  const sel: number[] = [];
  for (let i = 0; i < 50; i++) {
    const s = performance.now();
    store.project(P).selectBatch("https://x|t", { maxEvents: 1000 });
    sel.push(performance.now() - s);
  }
  store.close();

  process.stdout.write(`\n@spec-kitty/sync in-process, ${N} events (node ${process.version}, sources via type stripping)\n\n`);
  process.stdout.write("| measure | median | p99 | max | target |\n|---|---|---|---|---|\n");
  process.stdout.write(`${row("OutboxStore.capture (one transaction)", captures, "<= 1 ms median, <= 5 ms p99")}\n`);
  process.stdout.write(`${row("EmissionFunnel.emit (envelope + validation + capture)", emits, "<= 1 ms median, <= 5 ms p99")}\n`);
  process.stdout.write(`${row("EmissionFunnel.emit, deferred validation (the CLI)", deferred, "<= 1 ms median, <= 5 ms p99")}\n`);
  process.stdout.write(`${row("selectBatch, 1000 of " + N, sel, "")}\n`);
  process.stdout.write(`${row("runtime start: new funnel + first capture into a new outbox", starts, "<= 100 ms")}\n`);
  process.stdout.write(`\nruntime start (cold process, fresh runtime root):\n`);
  process.stdout.write(`- import @spec-kitty/sync (sources): ${(tImport - t0).toFixed(1)} ms\n`);
  process.stdout.write(`- first emit (identity + git + outbox created + validator loaded + capture): ${(tFirst - tInit).toFixed(1)} ms\n`);
  process.stdout.write(`- second emit: ${(tSecond - second).toFixed(2)} ms\n`);
  process.stdout.write(`\nload average: ${loadavg().map((x) => x.toFixed(2)).join(" ")}\n`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
