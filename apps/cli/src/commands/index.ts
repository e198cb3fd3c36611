/**
 * Every top-level command of the CLI, loaded on demand: a run imports only the module of the command it was asked
 * for (each is a separate chunk of the bundle), so `spec-kitty events reduce` never pays for the status or runtime
 * packages. Each capability adds its loader here.
 */
const LOADERS = {
  doctor: async () => (await import("./doctor.ts")).doctorCommand,
  events: async () => (await import("./events.ts")).eventsCommand,
  status: async () => (await import("./status.ts")).statusCommand,
  agent: async () => (await import("./agent.ts")).agentCommand,
  next: async () => (await import("./next.ts")).nextCommand,
  runs: async () => (await import("./runs.ts")).runsCommand,
  init: async () => (await import("./init.ts")).initCommand,
  auth: async () => (await import("./auth.ts")).authCommand,
  sync: async () => (await import("./sync.ts")).syncCommand,
  implement: async () => (await import("./implement.ts")).implementCommand,
  merge: async () => (await import("./merge.ts")).mergeCommand,
  accept: async () => (await import("./accept-command.ts")).acceptCommand,
  orchestrate: async () => (await import("./orchestrate.ts")).orchestrateCommand,
} as const;

type TopLevelCommand = Awaited<ReturnType<(typeof LOADERS)[keyof typeof LOADERS]>>;

export const COMMAND_NAMES = Object.keys(LOADERS) as ReadonlyArray<keyof typeof LOADERS>;

const isCommandName = (word: string): word is keyof typeof LOADERS => Object.hasOwn(LOADERS, word);

/**
 * The commands needed to parse `argv`: the one its first word names, or all of them when that word is not a command
 * (help, version, a typo: the parser then lists and suggests every command).
 */
export const loadCommands = async (argv: ReadonlyArray<string>): Promise<readonly [TopLevelCommand, ...Array<TopLevelCommand>]> => {
  const first = argv[0];
  if (first !== undefined && isCommandName(first)) return [await LOADERS[first]()];
  // `--version` needs the parser but no command; the lightest one stands in.
  if (argv.length === 1 && first === "--version") return [await LOADERS.doctor()];
  const [head, ...rest] = await Promise.all(COMMAND_NAMES.map((name) => LOADERS[name]()));
  if (head === undefined) throw new Error("the CLI has no commands");
  return [head, ...rest];
};
