import { accessSync, constants, existsSync, readFileSync, statSync } from "node:fs";
import { delimiter, join } from "node:path";
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from "yaml";
import { WorkflowError } from "../errors.ts";

/**
 * The orchestrator's agent configuration, `.kittify/agents.yaml`, in the reference's shape (reference-workflow §2.9):
 * `version`, `defaults: {implementation: [ids], review: [ids]}`, `agents: {<id>: {enabled, roles, priority,
 * max_concurrent, timeout_seconds} | bool}`, `fallback_strategy`, `max_retries`, `single_agent_mode: {enabled,
 * agent}`, `global_concurrency`, `global_timeout`. Our additions, all optional: per agent `command` (an argv list or
 * a string; `{prompt}` puts the prompt in an argument, `{prompt_file}` names a file holding it, neither sends it on
 * stdin) and `review_command`; at the top `max_review_cycles`, `retry_backoff_seconds`, `kill_grace_seconds`.
 * Every problem is a WorkflowError AGENTS_CONFIG_INVALID naming the file, the line and the key.
 */
export type AgentRole = "implementation" | "review";
export const AGENT_ROLES: readonly AgentRole[] = ["implementation", "review"];
export type FallbackStrategy = "next_in_list" | "same_agent" | "fail";

export interface AgentConfig {
  readonly id: string;
  readonly enabled: boolean;
  readonly roles: readonly AgentRole[];
  readonly priority: number;
  readonly maxConcurrent: number;
  readonly timeoutSeconds: number;
  /** A command template replacing the built-in invocation (required for agents the orchestrator does not know). */
  readonly command: readonly string[] | null;
  /** The template for review, when it differs from `command`. */
  readonly reviewCommand: readonly string[] | null;
}

export interface OrchestratorConfig {
  readonly version: string;
  readonly defaults: Readonly<Record<AgentRole, readonly string[]>>;
  readonly agents: ReadonlyMap<string, AgentConfig>;
  readonly fallbackStrategy: FallbackStrategy;
  /** Retries of one failed invocation with the same agent (auth failures are never retried). */
  readonly maxRetries: number;
  readonly singleAgentMode: { readonly enabled: boolean; readonly agent: string | null };
  readonly globalConcurrency: number;
  /** Upper bound of any one agent invocation, seconds. */
  readonly globalTimeout: number;
  /** Rejections a work package may get before the run escalates it. */
  readonly maxReviewCycles: number;
  /** First retry delay; doubled per retry (capped at 60 s). */
  readonly retryBackoffSeconds: number;
  /** Between SIGTERM and SIGKILL of a timed-out agent. */
  readonly killGraceSeconds: number;
  /** Where it was read from (null when generated). */
  readonly source: string | null;
}

export const AGENTS_FILE = join(".kittify", "agents.yaml");

export const DEFAULTS = {
  maxConcurrent: 2,
  timeoutSeconds: 600,
  fallbackStrategy: "next_in_list" as FallbackStrategy,
  maxRetries: 3,
  globalConcurrency: 5,
  globalTimeout: 3600,
  maxReviewCycles: 3,
  retryBackoffSeconds: 5,
  killGraceSeconds: 5,
} as const;

/** The agents the orchestrator can invoke without a `command`, with the executable each needs, in the reference's order. */
export const KNOWN_AGENT_BINARIES: ReadonlyArray<readonly [string, string]> = [
  ["claude-code", "claude"],
  ["codex", "codex"],
  ["copilot", "gh"],
  ["gemini", "gemini"],
  ["qwen", "qwen"],
  ["opencode", "opencode"],
  ["kilocode", "kilocode"],
  ["augment", "auggie"],
  ["cursor", "cursor"],
];

/** Names the reference's CLI accepts for agents (`--impl-agent claude`). */
export const AGENT_ALIASES: Readonly<Record<string, string>> = { claude: "claude-code", auggie: "augment" };

export const canonicalAgentId = (id: string): string => AGENT_ALIASES[id] ?? id;

/** Reads `.kittify/agents.yaml` under `repoRoot`; null when the file does not exist or is empty. */
export const loadAgentsConfig = (repoRoot: string): OrchestratorConfig | null => {
  const path = join(repoRoot, AGENTS_FILE);
  if (!existsSync(path)) return null;
  const text = readFileSync(path, "utf8");
  if (text.trim() === "") return null;
  return parseAgentsConfig(text, path);
};

