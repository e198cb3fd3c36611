/**
 * The architecture rules, one dependency-cruiser rule per ADR clause. Every rule's `comment` starts with the
 * ADR id it enforces, so a violation message names the decision it breaks (architecture/adr/).
 */

/** The domain packages from the bottom layer up: a package may import only packages listed before it. */
export const LAYERS = ["events", "status", "runtime", "sync"] as const;

interface RuleSide {
  readonly path?: string | ReadonlyArray<string>;
  readonly pathNot?: string | ReadonlyArray<string>;
  readonly dependencyTypes?: ReadonlyArray<string>;
  readonly dependencyTypesNot?: ReadonlyArray<string>;
  readonly couldNotResolve?: boolean;
  readonly circular?: boolean;
  /** Also matches what `from` reaches through other modules, not only what it imports itself. */
  readonly reachable?: boolean;
  /** Only dynamic `import()` (true) or only static imports (false). */
  readonly dynamic?: boolean;
}

export interface ForbiddenRule {
  readonly name: string;
  readonly severity: "error";
  readonly comment: string;
  readonly from: RuleSide;
  readonly to: RuleSide;
}

const WORKSPACE = "^(packages|apps|tooling)/([^/]+)/";

/**
 * ADR-0016: public entry points besides a package's src/index.ts, each a subpath export in its package.json.
 * `@spec-kitty/events/lanes` is the lane vocabulary without Effect Schema, for @spec-kitty/status.
 */
const EXTRA_ENTRY_POINTS = ["^packages/events/src/lanes\\.ts$"];

const layerRules: ReadonlyArray<ForbiddenRule> = LAYERS.slice(0, -1).map((layer, index) => {
  const above = LAYERS.slice(index + 1);
  return {
    name: `adr-0003-layer-${layer}`,
    severity: "error",
    comment:
      `ADR-0003 §1: @spec-kitty/${layer} sits below ${above.map((p) => `@spec-kitty/${p}`).join(", ")} ` +
      `and must not import them (layers: ${LAYERS.join(" <- ")} <- apps).`,
    from: { path: `^packages/${layer}/` },
    to: { path: `^packages/(${above.join("|")})/` },
  };
});

