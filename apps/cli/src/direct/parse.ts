import * as Option from "effect/Option";

/**
 * A deliberately narrow command-line parser for the hot commands (ADR-0011). It accepts only the plainest form of
 * an invocation: `--name VALUE` and bare `--flag`, each option at most once, positionals that do not start with
 * `-`. Everything else (help, `--name=VALUE`, a flag followed by a boolean word, `--`, an unknown option, a value
 * outside its choices, a missing required part) is declined, and the invocation goes to the full @effect/cli
 * parser, which either reads it the same way or reports the error. A property test checks that every accepted
 * invocation yields exactly the configuration @effect/cli yields for it.
 */

export type OptionSpec =
  | { readonly kind: "flag" }
  /** A repeatable option (`Options.repeated`): the direct path handles only its absence (an empty list). */
  | { readonly kind: "absentList" }
  | { readonly kind: "text"; readonly required?: boolean; readonly default?: string; readonly choices?: ReadonlyArray<string> };

export interface PositionalSpec {
  readonly name: string;
  readonly choices?: ReadonlyArray<string>;
  /** Collects one or more values into an array (`Args.atLeast(1)`); only the last positional may repeat. */
  readonly repeated?: boolean;
}

export interface CommandSpec {
  readonly positionals: ReadonlyArray<PositionalSpec>;
  /**
   * The command's subcommand names. @effect/cli takes such a word for the subcommand wherever it stands, even as
   * an option's value, so an invocation containing one is declined.
   */
  readonly subcommands?: ReadonlyArray<string>;
  /** Keyed by the configuration field; `flag` names the option on the command line (`--flag`). */
  readonly options: Readonly<Record<string, OptionSpec & { readonly flag: string }>>;
}

/** The words @effect/cli reads as the value of a boolean option when they follow it. */
const BOOLEAN_WORDS = new Set(["true", "false", "yes", "no", "y", "n", "on", "off", "1", "0"]);

/**
 * Parses `tokens` (the words after the command path) into the configuration object @effect/cli would build:
 * positionals by name, flags as booleans, optional options as `Option`, defaults applied. Undefined when the
 * invocation is not in the plain form this parser handles.
 */
export const parsePlain = (spec: CommandSpec, tokens: ReadonlyArray<string>): Record<string, unknown> | undefined => {
  if (spec.subcommands?.some((name) => tokens.includes(name)) === true) return undefined;
  const byFlag = new Map(Object.entries(spec.options).map(([field, option]) => [`--${option.flag}`, { field, option }]));
  const values = new Map<string, string | true>();
  const positionals: Array<string> = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    if (!token.startsWith("-")) {
      positionals.push(token);
      continue;
    }
    const entry = byFlag.get(token);
    if (entry === undefined || values.has(entry.field) || entry.option.kind === "absentList") return undefined;
    if (entry.option.kind === "flag") {
      const following = tokens[i + 1];
      if (following !== undefined && BOOLEAN_WORDS.has(following.toLowerCase())) return undefined;
      values.set(entry.field, true);
      continue;
    }
    const value = tokens[i + 1];
    if (value === undefined || value.startsWith("-")) return undefined;
    if (entry.option.choices !== undefined && !entry.option.choices.includes(value)) return undefined;
    values.set(entry.field, value);
    i += 1;
  }

  // @effect/cli may take a boolean word standing anywhere after a boolean flag as that flag's value (seen with a
  // repeated positional: `T1 --json --status done yes`); such lines go to the full parser.
  const anyFlag = Object.entries(spec.options).some(([field, option]) => option.kind === "flag" && values.has(field));
  if (anyFlag && positionals.some((p) => BOOLEAN_WORDS.has(p.toLowerCase()))) return undefined;

  const config: Record<string, unknown> = {};
  const last = spec.positionals.length - 1;
  for (const [index, positional] of spec.positionals.entries()) {
    if (positional.repeated === true && index === last) {
      const rest = positionals.splice(0);
      if (rest.length === 0 || !rest.every((value) => allowed(positional.choices, value))) return undefined;
      config[positional.name] = rest;
      continue;
    }
    const value = positionals.shift();
    if (value === undefined || !allowed(positional.choices, value)) return undefined;
    config[positional.name] = value;
  }
  if (positionals.length > 0) return undefined;

  for (const [field, option] of Object.entries(spec.options)) {
    const value = values.get(field);
    if (option.kind === "flag") {
      config[field] = value === true;
    } else if (option.kind === "absentList") {
      config[field] = [];
    } else if (typeof value === "string") {
      config[field] = option.required === true || option.default !== undefined ? value : Option.some(value);
    } else if (option.default !== undefined) {
      config[field] = option.default;
    } else if (option.required === true) {
      return undefined;
    } else {
      config[field] = Option.none();
    }
  }
  return config;
};

const allowed = (choices: ReadonlyArray<string> | undefined, value: string): boolean =>
  choices === undefined || choices.includes(value);
