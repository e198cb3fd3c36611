import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDirs } from "@spec-kitty/test-support";
import { afterAll, describe, expect, it } from "vitest";
import {
  WorkflowError,
  agentInvocation,
  classifyFailure,
  generateAgentsConfig,
  parseAgentsConfig,
  parseVerdict,
  splitCommand,
  type AgentConfig,
} from "../src/index.ts";

const temps = tempDirs("sk-orch-cfg-");
afterAll(() => temps.cleanup());

const failure = (text: string): WorkflowError => {
  try {
    parseAgentsConfig(text, "/repo/.kittify/agents.yaml");
  } catch (error) {
    if (error instanceof WorkflowError) return error;
    throw error;
  }
  throw new Error("expected the configuration to be refused");
};

describe("agents.yaml", () => {
  it("reads the reference's shape with its defaults", () => {
    const c = parseAgentsConfig(
      [
        'version: "1.0"',
        "defaults:",
        "  implementation: [claude-code, codex]",
        "  review: [codex]",
        "agents:",
        "  claude-code:",
        "    enabled: true",
        "    roles: [implementation, review]",
        "    priority: 10",
        "    max_concurrent: 3",
        "    timeout_seconds: 120",
        "  codex: true",
        "  gemini: false",
        "fallback_strategy: same_agent",
        "max_retries: 2",
        "single_agent_mode:",
        "  enabled: false",
        "  agent: null",
        "global_concurrency: 4",
        "global_timeout: 900",
      ].join("\n"),
      "agents.yaml",
    );
    expect(c.defaults).toEqual({ implementation: ["claude-code", "codex"], review: ["codex"] });
    expect(c.agents.get("claude-code")).toMatchObject({ maxConcurrent: 3, timeoutSeconds: 120, priority: 10 });
    expect(c.agents.get("codex")).toMatchObject({ enabled: true, maxConcurrent: 2, timeoutSeconds: 600 });
    expect(c.agents.get("gemini")?.enabled).toBe(false);
    expect(c).toMatchObject({ fallbackStrategy: "same_agent", maxRetries: 2, globalConcurrency: 4, globalTimeout: 900, maxReviewCycles: 3 });
  });

  it("orders agents by priority for a role without defaults", () => {
    const c = parseAgentsConfig("agents:\n  codex:\n    priority: 20\n  claude-code:\n    priority: 10\n    roles: [implementation]\n", "a.yaml");
    expect(c.defaults).toEqual({ implementation: ["claude-code", "codex"], review: ["codex"] });
  });

  it.each([
    ["agents:\n  codex:\n    max_concurrent: zero\n", 3, "agents.codex.max_concurrent", /whole number/],
    ["agents:\n  codex:\n    roles: [implementation, testing]\n", 3, "agents.codex.roles[1]", /unknown role 'testing'/],
    ["agents:\n  codex: {}\ndefaults:\n  review: [codex, nobody]\n", 4, "defaults.review[1]", /'nobody' is not configured/],
    ["agents:\n  my-bot:\n    enabled: true\n", 2, "agents.my-bot", /give it a 'command'/],
    ["fallback_strategy: random\n", 1, "fallback_strategy", /next_in_list, same_agent or fail/],
    ["max_retries: -1\n", 1, "max_retries", /at least 0/],
    ["agents:\n  codex:\n    timeout: 5\n", 3, "agents.codex.timeout", /unknown key/],
    ["global_concurency: 3\n", 1, "global_concurency", /unknown key/],
  ])("refuses %j naming line %i and key %s", (text, line, field, message) => {
    const e = failure(text);
    expect(e).toMatchObject({ code: "AGENTS_CONFIG_INVALID", kind: "input", line, field, file: "/repo/.kittify/agents.yaml" });
    expect(e.message).toMatch(message);
    expect(e.message.startsWith(`/repo/.kittify/agents.yaml:${line}: '${field}'`)).toBe(true);
  });

  it("reports YAML syntax errors with their line", () => {
    const e = failure("agents:\n  codex: [unclosed\n");
    expect(e.code).toBe("AGENTS_CONFIG_INVALID");
    expect(e.line).toBeGreaterThanOrEqual(2);
  });

  it("generates a configuration from the agent CLIs on PATH, single-agent mode when only one is there", () => {
    const bin = temps.make();
    const tool = (name: string) => {
      writeFileSync(join(bin, name), "#!/bin/sh\nexit 0\n");
      chmodSync(join(bin, name), 0o755);
    };
    expect(generateAgentsConfig({ PATH: bin })).toBeNull();
    tool("codex");
    const one = generateAgentsConfig({ PATH: bin });
    expect(one?.config.singleAgentMode).toEqual({ enabled: true, agent: "codex" });
    tool("claude");
    tool("auggie");
    mkdirSync(join(bin, "gemini"));
    const three = generateAgentsConfig({ PATH: bin });
    expect([...(three?.config.agents.keys() ?? [])]).toEqual(["claude-code", "codex", "augment"]);
    expect(three?.config.defaults.implementation).toEqual(["claude-code", "codex", "augment"]);
    expect(three?.config.defaults.review).toEqual(["codex", "augment", "claude-code"]);
    expect(three?.config.agents.get("codex")?.priority).toBe(20);
    expect(three?.config.singleAgentMode.enabled).toBe(false);
  });
});

