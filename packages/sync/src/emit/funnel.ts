import { ulid } from "ulid";
import { resolveIdentity, type ProjectIdentity } from "../identity/config.ts";
import { GitMetadataResolver, locateGit, type GitLocation } from "../identity/git.ts";
import { generateNodeId } from "../identity/derive.ts";
import { OutboxError } from "../outbox/errors.ts";
import { OutboxStore, spoolUncaptured } from "../outbox/store.ts";
import type { CaptureInput } from "../outbox/types.ts";
import { rescuePath, runtimeRoot } from "../paths.ts";
import { validateEnvelope, type EnvelopeVerdict } from "./validate.ts";

/** The envelope version every captured event carries. */
export const ENVELOPE_SCHEMA_VERSION = "3.0.0";

/** Setting this to `off` turns capture off for the process: nothing is recorded for sync (benchmarks, diagnosis). */
export const CAPTURE_ENV = "SPEC_KITTY_SYNC_CAPTURE";

/** One fact a command reports: what happened to which aggregate. The funnel adds everything else. */
export interface Fact {
  readonly eventType: string;
  readonly aggregateId: string;
  readonly aggregateType?: string;
  readonly payload: Readonly<Record<string, unknown>>;
  /** A stable id when the producer has one (a status log row's id): re-emitting the fact is then idempotent. */
  readonly eventId?: string;
  /** When it happened (ISO-8601 with offset); default now. The producer's time is kept. */
  readonly occurredAt?: string;
  /** The id of the event that caused this one, and only that. */
  readonly causationId?: string | null;
}

/** What became of one fact. `emit` never throws; every outcome but `lost` is durable. */
export type EmitOutcome =
  /** In the outbox, deliverable. */
  | "captured"
  /** In the outbox, waiting for a project identity (`drain_blocked_reason: missing_identity`). */
  | "blocked"
  /** In the outbox, never delivered: the envelope broke its contract (violations kept). */
  | "parked"
  /** The outbox was unusable; the event is in the rescue spool and enters the outbox on the next open. */
  | "spooled"
  /** Neither the outbox nor the spool could take it (said on stderr with its id). */
  | "lost"
  /** Capture is turned off (`SPEC_KITTY_SYNC_CAPTURE=off`). */
  | "disabled";

export interface EmitResult {
  readonly outcome: EmitOutcome;
  readonly eventId: string;
  readonly lamport: number | null;
  readonly envelope: Readonly<Record<string, unknown>> | null;
}

export interface FunnelOptions {
  /** The directory the command runs in (finds the repository). */
  readonly cwd: string;
  /** The repository the command works on, when it knows (e.g. `--repo`); default: found from `cwd`. */
  readonly repoDir?: string;
  /** The runtime root (default `runtimeRoot()`). */
  readonly root?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Shared by everything this invocation emits (default: a new ULID). */
  readonly correlationId?: string;
  /** Where diagnostics go, one line each (default stderr). Each kind is said at most once per funnel. */
  readonly diagnostics?: (line: string) => void;
  readonly now?: () => Date;
  readonly busyTimeoutMs?: number;
  /**
   * `inline` (default): validate with @spec-kitty/events before capture. `deferred`: capture first, unvalidated
   * (not selectable for delivery), and let `releaseCaptured` judge it later — for commands whose budget cannot
   * pay for loading the contracts (Effect Schema) on every run.
   */
  readonly validation?: "inline" | "deferred";
}

const pad = (n: number, w = 2): string => String(n).padStart(w, "0");

/** An ISO-8601 UTC time as Python's `datetime.isoformat()` writes it: microseconds and `+00:00`. */
export const pythonIsoUtc = (d: Date): string =>
  `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}000+00:00`;

const PLACEHOLDER_UUID = "00000000-0000-4000-8000-000000000000";

/** An envelope still without project identity is judged with stand-ins for the fields identity fills later. */
export const withPlaceholderIdentity = (envelope: Readonly<Record<string, unknown>>): Record<string, unknown> => ({
  ...envelope,
  project_uuid: envelope["project_uuid"] ?? PLACEHOLDER_UUID,
  build_id: envelope["build_id"] ?? "pending-identity",
});

