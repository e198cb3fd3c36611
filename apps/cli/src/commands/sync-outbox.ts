import * as Args from "@effect/cli/Args";
import * as Command from "@effect/cli/Command";
import * as Options from "@effect/cli/Options";
import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import {
  importLegacyQueue,
  LegacyQueueError,
  legacyQueuePath,
  locateGit,
  OutboxError,
  OutboxStore,
  type OutboxStats,
  releaseCaptured,
  rescuePath,
  resolveIdentity,
  runtimeRoot,
  UNDELIVERED_WARNING_THRESHOLD,
} from "@spec-kitty/sync";
import { DomainFailure, InputFailure, UsageFailure } from "../failure.ts";
import { CliIO, printDiagnostic, printJson, printLine } from "../io.ts";

const json = Options.boolean("json").pipe(Options.withDescription("print one JSON object instead of text"));

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** Opens the outbox or fails with exit 1 naming the file (printing the error object with --json). */
const openStore = (asJson: boolean) =>
  Effect.try({ try: () => OutboxStore.open(runtimeRoot()), catch: (e) => e as OutboxError }).pipe(
    Effect.catchAll((e) =>
      Effect.zipRight(
        asJson ? printJson({ error: { code: e.code ?? "OUTBOX_UNAVAILABLE", message: e.message } }) : Effect.void,
        Effect.fail(new DomainFailure({ message: e.message, hint: "the events already captured are in that file; nothing was changed" })),
      ),
    ),
  );

// ------------------------------------------------------------------------------------------ sync status

/** What every section of `sync status` is given: the outbox as delivery sees it, or why it cannot be read. */
export interface SyncStatusContext {
  readonly runtimeRoot: string;
  readonly cwd: string;
  readonly outbox: OutboxStats | null;
  readonly outboxError: OutboxError | null;
}

/** One part of `sync status`: its key in the JSON document, its text lines, and warnings for stderr. */
export interface SyncStatusPart {
  readonly json: unknown;
  readonly lines: ReadonlyArray<string>;
  readonly warnings?: ReadonlyArray<string>;
  /** False when this part makes the status unhealthy (exit 1). */
  readonly healthy?: boolean;
}

export interface SyncStatusSection {
  readonly key: string;
  readonly collect: (ctx: SyncStatusContext) => Promise<SyncStatusPart>;
}

const countSpooled = (root: string): number => {
  try {
    return readFileSync(rescuePath(root), "utf8").split("\n").filter((l) => l.trim() !== "").length;
  } catch {
    return 0;
  }
};