/** Parses and validates the text of an agents.yaml (`path` is for messages). */
export const parseAgentsConfig = (text: string, path: string): OrchestratorConfig => {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const lineOf = (node: YamlNode | null | undefined): number | undefined => {
    const offset = node?.range?.[0];
    return offset === undefined ? undefined : lines.linePos(offset).line;
  };
  const fail = (field: string, node: YamlNode | null | undefined, message: string): never => {
    const line = lineOf(node);
    throw new WorkflowError({
      code: "AGENTS_CONFIG_INVALID",
      kind: "input",
      message: `${path}${line === undefined ? "" : `:${line}`}: ${field === "" ? "" : `'${field}': `}${message}`,
      file: path,
      ...(line === undefined ? {} : { line }),
      ...(field === "" ? {} : { field }),
      hint: "fix the key and run the command again (see packages/workflow/docs/orchestrate.md for the format)",
    });
  };
  const firstError = doc.errors[0];
  if (firstError !== undefined) {
    const line = firstError.linePos?.[0]?.line ?? lines.linePos(firstError.pos[0]).line;
    throw new WorkflowError({
      code: "AGENTS_CONFIG_INVALID",
      kind: "input",
      message: `${path}${line === undefined ? "" : `:${line}`}: not valid YAML (${firstError.message.split("\n")[0] ?? ""})`,
      file: path,
      ...(line === undefined ? {} : { line }),
    });
  }
  const root = doc.contents;
  if (!isMap(root)) return fail("", root as YamlNode | null, "the file must be a mapping of keys (version, defaults, agents, …)");

  const entries = new Map<string, YamlNode | null>();
  const TOP_KEYS = new Set([
    "version",
    "defaults",
    "agents",
    "fallback_strategy",
    "max_retries",
    "single_agent_mode",
    "global_concurrency",
    "global_timeout",
    "max_review_cycles",
    "retry_backoff_seconds",
    "kill_grace_seconds",
  ]);
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : "";
    if (!TOP_KEYS.has(key)) fail(key, pair.key as YamlNode, `unknown key (expected one of ${[...TOP_KEYS].join(", ")})`);
    entries.set(key, (pair.value ?? null) as YamlNode | null);
  }

  const int = (field: string, node: YamlNode | null | undefined, fallback: number, min: number): number => {
    if (node === undefined || node === null || (isScalar(node) && node.value === null)) return fallback;
    if (!isScalar(node) || typeof node.value !== "number" || !Number.isInteger(node.value)) return fail(field, node, "must be a whole number");
    if (node.value < min) return fail(field, node, `must be at least ${min}`);
    return node.value;
  };
  const num = (field: string, node: YamlNode | null | undefined, fallback: number, min: number): number => {
    if (node === undefined || node === null || (isScalar(node) && node.value === null)) return fallback;
    if (!isScalar(node) || typeof node.value !== "number" || !Number.isFinite(node.value)) return fail(field, node, "must be a number");
    if (node.value < min) return fail(field, node, `must be at least ${min}`);
    return node.value;
  };
  const bool = (field: string, node: YamlNode | null | undefined, fallback: boolean): boolean => {
    if (node === undefined || node === null || (isScalar(node) && node.value === null)) return fallback;
    if (!isScalar(node) || typeof node.value !== "boolean") return fail(field, node, "must be true or false");
    return node.value;
  };
  const str = (field: string, node: YamlNode | null | undefined): string | null => {
    if (node === undefined || node === null || (isScalar(node) && node.value === null)) return null;
    if (!isScalar(node) || (typeof node.value !== "string" && typeof node.value !== "number")) return fail(field, node, "must be a string");
    return String(node.value);
  };
  const strList = (field: string, node: YamlNode | null | undefined): readonly string[] | null => {
    if (node === undefined || node === null || (isScalar(node) && node.value === null)) return null;
    if (!isSeq(node)) return fail(field, node, "must be a list");
    return node.items.map((item, i) => {
      const v = str(`${field}[${i}]`, item as YamlNode);
      if (v === null || v.trim() === "") return fail(`${field}[${i}]`, item as YamlNode, "must be a non-empty string");
      return v;
    });
  };
  const command = (field: string, node: YamlNode | null | undefined): readonly string[] | null => {
    if (node === undefined || node === null || (isScalar(node) && node.value === null)) return null;
    const argv = isSeq(node) ? strList(field, node) : splitCommand(str(field, node) ?? "");
    if (argv === null || argv.length === 0) return fail(field, node, "must name an executable");
    return argv;
  };

  const agents = new Map<string, AgentConfig>();
  const agentsNode = entries.get("agents");
  if (agentsNode !== undefined && agentsNode !== null && !(isScalar(agentsNode) && agentsNode.value === null)) {
    if (!isMap(agentsNode)) fail("agents", agentsNode, "must be a mapping of agent id to its settings (or true/false)");
    const AGENT_KEYS = new Set(["enabled", "roles", "priority", "max_concurrent", "timeout_seconds", "command", "review_command"]);
    for (const pair of (agentsNode as unknown as { items: Array<{ key: unknown; value: unknown }> }).items) {
      const id = isScalar(pair.key) ? String(pair.key.value) : "";
      const at = `agents.${id}`;
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(id)) fail(at, pair.key as YamlNode, "an agent id is letters, digits, '.', '_' or '-'");
      const value = (pair.value ?? null) as YamlNode | null;
      const base = { id, command: null, reviewCommand: null, roles: AGENT_ROLES, priority: 50, maxConcurrent: DEFAULTS.maxConcurrent, timeoutSeconds: DEFAULTS.timeoutSeconds };
      if (value === null || isScalar(value)) {
        agents.set(id, { ...base, enabled: bool(at, value, true) });
        continue;
      }
      if (!isMap(value)) fail(at, value, "must be a mapping of settings or true/false");
      const fields = new Map<string, YamlNode | null>();
      for (const p of (value as unknown as { items: Array<{ key: unknown; value: unknown }> }).items) {
        const k = isScalar(p.key) ? String(p.key.value) : "";
        if (!AGENT_KEYS.has(k)) fail(`${at}.${k}`, p.key as YamlNode, `unknown key (expected one of ${[...AGENT_KEYS].join(", ")})`);
        fields.set(k, (p.value ?? null) as YamlNode | null);
      }
      const roles = strList(`${at}.roles`, fields.get("roles")) ?? AGENT_ROLES;
      roles.forEach((role, i) => {
        if (!AGENT_ROLES.includes(role as AgentRole)) fail(`${at}.roles[${i}]`, fields.get("roles"), `unknown role '${role}' (expected implementation or review)`);
      });
      const cmd = command(`${at}.command`, fields.get("command"));
      if (cmd === null && !KNOWN_AGENT_BINARIES.some(([known]) => known === id)) {
        fail(at, pair.key as YamlNode, `unknown agent: give it a 'command' (known agents: ${KNOWN_AGENT_BINARIES.map(([k]) => k).join(", ")})`);
      }
      agents.set(id, {
        id,
        enabled: bool(`${at}.enabled`, fields.get("enabled"), true),
        roles: roles as readonly AgentRole[],
        priority: int(`${at}.priority`, fields.get("priority"), 50, 0),
        maxConcurrent: int(`${at}.max_concurrent`, fields.get("max_concurrent"), DEFAULTS.maxConcurrent, 1),
        timeoutSeconds: num(`${at}.timeout_seconds`, fields.get("timeout_seconds"), DEFAULTS.timeoutSeconds, 0.1),
        command: cmd,
        reviewCommand: command(`${at}.review_command`, fields.get("review_command")),
      });
    }
  }
  for (const agent of agents.values()) {
    if (agent.command === null && !KNOWN_AGENT_BINARIES.some(([known]) => known === agent.id)) {
      fail(`agents.${agent.id}`, agentsNode, `unknown agent: give it a 'command' (known agents: ${KNOWN_AGENT_BINARIES.map(([k]) => k).join(", ")})`);
    }
  }

  const defaultsNode = entries.get("defaults");
  const defaults: Record<AgentRole, readonly string[]> = { implementation: [], review: [] };
  if (defaultsNode !== undefined && defaultsNode !== null && !(isScalar(defaultsNode) && defaultsNode.value === null)) {
    if (!isMap(defaultsNode)) fail("defaults", defaultsNode, "must map implementation/review to lists of agent ids");
    for (const p of (defaultsNode as unknown as { items: Array<{ key: unknown; value: unknown }> }).items) {
      const role = isScalar(p.key) ? String(p.key.value) : "";
      if (!AGENT_ROLES.includes(role as AgentRole)) fail(`defaults.${role}`, p.key as YamlNode, "unknown role (expected implementation or review)");
      const ids = strList(`defaults.${role}`, (p.value ?? null) as YamlNode | null) ?? [];
      ids.forEach((id, i) => {
        if (!agents.has(id)) fail(`defaults.${role}[${i}]`, p.value as YamlNode, `agent '${id}' is not configured under 'agents'`);
      });
      defaults[role as AgentRole] = ids;
    }
  }
  for (const role of AGENT_ROLES) {
    if (defaults[role].length === 0) {
      defaults[role] = [...agents.values()]
        .filter((a) => a.roles.includes(role))
        .sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : 1))
        .map((a) => a.id);
    }
  }

  const strategy = str("fallback_strategy", entries.get("fallback_strategy")) ?? DEFAULTS.fallbackStrategy;
  if (!["next_in_list", "same_agent", "fail"].includes(strategy)) {
    fail("fallback_strategy", entries.get("fallback_strategy"), "must be next_in_list, same_agent or fail");
  }
  const singleNode = entries.get("single_agent_mode");
  let single: { enabled: boolean; agent: string | null } = { enabled: false, agent: null };
  if (singleNode !== undefined && singleNode !== null && !(isScalar(singleNode) && singleNode.value === null)) {
    if (!isMap(singleNode)) fail("single_agent_mode", singleNode, "must be a mapping {enabled, agent}");
    const get = (k: string) => (singleNode as unknown as { get: (k: string, keep: true) => YamlNode | null }).get(k, true);
    single = { enabled: bool("single_agent_mode.enabled", get("enabled"), false), agent: str("single_agent_mode.agent", get("agent")) };
    if (single.enabled && single.agent !== null && !agents.has(single.agent)) {
      fail("single_agent_mode.agent", get("agent"), `agent '${single.agent}' is not configured under 'agents'`);
    }
  }
  return {
    version: str("version", entries.get("version")) ?? "1.0",
    defaults,
    agents,
    fallbackStrategy: strategy as FallbackStrategy,
    maxRetries: int("max_retries", entries.get("max_retries"), DEFAULTS.maxRetries, 0),
    singleAgentMode: single,
    globalConcurrency: int("global_concurrency", entries.get("global_concurrency"), DEFAULTS.globalConcurrency, 1),
    globalTimeout: num("global_timeout", entries.get("global_timeout"), DEFAULTS.globalTimeout, 0.1),
    maxReviewCycles: int("max_review_cycles", entries.get("max_review_cycles"), DEFAULTS.maxReviewCycles, 1),
    retryBackoffSeconds: num("retry_backoff_seconds", entries.get("retry_backoff_seconds"), DEFAULTS.retryBackoffSeconds, 0),
    killGraceSeconds: num("kill_grace_seconds", entries.get("kill_grace_seconds"), DEFAULTS.killGraceSeconds, 0),
    source: path,
  };
};

