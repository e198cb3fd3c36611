import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/** Work package ids WP01 … WPnn. */
export const wpIds = (n: number): Array<string> => Array.from({ length: n }, (_, i) => `WP${String(i + 1).padStart(2, "0")}`);

/** A `meta.json` document as spec-kitty writes it for a mission; `extra` adds or overrides fields. */
export const missionMeta = (
  slug: string,
  missionId: string | null,
  extra: Record<string, unknown> = {},
): Record<string, unknown> => ({
  created_at: "2026-08-01T10:00:00+00:00",
  friendly_name: `Mission ${slug}`,
  mission_number: null,
  mission_slug: slug,
  mission_type: "software-dev",
  slug,
  target_branch: "main",
  topology: "single_branch",
  ...(missionId === null ? {} : { mission_id: missionId }),
  ...extra,
});

/**
 * One flat JSON object the way the reference writes a log line (`json.dumps(sort_keys=True)`: keys sorted, ", " and
 * ": " separators). For the plain ASCII values seed rows hold; the status package's own tests check it against its
 * serializer.
 */
export const referenceJsonLine = (row: Readonly<Record<string, string | number | boolean | null>>): string =>
  `{${Object.keys(row)
    .sort()
    .map((key) => `${JSON.stringify(key)}: ${JSON.stringify(row[key])}`)
    .join(", ")}}`;

/** The seed row `finalize-tasks` writes for the `index`-th work package: genesis -> planned. */
export const seedRow = (slug: string, missionId: string | null, wp: string, index: number): string =>
  referenceJsonLine({
    actor: "finalize-tasks",
    at: `2026-08-01T10:00:00.${String(index).padStart(6, "0")}+00:00`,
    event_id: `01KZ0000000000000000000${String(index).padStart(3, "0")}`,
    evidence: null,
    execution_mode: "worktree",
    force: false,
    from_lane: "genesis",
    mission_slug: slug,
    policy_metadata: null,
    reason: null,
    review_ref: null,
    to_lane: "planned",
    wp_id: wp,
    ...(missionId === null ? {} : { mission_id: missionId }),
  });

/** The seed log of a finalized mission: one genesis -> planned line per work package, newline-terminated. */
export const seedLog = (slug: string, missionId: string | null, wps: ReadonlyArray<string>): string =>
  wps.map((wp, i) => `${seedRow(slug, missionId, wp, i)}\n`).join("");

export interface MissionSpec {
  /** The folder under kitty-specs/. */
  readonly dir: string;
  /** meta.json content (written pretty, newline-terminated); `null` writes no meta.json. */
  readonly meta: Record<string, unknown> | null;
  /** Work packages seeded genesis -> planned in status.events.jsonl; `null` writes no log. */
  readonly wps: ReadonlyArray<string> | null;
  /** Also writes tasks/WPnn-task.md with the work package's front matter (what `next` reads). Default false. */
  readonly wpFiles?: boolean;
}

/** Writes one mission under `root/kitty-specs/` and returns its folder. */
export const writeMission = (root: string, spec: MissionSpec): string => {
  const dir = join(root, "kitty-specs", spec.dir);
  mkdirSync(join(dir, "tasks"), { recursive: true });
  if (spec.meta !== null) writeFileSync(join(dir, "meta.json"), `${JSON.stringify(spec.meta, null, 2)}\n`);
  if (spec.wps !== null) {
    const id = typeof spec.meta?.["mission_id"] === "string" ? spec.meta["mission_id"] : null;
    const slug = typeof spec.meta?.["mission_slug"] === "string" ? spec.meta["mission_slug"] : spec.dir;
    writeFileSync(join(dir, "status.events.jsonl"), seedLog(slug, id, spec.wps));
    if (spec.wpFiles === true) {
      spec.wps.forEach((wp, i) =>
        writeFileSync(join(dir, "tasks", `${wp}-task.md`), `---\nwork_package_id: ${wp}\ntitle: Task ${i + 1}\n---\n`),
      );
    }
  }
  return dir;
};

/** A mission template with a required input, WP-iteration steps and a blocking audit checkpoint as its last step. */
export const CUSTOM_MISSION_TEMPLATE = `mission:
  key: custom
  name: Custom mission
  version: "1.0.0"
steps:
  - id: setup
    title: Setup
    prompt: Set things up.
    requires_inputs: [mission_owner_id]
  - id: implement
    title: Implement
    depends_on: [setup]
  - id: review
    title: Review
    depends_on: [implement]
audit_steps:
  - id: signoff
    title: Sign-off
    depends_on: [review]
    audit:
      trigger_mode: manual
      enforcement: blocking
`;
