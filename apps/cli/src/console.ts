import * as EffectConsole from "effect/Console";
import * as Effect from "effect/Effect";
import { Console as NodeConsole } from "node:console";
import { Writable } from "node:stream";

// Matches ANSI SGR escape sequences, which @effect/cli puts into help pages and error documents.
const ANSI = /\u001b\[[0-9;]*m/g;

const sink = (write: (text: string) => void, stripAnsi: boolean) =>
  new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      const text = chunk.toString();
      write(stripAnsi ? text.replace(ANSI, "") : text);
      callback();
    },
  });

// Rendered help documents end with a newline of their own; console.log would add a blank line after them.
const trimDoc = (args: ReadonlyArray<unknown>): ReadonlyArray<unknown> =>
  args.length === 1 && typeof args[0] === "string" ? [args[0].replace(/\n+$/, "")] : args;

/**
 * An Effect Console over two writers: log/info/table to `stdout`, error/warn/debug/trace to `stderr`.
 * @effect/cli prints help on log and validation errors on error, so this keeps data and diagnostics apart,
 * and strips colour when the output is not a terminal.
 */
export const makeConsole = (
  stdout: (text: string) => void,
  stderr: (text: string) => void,
  colour: boolean,
): EffectConsole.Console => {
  const unsafe = new NodeConsole({ stdout: sink(stdout, !colour), stderr: sink(stderr, !colour), colorMode: colour });
  const lift =
    <Args extends ReadonlyArray<unknown>>(f: (...args: Args) => void) =>
    (...args: Args) =>
      Effect.sync(() => f(...args));
  return {
    [EffectConsole.TypeId]: EffectConsole.TypeId,
    assert: lift((condition: boolean, ...args: ReadonlyArray<unknown>) => unsafe.assert(condition, ...(args as Array<string>))),
    clear: Effect.sync(() => unsafe.clear()),
    count: lift((label?: string) => unsafe.count(label)),
    countReset: lift((label?: string) => unsafe.countReset(label)),
    debug: lift((...args: ReadonlyArray<unknown>) => unsafe.debug(...args)),
    dir: lift((item: unknown, options?: object) => unsafe.dir(item, options)),
    dirxml: lift((...args: ReadonlyArray<unknown>) => unsafe.dirxml(...args)),
    error: lift((...args: ReadonlyArray<unknown>) => unsafe.error(...trimDoc(args))),
    group: lift((options?: { readonly label?: string | undefined; readonly collapsed?: boolean | undefined }) =>
      options?.collapsed === true ? unsafe.groupCollapsed(options.label) : unsafe.group(options?.label),
    ),
    groupEnd: Effect.sync(() => unsafe.groupEnd()),
    info: lift((...args: ReadonlyArray<unknown>) => unsafe.info(...args)),
    log: lift((...args: ReadonlyArray<unknown>) => unsafe.log(...trimDoc(args))),
    table: lift((data: unknown, properties?: ReadonlyArray<string>) =>
      unsafe.table(data, properties === undefined ? undefined : [...properties]),
    ),
    time: lift((label?: string) => unsafe.time(label)),
    timeEnd: lift((label?: string) => unsafe.timeEnd(label)),
    timeLog: lift((label?: string, ...args: ReadonlyArray<unknown>) => unsafe.timeLog(label, ...args)),
    trace: lift((...args: ReadonlyArray<unknown>) => unsafe.trace(...args)),
    warn: lift((...args: ReadonlyArray<unknown>) => unsafe.warn(...args)),
    unsafe,
  };
};
