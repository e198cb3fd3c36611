import { GUARDS } from "./guards.ts";
import { FROM_LANES } from "./lanes.ts";
import { allowedTargets, edgeGuard, TRANSITION_TABLE } from "./table.ts";

export const FSM_TABLE_BEGIN = "<!-- fsm-table:begin (generated from src/fsm/table.ts; do not edit) -->";
export const FSM_TABLE_END = "<!-- fsm-table:end -->";

/**
 * The transition table as Markdown, generated from the table itself so the README cannot drift:
 * one row per from-lane with its targets and the guard each target's entry runs.
 */
export const renderFsmMarkdown = (): string => {
  const lines = [
    "| from | to | guard (entry requires) | progress | column |",
    "|---|---|---|---|---|",
  ];
  for (const from of FROM_LANES) {
    const row = TRANSITION_TABLE[from];
    const targets = allowedTargets(from);
    if (targets.length === 0) {
      lines.push(`| ${from} | (none: terminal, leave only by force) | - | ${row.progress} | ${row.column} |`);
      continue;
    }
    for (const to of targets) {
      const guard = GUARDS[edgeGuard(from, to) ?? "none"];
      const requires = guard.id === "none" ? "-" : `\`${guard.id}\`: ${guard.requires}`;
      lines.push(`| ${from} | ${to} | ${requires} | ${row.progress} | ${row.column} |`);
    }
  }
  return `${lines.join("\n")}\n`;
};

/** Replaces the text between the markers of `readme` with the generated table. */
export const spliceFsmTable = (readme: string): string => {
  const begin = readme.indexOf(FSM_TABLE_BEGIN);
  const end = readme.indexOf(FSM_TABLE_END);
  if (begin < 0 || end < begin) {
    return `${readme.trimEnd()}\n\n${FSM_TABLE_BEGIN}\n${renderFsmMarkdown()}${FSM_TABLE_END}\n`;
  }
  return `${readme.slice(0, begin)}${FSM_TABLE_BEGIN}\n${renderFsmMarkdown()}${readme.slice(end)}`;
};
