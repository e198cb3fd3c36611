#!/usr/bin/env -S node --max-old-space-size=256
// The heap limit keeps a busy server's memory near what it holds rather than what the collector has not yet
// reclaimed (batches allocate fast; V8 otherwise grows the heap lazily). Batch bodies are processed at most two at
// a time, which bounds what one moment can need.
import { main } from "./cli.ts";

const readStdin = async (): Promise<string> => {
  if (process.stdin.isTTY) return "";
  const chunks: Array<Buffer> = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
};

const code = await main(
  process.argv.slice(2),
  { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s), readStdin, env: process.env },
  {
    onStop: (stop) => {
      let stopping = false;
      const onSignal = (): void => {
        if (stopping) return;
        stopping = true;
        // The whole shutdown has 5 s; whatever is still open then is cut.
        setTimeout(() => process.exit(1), 5000).unref();
        void stop();
      };
      process.on("SIGTERM", onSignal);
      process.on("SIGINT", onSignal);
    },
  },
);
process.exitCode = code;
