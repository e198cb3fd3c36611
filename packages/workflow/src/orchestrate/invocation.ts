import type { AgentConfig, AgentRole } from "./config.ts";

/**
 * How each agent is invoked, as data: the command line and where the prompt goes. The built-in lines are the
 * reference's (reference-workflow §2.9, `orchestrator/agents/*.py`); an agent with a `command` template uses that:
 * `{prompt}` in an argument puts the prompt there, `{prompt_file}` names a file holding it, neither sends it on stdin.
 */
export interface AgentInvocation {
  /** Executable then arguments. */
  readonly argv: readonly string[];
  /** The prompt on stdin, or null when it travels in an argument or a file. */
  readonly stdin: string | null;
  /** When the template names `{prompt_file}`: write the prompt there before starting. */
  readonly promptFile: string | null;
}

type Builder = (role: AgentRole, prompt: string) => { argv: readonly string[]; stdin: string | null };

const IMPL_TOOLS = "Read,Write,Edit,Bash,Glob,Grep,TodoWrite";
const REVIEW_TOOLS = "Read,Glob,Grep,Bash";

export const BUILT_IN_INVOCATIONS: Readonly<Record<string, Builder>> = {
  "claude-code": (role, prompt) => ({
    argv: ["claude", "-p", "--output-format", "json", "--dangerously-skip-permissions", "--allowedTools", role === "review" ? REVIEW_TOOLS : IMPL_TOOLS],
    stdin: prompt,
  }),
  codex: (_role, prompt) => ({ argv: ["codex", "exec", "-", "--json", "--full-auto"], stdin: prompt }),
  copilot: (_role, prompt) => ({ argv: ["gh", "copilot", "-p", prompt, "--yolo", "--silent"], stdin: null }),
  gemini: (_role, prompt) => ({ argv: ["gemini", "-p", "--yolo", "--output-format", "json"], stdin: prompt }),
  qwen: (_role, prompt) => ({ argv: ["qwen", "-p", "--yolo", "--output-format", "json"], stdin: prompt }),
  opencode: (_role, prompt) => ({ argv: ["opencode", "run", "--agent", "build", "--format", "json"], stdin: prompt }),
  kilocode: (_role, prompt) => ({ argv: ["kilocode", "-a", "--yolo", "-j", prompt], stdin: null }),
  augment: (_role, prompt) => ({ argv: ["auggie", "--acp", prompt], stdin: null }),
  // The reference wraps cursor in `timeout 300`; our own deadline (timeout_seconds) covers it.
  cursor: (_role, prompt) => ({ argv: ["cursor", "agent", "-p", prompt, "--force", "--output-format", "json"], stdin: null }),
};

/** The invocation of `agent` for `role` with `prompt`; `promptFilePath` is where `{prompt_file}` points. */
export const agentInvocation = (agent: AgentConfig, role: AgentRole, prompt: string, promptFilePath: string): AgentInvocation => {
  const template = (role === "review" ? agent.reviewCommand : null) ?? agent.command;
  if (template !== null) {
    let inArgument = false;
    let usesFile = false;
    const argv = template.map((arg) => {
      if (arg.includes("{prompt}")) inArgument = true;
      if (arg.includes("{prompt_file}")) usesFile = true;
      return arg.replaceAll("{prompt_file}", promptFilePath).replaceAll("{prompt}", prompt).replaceAll("{role}", role);
    });
    return { argv, stdin: inArgument || usesFile ? null : prompt, promptFile: usesFile ? promptFilePath : null };
  }
  const builder = BUILT_IN_INVOCATIONS[agent.id];
  if (builder === undefined) throw new Error(`agent '${agent.id}' has no command and is not a known agent`);
  return { ...builder(role, prompt), promptFile: null };
};

/** The executable an agent needs (for the PATH check). */
export const agentExecutable = (agent: AgentConfig): string =>
  (agent.command ?? agentInvocation(agent, "implementation", "", "").argv)[0] ?? agent.id;