/**
 * The one emission funnel: every event a command reports goes through `emit`, which builds the canonical 3.0.0
 * envelope, validates it and captures it in the outbox before any gate (auth, consent, identity, network).
 * It never throws, never touches the network and never writes to stdout.
 */
export class EmissionFunnel {
  readonly correlationId: string;
  readonly #o: FunnelOptions;
  readonly #root: string;
  readonly #env: NodeJS.ProcessEnv;
  readonly #said = new Set<string>();
  readonly #pending = new Set<Promise<unknown>>();
  readonly #disabled: boolean;
  #store: OutboxStore | null = null;
  #storeError: OutboxError | null = null;
  #context: { loc: GitLocation | null; identity: ProjectIdentity | null; git: GitMetadataResolver } | null = null;
  #adopted = false;
  readonly results: EmitResult[] = [];

  constructor(options: FunnelOptions) {
    this.#o = options;
    this.#env = options.env ?? process.env;
    this.#root = options.root ?? runtimeRoot(this.#env);
    this.correlationId = options.correlationId ?? ulid();
    this.#disabled = (this.#env[CAPTURE_ENV] ?? "").toLowerCase() === "off";
  }

  /** Says `line` on the diagnostics stream unless this kind was already said. */
  warnOnce(kind: string, line: string): void {
    if (this.#said.has(kind)) return;
    this.#said.add(kind);
    try {
      (this.#o.diagnostics ?? ((l: string) => process.stderr.write(`${l}\n`)))(line);
    } catch {
      // a broken stderr must not fail the command
    }
  }

  #contextNow() {
    if (this.#context === null) {
      const loc = locateGit(this.#o.repoDir ?? this.#o.cwd);
      const identity = loc === null ? null : resolveIdentity(loc.mainRoot, this.#env);
      this.#context = { loc, identity, git: new GitMetadataResolver(loc, identity?.repoSlug ?? null) };
      if (identity !== null) {
        if (identity.state === "malformed") {
          const p = identity.problems[0];
          this.warnOnce("identity", `warning: sync: ${p?.message ?? identity.configPath}; events are kept locally (blocked: missing_identity) until it is fixed and 'spec-kitty init' runs`);
        } else if (identity.state === "missing") {
          // A repository that never ran `spec-kitty init` is the ordinary case, not a fault: its events are kept
          // (blocked: missing_identity) without a word on every command; `sync status` and `init` say it.
        } else if (identity.problems.length > 0) {
          this.warnOnce("identity", `warning: sync: ${identity.problems[0]!.message}`);
        }
      }
    }
    return this.#context;
  }

  #open(): OutboxStore | null {
    if (this.#store !== null) return this.#store;
    if (this.#storeError !== null) return null;
    try {
      this.#store = OutboxStore.open(this.#root, this.#o.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: this.#o.busyTimeoutMs });
      return this.#store;
    } catch (e) {
      this.#storeError = e instanceof OutboxError ? e : new OutboxError("OUTBOX_UNAVAILABLE", this.#root, String(e));
      return null;
    }
  }

  /** Builds, validates and captures one fact. Resolves when the event is durable (or said to be lost); never rejects. */
  emit(fact: Fact): Promise<EmitResult> {
    const p = this.#emit(fact).catch((e: unknown): EmitResult => {
      this.warnOnce("internal", `warning: sync: event ${fact.eventType} could not be recorded: ${e instanceof Error ? e.message : String(e)}`);
      return { outcome: "lost", eventId: fact.eventId ?? "", lamport: null, envelope: null };
    });
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p));
    return p;
  }

  /** Waits for every emit started so far (no network is involved: capture only). */
  async settle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  close(): void {
    this.#store?.close();
    this.#store = null;
  }