/** Splits a command string on whitespace, honouring single and double quotes. */
export const splitCommand = (text: string): readonly string[] => {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  for (const m of text.matchAll(re)) out.push(m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : (m[2] ?? m[3] ?? ""));
  return out;
};

/** Whether `command` is an executable on `PATH` (or an existing executable path). */
export const onPath = (command: string, env: NodeJS.ProcessEnv = process.env): boolean => {
  const executable = (p: string): boolean => {
    try {
      accessSync(p, constants.X_OK);
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (command.includes("/")) return executable(command);
  return (env["PATH"] ?? "").split(delimiter).some((dir) => dir !== "" && executable(join(dir, command)));
};

/**
 * The configuration for the known agents whose CLI is on PATH (the reference's generation: priorities 10, 20, …
 * in its order, effectively unlimited concurrency, single-agent mode when only one is installed). Null when none is.
 */
export const generateAgentsConfig = (env: NodeJS.ProcessEnv = process.env): { config: OrchestratorConfig; yaml: string } | null => {
  const found = KNOWN_AGENT_BINARIES.filter(([, bin]) => onPath(bin, env));
  if (found.length === 0) return null;
  const ids = found.map(([id]) => id);
  const single = ids.length === 1;
  const yaml = [
    "# Generated by 'spec-kitty orchestrate' from the agent CLIs found on PATH; edit freely.",
    'version: "1.0"',
    "defaults:",
    `  implementation: [${ids.join(", ")}]`,
    `  review: [${(single ? ids : [...ids.slice(1), ids[0]]).join(", ")}]`,
    "agents:",
    ...found.flatMap(([id], i) => [
      `  ${id}:`,
      "    enabled: true",
      "    roles: [implementation, review]",
      `    priority: ${(i + 1) * 10}`,
      "    max_concurrent: 100",
      `    timeout_seconds: ${DEFAULTS.timeoutSeconds}`,
    ]),
    `fallback_strategy: ${DEFAULTS.fallbackStrategy}`,
    `max_retries: ${DEFAULTS.maxRetries}`,
    "single_agent_mode:",
    `  enabled: ${single}`,
    `  agent: ${single ? ids[0] : "null"}`,
    "global_concurrency: 100",
    `global_timeout: ${DEFAULTS.globalTimeout}`,
    "",
  ].join("\n");
  return { config: { ...parseAgentsConfig(yaml, AGENTS_FILE), source: null }, yaml };
};