/** The outbox section: events by state per project and target, blocked and parked events, attempts. */
const outboxSection: SyncStatusSection = {
  key: "outbox",
  collect: async (ctx) => {
    const spooled = countSpooled(ctx.runtimeRoot);
    const loc = locateGit(ctx.cwd);
    const here = loc === null ? null : resolveIdentity(loc.mainRoot);
    const current = here === null ? null : { config_path: here.configPath, state: here.state, project_uuid: here.projectUuid, project_slug: here.projectSlug, problems: here.problems.map((p) => p.message) };
    if (ctx.outbox === null) {
      const e = ctx.outboxError;
      return {
        healthy: false,
        json: { path: e?.path ?? null, error: { code: e?.code ?? "OUTBOX_UNAVAILABLE", message: e?.message ?? "unavailable" }, spooled, current_project: current },
        lines: [`outbox       UNUSABLE: ${e?.message ?? "unavailable"}`, ...(spooled > 0 ? [`spooled      ${spooled} event(s) waiting in ${rescuePath(ctx.runtimeRoot)}`] : [])],
      };
    }
    const s = ctx.outbox;
    const warnings: string[] = [];
    if (s.undelivered > UNDELIVERED_WARNING_THRESHOLD) {
      warnings.push(`warning: sync: ${s.undelivered} events wait to leave this machine (more than ${UNDELIVERED_WARNING_THRESHOLD}); none is dropped — check 'spec-kitty sync status' targets and authentication`);
    }
    if (here !== null && (here.state === "missing" || here.state === "malformed")) {
      warnings.push(`warning: sync: this repository has no usable project identity (${here.problems[0]?.message ?? here.configPath}); run 'spec-kitty init'`);
    }
    const projects = s.projects.map((p) => ({
      project_uuid: p.projectUuid,
      project_slug: p.projectSlug,
      repo_root: p.repoRoot,
      captured: p.captured,
      undelivered: p.undelivered,
      blocked: p.blocked,
      parked: p.parked,
      unvalidated: p.unvalidated,
      oldest_undelivered_at: iso(p.oldestUndeliveredAt),
      last_captured_at: iso(p.lastCapturedAt),
      targets: p.targets.map((t) => ({
        target: t.target,
        pending: t.pending,
        retry: t.retry,
        delivered: t.delivered,
        duplicate: t.duplicate,
        parked: t.parked,
        last_attempt_at: iso(t.lastAttemptAt),
        last_success_at: iso(t.lastSuccessAt),
        last_error: t.lastError,
        last_error_at: iso(t.lastErrorAt),
      })),
    }));
    const parked = s.parkedEvents.map((p) => ({ event_id: p.eventId, event_type: p.eventType, project_uuid: p.projectUuid, target: p.target, reason: p.reason, violations: p.violations, at: iso(p.at) }));
    const lines: string[] = [
      `outbox       ${s.path}`,
      `events       ${s.totalEvents} captured, ${s.undelivered} undelivered (lamport ${s.lamport})`,
    ];
    if (spooled > 0) lines.push(`spooled      ${spooled} event(s) not yet in the outbox, in ${rescuePath(ctx.runtimeRoot)}`);
    if (current !== null) lines.push(`this repo    ${current.project_slug} ${current.project_uuid ?? "(no identity: run 'spec-kitty init')"} [${current.state}]`);
    for (const p of projects) {
      const name = p.project_uuid === null ? `(no identity) ${p.repo_root ?? "(outside any repository)"}` : `${p.project_slug ?? ""} ${p.project_uuid}`;
      const extras = [
        ...Object.entries(p.blocked).map(([k, v]) => `blocked ${k} ${v}`),
        ...Object.entries(p.parked).map(([k, v]) => `parked ${k} ${v}`),
      ];
      lines.push(`project      ${name}: ${p.captured} captured, ${p.undelivered} undelivered${extras.length > 0 ? `, ${extras.join(", ")}` : ""}`);
      for (const t of p.targets) {
        lines.push(
          `  target     ${t.target}: pending ${t.pending}, retry ${t.retry}, delivered ${t.delivered}, duplicate ${t.duplicate}, parked ${t.parked}; last attempt ${t.last_attempt_at ?? "never"}, last success ${t.last_success_at ?? "never"}${t.last_error === null ? "" : `, last error ${t.last_error}`}`,
        );
      }
    }
    for (const p of parked) {
      const why = p.violations === null ? p.reason : `${p.reason}: ${JSON.stringify(p.violations).slice(0, 200)}`;
      lines.push(`parked       ${p.event_id} ${p.event_type}${p.target === null ? "" : ` for ${p.target}`}: ${why}`);
    }
    return {
      healthy: true,
      warnings,
      json: { path: s.path, lamport: s.lamport, total_events: s.totalEvents, undelivered: s.undelivered, spooled, warning_threshold: UNDELIVERED_WARNING_THRESHOLD, current_project: current, projects, parked_events: parked },
      lines,
    };
  },
};

/**
 * The sections of `sync status`, in order. Each adds one key to the JSON document and lines to the text;
 * delivery adds its own (connection, authentication, server) by appending here.
 */
export const SYNC_STATUS_SECTIONS: SyncStatusSection[] = [outboxSection];

export const syncStatusCommand = Command.make("status", { json }, (o) =>
  Effect.gen(function* () {
    const io = yield* CliIO;
    const root = runtimeRoot();
    const diagnostics: string[] = [];
    const read = yield* Effect.promise(async (): Promise<{ outbox: OutboxStats | null; error: OutboxError | null }> => {
      try {
        const store = OutboxStore.open(root);
        try {
          // Judge what was captured with deferred validation, so parked events show here with their reasons.
          await releaseCaptured(store, { diagnostics: (l) => diagnostics.push(l) });
          return { outbox: store.stats(), error: null };
        } finally {
          store.close();
        }
      } catch (e) {
        return { outbox: null, error: e instanceof OutboxError ? e : new OutboxError("OUTBOX_UNAVAILABLE", root, String(e)) };
      }
    });
    const outbox = read.outbox;
    const outboxError = read.error;
    for (const d of diagnostics) yield* printDiagnostic(d);
    const ctx: SyncStatusContext = { runtimeRoot: root, cwd: io.cwd, outbox, outboxError };
    const doc: Record<string, unknown> = { runtime_root: root };
    const lines: string[] = [];
    let healthy = true;
    for (const section of SYNC_STATUS_SECTIONS) {
      const part = yield* Effect.promise(() => section.collect(ctx));
      doc[section.key] = part.json;
      lines.push(...part.lines);
      for (const w of part.warnings ?? []) yield* printDiagnostic(w);
      if (part.healthy === false) healthy = false;
    }
    if (o.json) yield* printJson(doc);
    else for (const l of lines) yield* printLine(l);
    if (!healthy) return yield* new DomainFailure({ message: outboxError?.message ?? "sync is not healthy", hint: "captured events are never deleted by this; see the lines above" });
  }),
).pipe(Command.withDescription("Events captured on this machine by project and delivery target, blocked and parked events (exit 1 when the outbox is unusable)."));