  async #emit(fact: Fact): Promise<EmitResult> {
    const eventId = fact.eventId ?? ulid();
    if (this.#disabled) return this.#done({ outcome: "disabled", eventId, lamport: null, envelope: null });
    const ctx = this.#contextNow();
    const id = ctx.identity;
    const deliverable = id !== null && id.projectUuid !== null && id.state !== "malformed";
    const git = ctx.git.resolve();
    const envelope: Record<string, unknown> = {
      event_id: eventId,
      event_type: fact.eventType,
      aggregate_id: fact.aggregateId,
      ...(fact.aggregateType === undefined ? {} : { aggregate_type: fact.aggregateType }),
      payload: fact.payload,
      timestamp: fact.occurredAt ?? pythonIsoUtc((this.#o.now ?? (() => new Date()))()),
      build_id: deliverable ? id.buildId : null,
      node_id: id?.nodeId ?? generateNodeId(this.#env),
      lamport_clock: 0,
      causation_id: fact.causationId ?? null,
      correlation_id: this.correlationId,
      schema_version: ENVELOPE_SCHEMA_VERSION,
      data_tier: 0,
      team_slug: null,
      project_uuid: deliverable ? id.projectUuid : null,
      project_slug: id?.projectSlug ?? null,
      git_branch: git.git_branch,
      head_commit_sha: git.head_commit_sha,
      repo_slug: git.repo_slug,
    };
    const deferred = this.#o.validation === "deferred";
    const verdict: EnvelopeVerdict = deferred
      ? { valid: true, violations: [] }
      : await validateEnvelope(deliverable ? envelope : withPlaceholderIdentity(envelope));
    const input: CaptureInput = {
      eventId,
      eventType: fact.eventType,
      projectUuid: deliverable ? id.projectUuid : null,
      repoRoot: ctx.loc?.mainRoot ?? null,
      envelope,
      blockedReason: deliverable ? null : "missing_identity",
      parkedReason: verdict.valid ? null : "invalid_envelope",
      violations: verdict.valid ? null : verdict.violations,
      unvalidated: deferred,
    };
    if (!verdict.valid) {
      const first = verdict.violations[0];
      this.warnOnce(
        "invalid",
        `warning: sync: event ${fact.eventType} ${eventId} breaks its contract and was parked, not sent (${first === undefined ? "invalid" : `${first.path.join(".") || "(envelope)"}: ${first.message}`}); see 'spec-kitty sync status'`,
      );
    }
    const store = this.#open();
    if (store === null) return this.#spool(input);
    try {
      if (deliverable && !this.#adopted && ctx.loc !== null) {
        this.#adopted = true;
        store.adoptUnidentified(ctx.loc.mainRoot, { projectUuid: id.projectUuid!, projectSlug: id.projectSlug, buildId: id.buildId! });
      }
      const receipt = store.capture(input);
      const outcome: EmitOutcome = !verdict.valid ? "parked" : deliverable ? "captured" : "blocked";
      return this.#done({ outcome, eventId, lamport: receipt.lamport, envelope: { ...envelope, lamport_clock: receipt.lamport } });
    } catch (e) {
      this.#storeError = e instanceof OutboxError ? e : new OutboxError("OUTBOX_UNAVAILABLE", this.#root, String(e));
      return this.#spool(input);
    }
  }

  #spool(input: CaptureInput): EmitResult {
    const why = this.#storeError?.message ?? "the outbox is unusable";
    if (spoolUncaptured(this.#root, input)) {
      this.warnOnce(
        "outbox",
        `warning: sync: ${why}. Event ${input.eventType} ${input.eventId} was not captured in the outbox; it is kept in ${rescuePath(this.#root)} and captured on the next successful open`,
      );
      return this.#done({ outcome: "spooled", eventId: input.eventId, lamport: null, envelope: input.envelope });
    }
    // Not once-per-kind: every lost event is named, since nothing else records it.
    try {
      (this.#o.diagnostics ?? ((l: string) => process.stderr.write(`${l}\n`)))(
        `error: sync: ${why}; event ${input.eventType} ${input.eventId} was NOT captured anywhere (the rescue spool ${rescuePath(this.#root)} is not writable either): ${JSON.stringify(input.envelope)}`,
      );
    } catch {
      // nothing more can be done
    }
    return this.#done({ outcome: "lost", eventId: input.eventId, lamport: null, envelope: input.envelope });
  }

  #done(r: EmitResult): EmitResult {
    this.results.push(r);
    return r;
  }
}
