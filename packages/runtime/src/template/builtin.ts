/**
 * Templates shipped inside the package. They live as text (not files next to the code) so that the bundled CLI
 * carries them; their path is a `builtin:` pseudo-path that drift detection resolves back to this text.
 */
export const BUILTIN_PREFIX = "builtin:";

const SOFTWARE_DEV = `mission:
  key: software-dev
  name: Software Dev Kitty
  version: "2.2.0"
  description: "Spec-driven software development: from discovery to an accepted, reviewed implementation."
steps:
  - id: discovery
    title: Discovery
    description: Understand the problem, the users and the constraints before writing anything down.
    prompt: "Run discovery: clarify the goal, the users, the constraints and the open questions of this mission."
    expected_output: research.md
  - id: specify
    title: Specification
    description: Write the feature specification.
    depends_on: [discovery]
    prompt: "Write the specification (spec.md): user scenarios, functional requirements, success criteria."
    expected_output: spec.md
  - id: plan
    title: Plan
    description: Turn the specification into a technical plan.
    depends_on: [specify]
    prompt: "Write the technical plan (plan.md): architecture, data model, contracts and risks."
    expected_output: plan.md
  - id: tasks
    title: Tasks
    description: Break the plan into work packages.
    depends_on: [plan]
    prompt: "Break the plan into work packages (tasks.md and tasks/WPnn-*.md) with dependencies and owned files."
    expected_output: tasks.md
  - id: implement
    title: Implement
    description: Implement every work package.
    depends_on: [tasks]
    prompt: "Implement the next work package and move it to for_review when done."
  - id: review
    title: Review
    description: Review every work package.
    depends_on: [implement]
    prompt: "Review the next work package and approve it or send it back with feedback."
  - id: accept
    title: Accept
    description: Check the mission against its acceptance criteria.
    depends_on: [review]
    prompt: "Verify the mission against its specification and record the acceptance."
`;

/** Built-in template texts by mission key. */
export const BUILTIN_TEMPLATES: Readonly<Record<string, string>> = { "software-dev": SOFTWARE_DEV };

export const builtinPath = (key: string): string => `${BUILTIN_PREFIX}${key}/mission-runtime.yaml`;

/** The text behind a `builtin:` path, or null when the path is not a built-in one. */
export const builtinText = (path: string): string | null => {
  if (!path.startsWith(BUILTIN_PREFIX)) return null;
  const key = path.slice(BUILTIN_PREFIX.length).split("/")[0] ?? "";
  return BUILTIN_TEMPLATES[key] ?? null;
};
