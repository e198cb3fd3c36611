import { existsSync, mkdirSync } from "node:fs";
import { resolve } from "node:path";

const SHARED = resolve(import.meta.dirname, "../../../../shared");

export interface Prepared {
  readonly args: ReadonlyArray<string>;
  readonly cwd: string;
  /** Runs before every timed run (for scenarios that change state). */
  readonly beforeEach?: () => void;
}

export interface Scenario {
  readonly name: string;
  readonly target: string;
  readonly skipReason?: string;
  /** Builds the scenario's inputs under `dir`; null when its inputs are not available here. */
  readonly prepare: (dir: string) => Prepared | null;
}

export const scenarios: ReadonlyArray<Scenario> = [
  {
    name: "spec-kitty --version (start-up)",
    target: "-",
    prepare: (dir) => {
      mkdirSync(dir, { recursive: true });
      return { args: ["--version"], cwd: dir };
    },
  },
  {
    name: "events reduce collaboration, 10k events, permissive + roster",
    target: "<= 200 ms, <= 150 MB",
    skipReason: "../shared/golden/bench is missing",
    prepare: (dir) => {
      const stream = resolve(SHARED, "golden/bench/collaboration-10k.events.jsonl");
      const roster = resolve(SHARED, "golden/bench/collaboration-10k.roster.json");
      if (!existsSync(stream)) return null;
      mkdirSync(dir, { recursive: true });
      return { args: ["events", "reduce", "collaboration", stream, "--mode", "permissive", "--roster", roster], cwd: dir };
    },
  },
];