export const RULES: ReadonlyArray<ForbiddenRule> = [
  {
    name: "adr-0002-deep-import-by-name",
    severity: "error",
    comment:
      "ADR-0002 §1: import a workspace package only through its public entry point ('@spec-kitty/<name>'), " +
      "never a path inside it; export what you need from its src/index.ts.",
    from: {},
    to: { couldNotResolve: true, path: "^@spec-kitty/[^/]+/." },
  },
  {
    name: "adr-0002-internal-module",
    severity: "error",
    comment:
      "ADR-0002 §1: only a package's src/index.ts is public (and the entry points ADR-0016 adds); this reaches a " +
      "module inside another package. Export it from that package's index.ts and import the package by name.",
    from: { path: WORKSPACE },
    to: { path: "^packages/[^/]+/", pathNot: ["^$1/$2/", "^packages/[^/]+/src/index\\.ts$", ...EXTRA_ENTRY_POINTS] },
  },
  {
    name: "adr-0002-relative-cross-package",
    severity: "error",
    comment:
      "ADR-0002 §2: a relative import must stay inside its own package; import another package by its name " +
      "('@spec-kitty/<name>') and declare it in package.json.",
    from: { path: WORKSPACE },
    to: { path: "^(packages|apps|tooling)/", pathNot: "^$1/$2/", dependencyTypes: ["local"] },
  },
  {
    name: "adr-0002-undeclared-dependency",
    severity: "error",
    comment:
      "ADR-0002 §3: every imported package must be declared in the importing package's own package.json " +
      "(dependencies for src/, devDependencies are for tests and tooling only).",
    from: {},
    to: { dependencyTypes: ["npm-no-pkg", "npm-unknown"] },
  },
  {
    name: "adr-0002-dev-dependency-in-production",
    severity: "error",
    comment: "ADR-0002 §3: production code (src/) must not import a package declared only in devDependencies.",
    from: { path: "^(packages|apps)/[^/]+/src/" },
    to: { dependencyTypes: ["npm-dev"] },
  },
  {
    name: "adr-0002-unresolvable",
    severity: "error",
    comment:
      "ADR-0002 §3: this import resolves to nothing: a missing file, or a package not declared in this package's " +
      "package.json (pnpm links only declared dependencies).",
    from: {},
    to: { couldNotResolve: true, pathNot: "^@spec-kitty/[^/]+/." },
  },
  {
    name: "adr-0002-production-imports-test",
    severity: "error",
    comment: "ADR-0002 §4: production code (src/) must not import test or benchmark code (test/, bench/, *.test.ts).",
    from: { path: "^(packages|apps|tooling)/[^/]+/src/" },
    to: { path: ["^(packages|apps|tooling)/[^/]+/(test|bench)/", "\\.test\\.ts$"] },
  },
  ...layerRules,
  {
    name: "adr-0003-package-imports-app",
    severity: "error",
    comment: "ADR-0003 §2: packages are libraries; they never import an app or the repository tooling.",
    from: { path: "^packages/" },
    to: { path: "^(apps|tooling)/" },
  },
  {
    name: "adr-0003-app-to-app",
    severity: "error",
    comment: "ADR-0003 §3: apps are leaves; an app never imports another app. Move shared code into a package.",
    from: { path: "^apps/([^/]+)/" },
    to: { path: "^apps/", pathNot: "^apps/$1/" },
  },
  {
    name: "adr-0004-no-cycles",
    severity: "error",
    comment: "ADR-0004: import cycles are forbidden, inside a package as well as between packages.",
    from: {},
    to: { circular: true },
  },
  {
    name: "adr-0008-status-internals",
    severity: "error",
    comment:
      "ADR-0008: the status package's internals (BookkeepingTransaction and its plumbing in src/internal/) are " +
      "reachable only from inside @spec-kitty/status; write through MissionStatus.",
    from: { pathNot: "^packages/status/" },
    to: { path: "^packages/status/src/internal/" },
  },
  {
    name: "adr-0011-direct-path-without-effect-cli",
    severity: "error",
    comment:
      "ADR-0011: nothing the CLI's direct path (src/direct/) loads, directly or through the handler modules it " +
      "imports, may be @effect/cli, the platform services or a module that defines the full command line.",
    from: { path: "^apps/cli/src/direct/" },
    to: {
      path: ["(^|/)@effect/(cli|platform|platform-node)/", "^apps/cli/src/(main|commands/(index|agent|doctor|events|next|runs|status))\\.ts$"],
      reachable: true,
    },
  },
  {
    name: "adr-0012-sync-loads-events-lazily",
    severity: "error",
    comment:
      "ADR-0012 §7: @spec-kitty/sync loads @spec-kitty/events only by dynamic import() (its contracts bring Effect " +
      "Schema, which the capture path of the hot commands cannot afford); type-only imports are fine.",
    from: { path: "^packages/sync/src/" },
    to: { path: "^packages/events/", dynamic: false, dependencyTypesNot: ["type-only"] },
  },
  {
    name: "adr-0013-e2e-runs-apps-as-processes",
    severity: "error",
    comment:
      "ADR-0013: the end-to-end tests (tooling/e2e) run spec-kitty and spec-kitty-server as processes; they never " +
      "import an app's modules (that would test an in-process wiring no user runs).",
    from: { path: "^tooling/e2e/" },
    to: { path: "^apps/" },
  },
  {
    name: "adr-0018-dashboard-no-node",
    severity: "error",
    comment:
      "ADR-0018: the dashboard's src/ runs in a browser; it must not import a Node built-in (node:fs, node:path, ...).",
    from: { path: "^apps/dashboard/src/" },
    to: { dependencyTypes: ["core"] },
  },
  {
    name: "adr-0018-dashboard-types-only",
    severity: "error",
    comment:
      "ADR-0018: the dashboard takes only types from the workspace packages (`import type`); their runtime code " +
      "(Effect, file and git access) is not bundled into the browser. The one exception is the lane list of the " +
      "Schema-free @spec-kitty/events/lanes entry point, which imports nothing (ADR-0016).",
    from: { path: "^apps/dashboard/src/" },
    to: { path: "^packages/", pathNot: "^packages/events/src/lanes\\.ts$", dependencyTypesNot: ["type-only"] },
  },
  {
    name: "adr-0016-lanes-entry-imports-nothing",
    severity: "error",
    comment:
      "ADR-0016: the Schema-free lanes entry point (@spec-kitty/events/lanes, src/lanes.ts) imports nothing, so " +
      "whoever imports it never loads Effect's Schema module; build Schemas on it in src/status/lanes.ts instead.",
    from: { path: "^packages/events/src/lanes\\.ts$" },
    to: {},
  },
  {
    name: "adr-0019-workflow-imports-no-events-or-sync",
    severity: "error",
    comment:
      "ADR-0019: @spec-kitty/workflow sits above runtime and beside sync: it changes lanes through " +
      "@spec-kitty/status and reports every other event as a fact to the WorkflowEmitter port the app wires to the " +
      "one funnel, so it imports neither @spec-kitty/sync nor the contracts of @spec-kitty/events.",
    from: { path: "^packages/workflow/" },
    to: { path: "^packages/(sync|events)/", dependencyTypesNot: ["type-only"] },
  },
  {
    name: "adr-0019-workflow-only-for-apps",
    severity: "error",
    comment:
      "ADR-0019: only apps compose @spec-kitty/workflow; the packages below it (events, status, runtime) and its " +
      "sibling @spec-kitty/sync must not import it.",
    from: { path: "^packages/(events|status|runtime|sync|test-support)/" },
    to: { path: "^packages/workflow/" },
  },
  {
    name: "adr-0017-test-support-only-in-tests",
    severity: "error",
    comment:
      "ADR-0017: @spec-kitty/test-support is scaffolding for test/ and bench/ code; production code (src/) of " +
      "another package or app must not import it.",
    from: { path: "^(packages|apps|tooling)/[^/]+/src/", pathNot: "^packages/test-support/" },
    to: { path: "^packages/test-support/" },
  },
  {
    name: "adr-0017-test-support-below-everything",
    severity: "error",
    comment:
      "ADR-0017: @spec-kitty/test-support imports no workspace package, so the tests of every layer (events " +
      "included) can use it without a cycle; write files and run processes instead of calling the packages.",
    from: { path: "^packages/test-support/" },
    to: { path: "^(packages|apps|tooling)/", pathNot: "^packages/test-support/" },
  },
];
