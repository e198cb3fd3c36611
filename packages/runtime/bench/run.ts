/**
 * Benchmark: `spec-kitty next` end to end (a fresh CLI process, as an agent runs it) on a mission with 20 work
 * packages, in a real temporary git repository. Prints wall-clock figures; the target is <= 150 ms per call.
 * Entry point measured: the CLI bundle (apps/cli/dist/spec-kitty.mjs, rebuilt first when stale) run as an
 * executable from its shebang, as `./dev spec-kitty` and the installed `spec-kitty` run it.
 * Usage: node bench/run.ts [iterations]
 */
import { execFileSync } from "node:child_process";
import { ensureBundle, runProcess } from "@spec-kitty/test-support";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decideNext, type WorkPackageLanes, statusWorkPackageLanes } from "../src/index.ts";

const ITERATIONS = Number(process.argv[2] ?? 15);
const BIN = ensureBundle("spec-kitty");
const MID = "01KT6HVH3QND4Q3KCGH2419N4J";
const SLUG = "bench-mission-01KT6HVH";
const WPS = Array.from({ length: 20 }, (_, i) => `WP${String(i + 1).padStart(2, "0")}`);

const stats = (xs: ReadonlyArray<number>) => {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
  return { min: s[0] ?? NaN, median: at(0.5), p95: at(0.95), max: s[s.length - 1] ?? NaN };
};
const fmt = (label: string, xs: ReadonlyArray<number>) => {
  const r = stats(xs);
  console.log(`${label.padEnd(58)} n=${String(xs.length).padStart(3)}  min ${r.min.toFixed(1)}  median ${r.median.toFixed(1)}  p95 ${r.p95.toFixed(1)}  max ${r.max.toFixed(1)} ms`);
};

const makeRepo = (): string => {
  const repo = mkdtempSync(join(tmpdir(), "sk-runtime-bench-"));
  execFileSync("git", ["init", "-q", "-b", "main"], { cwd: repo });
  const mission = join(repo, "kitty-specs", SLUG);
  mkdirSync(join(mission, "tasks"), { recursive: true });
  writeFileSync(
    join(mission, "meta.json"),
    `${JSON.stringify({ created_at: "2026-01-01T00:00:00+00:00", friendly_name: "Bench", mission_id: MID, mission_slug: SLUG, mission_type: "software-dev", slug: SLUG, target_branch: "main" }, null, 2)}\n`,
  );
  // Each WP seeded to planned; the first 12 then moved on, so implement stays on WP13 and every lane is read.
  const rows: Array<string> = [];
  WPS.forEach((wp, i) => {
    writeFileSync(join(mission, "tasks", `${wp}-work.md`), `---\nwork_package_id: ${wp}\ntitle: Work ${i + 1}\n---\n`);
    const row = (n: number, from: string, to: string) =>
      `{"actor": "bench", "at": "2026-01-01T00:${String(n).padStart(2, "0")}:${String(i).padStart(2, "0")}+00:00", "event_id": "01J000000000000000000${String(n)}${String(i).padStart(4, "0")}", "evidence": null, "execution_mode": "worktree", "force": true, "from_lane": "${from}", "mission_id": "${MID}", "mission_slug": "${SLUG}", "policy_metadata": null, "reason": "bench", "review_ref": null, "to_lane": "${to}", "wp_id": "${wp}"}`;
    rows.push(row(0, "genesis", "planned"));
    if (i < 12) rows.push(row(1, "planned", "for_review"));
  });
  writeFileSync(join(mission, "status.events.jsonl"), `${rows.join("\n")}\n`);
  execFileSync("git", ["add", "-A"], { cwd: repo });
  execFileSync("git", ["-c", "user.name=Bench", "-c", "user.email=b@example.com", "commit", "-q", "-m", "mission"], { cwd: repo });
  return repo;
};

const cliOnce = (repo: string, args: ReadonlyArray<string>): number => {
  const t = performance.now();
  const r = runProcess(BIN, args, { cwd: repo });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`spec-kitty ${args.join(" ")} exited ${r.status}: ${r.stderr}`);
  return ms;
};

const main = async () => {
  const repo = makeRepo();
  try {
    const lanesFor = (): WorkPackageLanes => statusWorkPackageLanes(repo, { slug: SLUG, id: MID, type: "software-dev", dir: join(repo, "kitty-specs", SLUG) });
    const base = { repoRoot: repo, missionHandle: SLUG, agentId: "bench", lanesFor } as const;
    console.log(`spec-kitty next benchmark (the CLI bundle as an executable): mission with ${WPS.length} WPs, ${ITERATIONS} iterations, node ${process.version}`);
    // Early step: no WP gating needed.
    const query = ["next", "--mission", SLUG, "--agent", "bench", "--json"];
    cliOnce(repo, query);
    fmt("CLI process: next (step 'discovery', no gating)", Array.from({ length: ITERATIONS }, () => cliOnce(repo, query)));
    // Walk to implement, where every call reads the 20 WP lanes through @spec-kitty/status.
    for (let i = 0; i < 4; i++) await decideNext({ ...base, result: "success" });
    const held = await decideNext(base);
    if (held.decision.step_id !== "implement" || held.wp_id !== "WP13") throw new Error(`unexpected decision ${JSON.stringify(held.decision)}`);
    fmt("CLI process: next (step 'implement', 20 WP lanes gated)", Array.from({ length: ITERATIONS }, () => cliOnce(repo, query)));
    fmt(
      "CLI process: next --result success (held on implement)",
      Array.from({ length: ITERATIONS }, () => cliOnce(repo, [...query, "--result", "success"])),
    );
    fmt("CLI process: spec-kitty --version (startup floor)", Array.from({ length: ITERATIONS }, () => cliOnce(repo, ["--version"])));
    const inProcess: Array<number> = [];
    for (let i = 0; i < ITERATIONS * 4; i++) {
      const t = performance.now();
      await decideNext(base);
      inProcess.push(performance.now() - t);
    }
    fmt("in process (warm): decideNext on implement, 20 WPs", inProcess);
  } finally {
    rmSync(repo, { recursive: true, force: true });
  }
};

await main();
