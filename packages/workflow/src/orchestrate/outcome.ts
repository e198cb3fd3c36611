/**
 * Reading what an agent did: why an invocation failed (the reference's `monitor.classify_failure` classes), and a
 * review's verdict from the structured line the review prompt asks for — `VERDICT: approved` or
 * `VERDICT: rejected - <reason>`, optionally followed by feedback lines — never from words anywhere in the output.
 */
export type FailureClass = "timeout" | "auth" | "rate_limit" | "network" | "general";

export interface InvocationFacts {
  readonly agentId: string;
  readonly exitCode: number | null;
  readonly timedOut: boolean;
  readonly stderr: string;
  readonly stdout: string;
  readonly spawnError: string | null;
}

/** Auth failures are not retried (a retry cannot fix a missing key); every other class is. */
export const isRetryable = (c: FailureClass): boolean => c !== "auth";

export const classifyFailure = (f: InvocationFacts): FailureClass => {
  if (f.timedOut || f.exitCode === 124) return "timeout";
  if (f.agentId === "gemini" && f.exitCode === 41) return "auth";
  if (f.agentId === "gemini" && f.exitCode === 42) return "rate_limit";
  const text = `${f.stderr}\n${f.stdout.slice(-4000)}`.toLowerCase();
  if (/api[ _-]?key|unauthori[sz]ed|\b401\b|authentication (failed|required)|not logged in|invalid credentials/.test(text)) return "auth";
  if (/rate[ _-]?limit|\b429\b|too many requests|quota exceeded/.test(text)) return "rate_limit";
  if (/network|connection (refused|reset|error)|econnrefused|econnreset|enotfound|etimedout|timed out while connecting|dns/.test(text)) return "network";
  return "general";
};

export type Verdict =
  | { readonly kind: "approved"; readonly reason: string }
  | { readonly kind: "rejected"; readonly reason: string; readonly feedback: string }
  | { readonly kind: "missing"; readonly message: string };

const VERDICT_LINE = /^[\s>*`#-]*VERDICT\s*:\s*\**\s*(approved|rejected)\b\**\s*(?:[-–—:]\s*)?(.*)$/i;

/** Every text the output holds: the raw lines and, for JSON-speaking agents, the strings inside their JSON. */
const texts = (output: string): string[] => {
  const found: string[] = [output];
  const collect = (value: unknown): void => {
    if (typeof value === "string") {
      if (value.includes("\n") || /VERDICT/i.test(value)) found.push(value);
    } else if (Array.isArray(value)) value.forEach(collect);
    else if (typeof value === "object" && value !== null) Object.values(value).forEach(collect);
  };
  const tryJson = (s: string): void => {
    const t = s.trim();
    if (!(t.startsWith("{") || t.startsWith("["))) return;
    try {
      collect(JSON.parse(t));
    } catch {
      // not JSON
    }
  };
  tryJson(output);
  for (const line of output.split("\n")) tryJson(line);
  return found;
};

/**
 * The verdict of a review's stdout. The last VERDICT line decides (an agent may quote the instructions first);
 * the lines after it are the feedback. No VERDICT line → `missing` (the review failed, it is not an approval).
 */
export const parseVerdict = (stdout: string): Verdict => {
  let last: { kind: "approved" | "rejected"; reason: string; after: string[] } | null = null;
  for (const text of texts(stdout)) {
    const lines = text.split(/\r?\n/);
    lines.forEach((line, i) => {
      const m = VERDICT_LINE.exec(line);
      if (m === null) return;
      last = { kind: (m[1] ?? "").toLowerCase() as "approved" | "rejected", reason: (m[2] ?? "").trim(), after: lines.slice(i + 1) };
    });
  }
  const found = last as { kind: "approved" | "rejected"; reason: string; after: string[] } | null;
  if (found === null) return { kind: "missing", message: "the review output has no 'VERDICT: approved' or 'VERDICT: rejected' line" };
  if (found.kind === "approved") return { kind: "approved", reason: found.reason };
  const tail = found.after.join("\n").replace(/^\s*FEEDBACK\s*:\s*/i, "").trim();
  const feedback = [found.reason, tail].filter((s) => s !== "").join("\n\n").slice(0, 8000);
  return { kind: "rejected", reason: found.reason === "" ? "changes requested" : found.reason, feedback: feedback === "" ? "changes requested (no details given)" : feedback };
};
