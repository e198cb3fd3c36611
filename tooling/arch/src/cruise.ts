import { cruise } from "dependency-cruiser";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { RULES } from "./rules.ts";

/** One violation as the runner and the tests see it. */
export interface Violation {
  readonly rule: string;
  readonly comment: string;
  readonly from: string;
  readonly to: string;
  readonly cycle?: ReadonlyArray<string>;
}

export interface ArchReport {
  /** Source modules of the workspace that were parsed (dependencies in node_modules not counted). */
  readonly modulesCruised: number;
  /** TypeScript files present in the scopes: a cruise that parsed fewer than these did not really run. */
  readonly sourceFiles: number;
  readonly dependenciesCruised: number;
  readonly violations: ReadonlyArray<Violation>;
}

/** The folders the rules look at, relative to the workspace root. */
export const SCOPES = ["packages", "apps", "tooling"] as const;

/**
 * Never cruised: the workspace's generated output and the arch suite's own deliberate violations. Anchored to the
 * workspace folders: a dependency's own dist/ (node_modules/.../dist/esm/...) must stay visible, or every rule about
 * npm packages (undeclared dependencies, the direct path's ban on @effect/cli) would see nothing. node_modules is
 * not followed either.
 */
const EXCLUDE = "^(packages|apps|tooling)/[^/]+/(dist|\\.tsbuild|\\.turbo|coverage)/|^tooling/arch/fixtures/";

/**
 * Runs the ADR rules over a workspace rooted at `baseDir` (the real repository or a test fixture).
 * Paths in the report are relative to `baseDir`.
 */
export const checkArchitecture = async (baseDir: string): Promise<ArchReport> => {
  const previous = process.cwd();
  // dependency-cruiser resolves the scopes and rule paths against the working directory.
  process.chdir(baseDir);
  try {
    const comments = new Map(RULES.map((rule) => [rule.name, rule.comment]));
    const scopes = SCOPES.filter((scope) => existsSync(join(baseDir, scope)));
    const sourceFiles = scopes.reduce((count, scope) => count + countSources(join(baseDir, scope), scope), 0);
    if (scopes.length === 0) return { modulesCruised: 0, sourceFiles, dependenciesCruised: 0, violations: [] };
    const result = await cruise(
      scopes,
      {
        baseDir,
        validate: true,
        ruleSet: { forbidden: RULES.map((rule) => ({ ...rule })) } as never,
        exclude: { path: EXCLUDE },
        doNotFollow: { path: "node_modules" },
        tsPreCompilationDeps: true,
        combinedDependencies: false,
        enhancedResolveOptions: {
          exportsFields: ["exports"],
          conditionNames: ["import", "node", "default"],
          extensions: [".ts", ".js", ".mjs", ".cjs", ".json"],
          mainFields: ["module", "main", "types"],
        },
      },
      {},
      {},
    );
    const output = result.output;
    if (typeof output === "string") throw new Error("dependency-cruiser returned text where a report was expected");
    const modules = output.modules.filter((module) => !module.source.includes("node_modules/") && !module.coreModule);
    return {
      modulesCruised: modules.length,
      sourceFiles,
      dependenciesCruised: output.summary.totalDependenciesCruised ?? 0,
      violations: output.summary.violations.map((violation) => ({
        rule: violation.rule.name,
        comment: comments.get(violation.rule.name) ?? violation.rule.name,
        from: violation.from,
        to: violation.to,
        ...(violation.cycle === undefined ? {} : { cycle: violation.cycle.map((step) => step.name) }),
      })),
    };
  } finally {
    process.chdir(previous);
  }
};

const EXCLUDED = new RegExp(EXCLUDE);

/** Counts the .ts files below `dir` (workspace-relative `rel`) that the cruise is expected to parse. */
const countSources = (dir: string, rel: string): number => {
  let count = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const relPath = `${rel}/${entry.name}`;
    if (entry.name === "node_modules" || EXCLUDED.test(`${relPath}/`)) continue;
    if (entry.isDirectory()) count += countSources(join(dir, entry.name), relPath);
    else if (entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) count += 1;
  }
  return count;
};
