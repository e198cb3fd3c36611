/** JSON-line logs on stderr. Never log event payloads, tokens or passwords: only ids, sizes and outcomes. */
export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  log(level: LogLevel, msg: string, fields?: Readonly<Record<string, unknown>>): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export const jsonLogger = (options: { level?: LogLevel; write?: (line: string) => void } = {}): Logger => {
  const min = ORDER[options.level ?? "info"];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  return {
    log(level, msg, fields) {
      if (ORDER[level] < min) return;
      write(`${JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields })}\n`);
    },
  };
};

export const silentLogger: Logger = { log: () => undefined };