const agent = (id: string, command: readonly string[] | null = null, reviewCommand: readonly string[] | null = null): AgentConfig => ({
  id,
  enabled: true,
  roles: ["implementation", "review"],
  priority: 1,
  maxConcurrent: 1,
  timeoutSeconds: 1,
  command,
  reviewCommand,
});

describe("agent invocation", () => {
  it("uses the reference's command lines", () => {
    expect(agentInvocation(agent("claude-code"), "review", "P", "/f")).toEqual({
      argv: ["claude", "-p", "--output-format", "json", "--dangerously-skip-permissions", "--allowedTools", "Read,Glob,Grep,Bash"],
      stdin: "P",
      promptFile: null,
    });
    expect(agentInvocation(agent("codex"), "implementation", "P", "/f").argv).toEqual(["codex", "exec", "-", "--json", "--full-auto"]);
    expect(agentInvocation(agent("copilot"), "implementation", "P", "/f")).toEqual({ argv: ["gh", "copilot", "-p", "P", "--yolo", "--silent"], stdin: null, promptFile: null });
    expect(agentInvocation(agent("augment"), "implementation", "P", "/f").argv).toEqual(["auggie", "--acp", "P"]);
  });

  it("fills a command template: {prompt} as an argument, {prompt_file} as a file, else stdin; review_command for reviews", () => {
    expect(agentInvocation(agent("x", ["bot", "--ask", "{prompt}"]), "implementation", "do it", "/f")).toEqual({ argv: ["bot", "--ask", "do it"], stdin: null, promptFile: null });
    expect(agentInvocation(agent("x", ["bot", "--file={prompt_file}"]), "implementation", "do it", "/tmp/p.md")).toEqual({ argv: ["bot", "--file=/tmp/p.md"], stdin: null, promptFile: "/tmp/p.md" });
    expect(agentInvocation(agent("x", ["bot", "{role}"], ["critic"]), "review", "look", "/f")).toEqual({ argv: ["critic"], stdin: "look", promptFile: null });
    expect(splitCommand(`bot --name "two words" 'single q' plain`)).toEqual(["bot", "--name", "two words", "single q", "plain"]);
  });
});

describe("failure classes and verdicts", () => {
  const facts = (o: Partial<Parameters<typeof classifyFailure>[0]>) => ({ agentId: "x", exitCode: 1, timedOut: false, stderr: "", stdout: "", spawnError: null, ...o });
  it("classifies like the reference", () => {
    expect(classifyFailure(facts({ timedOut: true }))).toBe("timeout");
    expect(classifyFailure(facts({ exitCode: 124 }))).toBe("timeout");
    expect(classifyFailure(facts({ agentId: "gemini", exitCode: 41 }))).toBe("auth");
    expect(classifyFailure(facts({ agentId: "gemini", exitCode: 42 }))).toBe("rate_limit");
    expect(classifyFailure(facts({ stderr: "HTTP 401 Unauthorized" }))).toBe("auth");
    expect(classifyFailure(facts({ stderr: "Invalid API key" }))).toBe("auth");
    expect(classifyFailure(facts({ stderr: "429 Too Many Requests" }))).toBe("rate_limit");
    expect(classifyFailure(facts({ stderr: "connect ECONNREFUSED 10.0.0.1:443" }))).toBe("network");
    expect(classifyFailure(facts({ stderr: "segmentation fault" }))).toBe("general");
  });

  it("reads the last VERDICT line, with reason and feedback", () => {
    expect(parseVerdict("notes\nVERDICT: approved")).toEqual({ kind: "approved", reason: "" });
    expect(parseVerdict("VERDICT: rejected - missing tests\n- add one\n- and another")).toEqual({
      kind: "rejected",
      reason: "missing tests",
      feedback: "missing tests\n\n- add one\n- and another",
    });
    // The prompt's own instructions quoted first do not decide; the last line does.
    expect(parseVerdict("You asked: VERDICT: approved or\nVERDICT: rejected - reason\n...\nVERDICT: rejected - no tests").kind).toBe("rejected");
    expect(parseVerdict("**VERDICT: APPROVED**").kind).toBe("approved");
  });

  it("never reads a verdict from words: substrings are not verdicts", () => {
    for (const text of ["LGTM, approved, looks good", "not approved", "REJECTED - bad", "the verdict: approved", "VERDICTS: approved", "VERDICT: approvedish"]) {
      expect(parseVerdict(text).kind).toBe("missing");
    }
  });

  it("finds the verdict inside JSON output (claude --output-format json, codex --json events)", () => {
    expect(parseVerdict(JSON.stringify({ type: "result", result: "Checked.\nVERDICT: rejected - flaky test\nfix the sleep" }))).toMatchObject({ kind: "rejected", reason: "flaky test" });
    expect(parseVerdict(`{"msg":"working"}\n{"msg":"done","text":"VERDICT: approved"}`).kind).toBe("approved");
  });
});