// ------------------------------------------------------------------------------------------ sync gc

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** `30d`, `12h`, `90m`, `45s`, `2w` (a bare number is seconds) to milliseconds; undefined when malformed. */
export const parseDuration = (text: string): number | undefined => {
  const m = /^(\d+)\s*([smhdw]?)$/.exec(text.trim());
  if (m === null) return undefined;
  return Number(m[1]) * (UNITS[m[2] || "s"] ?? 1_000);
};

const olderThan = Options.text("older-than").pipe(Options.withDescription("remove events delivered longer ago than this: 30d, 12h, 90m, 45s, 2w"));

export const syncGcCommand = Command.make("gc", { olderThan, json }, (o) =>
  Effect.gen(function* () {
    const ms = parseDuration(o.olderThan);
    if (ms === undefined) {
      return yield* new UsageFailure({ message: `--older-than: '${o.olderThan}' is not a duration`, hint: "use a number with a unit: 30d, 12h, 90m, 45s, 2w" });
    }
    const store = yield* openStore(o.json);
    const r = yield* Effect.try({ try: () => store.gc(ms), catch: (e) => new DomainFailure({ message: e instanceof Error ? e.message : String(e) }) }).pipe(
      Effect.ensuring(Effect.sync(() => store.close())),
    );
    if (o.json) return yield* printJson({ removed: r.removed, cutoff: iso(r.cutoff) });
    yield* printLine(`removed ${r.removed} delivered event(s) settled before ${iso(r.cutoff)}`);
  }),
).pipe(Command.withDescription("Remove events already delivered (or known duplicate) longer ago than --older-than; nothing undelivered is touched."));

// ------------------------------------------------------------------------------------------ sync import-legacy-queue

const queuePath = Args.text({ name: "PATH" }).pipe(Args.optional, Args.withDescription("the Python CLI's queue database (default: queue.db under the runtime root)"));

export const syncImportLegacyQueueCommand = Command.make("import-legacy-queue", { path: queuePath, json }, (o) =>
  Effect.gen(function* () {
    const io = yield* CliIO;
    const path = Option.match(o.path, { onNone: () => legacyQueuePath(runtimeRoot()), onSome: (p) => resolve(io.cwd, p) });
    if (!existsSync(path)) {
      if (o.json) yield* printJson({ error: { code: "LEGACY_QUEUE_MISSING", message: `${path}: no such queue database` } });
      return yield* new InputFailure({ message: `${path}: no such queue database`, hint: "pass the path of the Python CLI's queue.db" });
    }
    const store = yield* openStore(o.json);
    const report = yield* Effect.tryPromise({
      try: () => importLegacyQueue(store, path),
      catch: (e) => (e instanceof LegacyQueueError ? new InputFailure({ message: e.message }) : new DomainFailure({ message: e instanceof Error ? e.message : String(e) })),
    }).pipe(
      Effect.tapError((f) => (o.json ? printJson({ error: { code: f._tag === "InputFailure" ? "LEGACY_QUEUE_UNREADABLE" : "OUTBOX_UNAVAILABLE", message: f.message } }) : Effect.void)),
      Effect.ensuring(Effect.sync(() => store.close())),
    );
    for (const u of report.unreadable) yield* printDiagnostic(`warning: ${path}: row ${u.rowId}${u.eventId === null ? "" : ` (${u.eventId})`} not imported: ${u.reason}; it stays in the source`);
    if (o.json) return yield* printJson(report);
    yield* printLine(
      `${path}: ${report.rows} row(s): ${report.imported} imported (${report.blocked} blocked without project, ${report.parked} parked as invalid), ${report.duplicates} already present, ${report.unreadable.length} unreadable`,
    );
  }),
).pipe(Command.withDescription("Import the Python CLI's offline queue (queue.db) into the outbox, deduplicated by event id; the source is not changed."));
