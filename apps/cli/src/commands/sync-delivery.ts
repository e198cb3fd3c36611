/**
 * The delivery side of `spec-kitty sync`: enable, disable, now, agent, plus `deliveryStatusOf`, which `sync status`
 * shows (connection, login, server, consent). Every subcommand has --json.
 */
import * as Command from "@effect/cli/Command";
import * as Options from "@effect/cli/Options";
import {
  OutboxStore,
  Session,
  agentLockPath,
  deliverProject,
  readConsent,
  readCredentials,
  readDeliveryHealth,
  readProjectConfig,
  removeConsent,
  runAgent,
  runtimeRoot,
  stopMessage,
  targetKey,
  writeConsent,
  type DeliveryRun,
  type DrainProgress,
  type OutcomeKind,
} from "@spec-kitty/sync";
import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import { readFileSync, writeFileSync } from "node:fs";
import { DomainFailure, InputFailure, UsageFailure } from "../failure.ts";
import { CliIO, printDiagnostic, printJson, printLine } from "../io.ts";
import type { SyncStatusSection } from "./sync-outbox.ts";

const json = Options.boolean("json").pipe(Options.withDescription("print one JSON object instead of text"));

const projectOf = (cwd: string) =>
  Effect.gen(function* () {
    const config = readProjectConfig(cwd);
    if (config === null) return yield* Effect.fail(new UsageFailure({ message: `${cwd} is not inside a git repository`, hint: "run this in a spec-kitty project" }));
    if (config.projectUuid === null) {
      return yield* Effect.fail(
        new DomainFailure({ message: `${config.repoRoot} has no project identity (.kittify/config.yaml project.uuid)`, hint: "run 'spec-kitty init' first" }),
      );
    }
    return { repoRoot: config.repoRoot, projectUuid: config.projectUuid, autoStart: config.autoStart };
  });

const enable = Command.make(
  "enable",
  {
    json,
    server: Options.text("server").pipe(Options.optional, Options.withDescription("must match the login's server (default: the login's)")),
    team: Options.text("team").pipe(Options.optional, Options.withDescription("must match the login's team (default: the login's)")),
  },
  (o) =>
    Effect.gen(function* () {
      const io = yield* CliIO;
      const root = runtimeRoot();
      const project = yield* projectOf(io.cwd);
      const credentials = readCredentials(root);
      if (credentials === null) {
        return yield* Effect.fail(new DomainFailure({ message: "not logged in: enabling sync needs the server and team of a login", hint: "run 'spec-kitty auth login --server URL --device' first" }));
      }
      if (credentials.teamSlug === null) {
        return yield* Effect.fail(new DomainFailure({ message: "the login has no team", hint: "log in again with --team" }));
      }
      const server = Option.getOrUndefined(o.server)?.replace(/\/+$/, "");
      const team = Option.getOrUndefined(o.team);
      if ((server !== undefined && server !== credentials.serverUrl) || (team !== undefined && team !== credentials.teamSlug)) {
        return yield* Effect.fail(
          new DomainFailure({
            message: `the login is for team '${credentials.teamSlug}' at ${credentials.serverUrl}, not ${team ?? credentials.teamSlug} at ${server ?? credentials.serverUrl}`,
            hint: "log in to that server and team first",
          }),
        );
      }
      const consent = writeConsent(root, { projectUuid: project.projectUuid, serverUrl: credentials.serverUrl, teamSlug: credentials.teamSlug });
      if (o.json) return yield* printJson({ enabled: true, project_uuid: consent.projectUuid, server: consent.serverUrl, team: consent.teamSlug, auto_start: project.autoStart });
      yield* printLine(`sync enabled for ${project.repoRoot}: its events go to team ${consent.teamSlug} at ${consent.serverUrl}`);
      if (!project.autoStart) yield* printDiagnostic("note: sync.auto_start is false in .kittify/config.yaml: delivery happens only with 'spec-kitty sync now'");
    }),
).pipe(Command.withDescription("Consent to deliver this project's events to the logged-in server and team (recorded on this machine, not in the repository)."));

const disable = Command.make("disable", { json }, (o) =>
  Effect.gen(function* () {
    const io = yield* CliIO;
    const project = yield* projectOf(io.cwd);
    const had = removeConsent(runtimeRoot(), project.projectUuid);
    if (o.json) return yield* printJson({ enabled: false, was_enabled: had, project_uuid: project.projectUuid });
    yield* printLine(had ? `sync disabled for ${project.repoRoot}: its events stay on this machine` : "sync was not enabled for this project");
  }),
).pipe(Command.withDescription("Withdraw consent: this project's events are still captured but never sent."));

type Counts = Record<OutcomeKind, number>;

interface NowProject {
  readonly project_uuid: string;
  readonly sent: boolean;
  readonly reason: string | null;
  readonly stop: string | null;
  readonly counts: Counts;
  readonly remaining: number;
}

const progressBar = (enabled: boolean) => {
  const started = Date.now();
  let shown = false;
  return {
    update: (p: DrainProgress, total: number) => {
      if (!enabled || Date.now() - started < 1000) return;
      const done = p.counts.synced + p.counts.duplicate + p.counts.rejected + p.counts.parked + p.counts.pending;
      const width = 30;
      const filled = total === 0 ? width : Math.min(width, Math.round((done / total) * width));
      process.stderr.write(`\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} events`);
      shown = true;
    },
    end: () => {
      if (shown) process.stderr.write("\n");
    },
  };
};

const now = Command.make(
  "now",
  {
    json,
    report: Options.file("report").pipe(Options.optional, Options.withDescription("write a JSON report of the pass (failures with categories) to this file")),
  },
  (o) =>
    Effect.gen(function* () {
      const io = yield* CliIO;
      const root = runtimeRoot();
      const store = yield* Effect.try({
        try: () => OutboxStore.open(root),
        catch: (error) => new DomainFailure({ message: `cannot open the outbox: ${error instanceof Error ? error.message : String(error)}` }),
      });
      const results: Array<NowProject> = [];
      const failures: Array<{ event_id: string; error: string; category: string; kind: string }> = [];
      try {
        const here = readProjectConfig(io.cwd)?.projectUuid ?? null;
        const waiting = store.projectsWithUndelivered();
        const projects = [...new Set([...(here === null ? [] : [here]), ...waiting.filter((uuid) => readConsent(root, uuid) !== null)])];
        for (const projectUuid of projects) {
          const consent = readConsent(root, projectUuid);
          const total = consent === null ? 0 : store.project(projectUuid).counters(targetKey(consent.serverUrl, consent.teamSlug)).pending;
          const bar = progressBar(process.stderr.isTTY === true && !o.json);
          const run: DeliveryRun = yield* Effect.promise(() =>
            deliverProject({ root, store, projectUuid, mode: "now", onProgress: (p) => bar.update(p, total), diagnostics: (l) => process.stderr.write(`${l}\n`) }),
          );
          bar.end();
          if (!run.sent) {
            results.push({
              project_uuid: projectUuid,
              sent: false,
              reason: run.reason.message,
              stop: run.reason.code,
              counts: { synced: 0, duplicate: 0, pending: 0, rejected: 0, parked: 0 },
              remaining: run.remaining,
            });
            continue;
          }
          for (const f of run.result.failures) failures.push({ event_id: f.eventId, error: f.reason, category: f.category, kind: f.kind });
          results.push({
            project_uuid: projectUuid,
            sent: true,
            reason: run.result.stop.kind === "drained" ? null : stopMessage(run.result.stop),
            stop: run.result.stop.kind,
            counts: { ...run.result.counts },
            remaining: run.result.remaining,
          });
        }
      } finally {
        store.close();
      }
      const total: Counts = { synced: 0, duplicate: 0, pending: 0, rejected: 0, parked: 0 };
      for (const r of results) for (const k of Object.keys(total) as Array<OutcomeKind>) total[k] += r.counts[k];
      const remaining = results.reduce((n, r) => n + r.remaining, 0);
      const summary = {
        synced: total.synced,
        duplicates: total.duplicate,
        pending: total.pending,
        parked: total.parked,
        failed: total.rejected,
        remaining,
      };
      const categories: Record<string, number> = {};
      for (const f of failures) categories[f.category] = (categories[f.category] ?? 0) + 1;
      // A project whose events were not even attempted (not enabled) is not a failure of this pass; a login or
      // server problem in front of waiting events is.
      // Waiting events with no progress at all: a login or server problem, or events the server keeps refusing or
      // leaving pending (they wait for their retry time).
      const stuck = results
        .filter((r) => r.remaining > 0 && r.stop !== "not_enabled" && r.counts.synced + r.counts.duplicate === 0)
        .map((r) =>
          r.stop === "drained" && r.reason === null
            ? { ...r, reason: `${r.remaining} event(s) still waiting: refused or left pending by the server, retried later` }
            : r,
        );
      const incomplete = results.filter((r) => r.sent && r.stop !== "drained" && r.remaining > 0);
      const ok = failures.length === 0 && stuck.length === 0 && incomplete.length === 0;
      const report = { generated_at: new Date().toISOString(), ok, summary: { total_events: Object.values(total).reduce((a, b) => a + b, 0), ...summary, categories }, projects: results, failures };
      const reportPath = Option.getOrUndefined(o.report);
      if (reportPath !== undefined) {
        yield* Effect.try({
          try: () => writeFileSync(reportPath, `${JSON.stringify(report, null, 2)}\n`),
          catch: (error) => new InputFailure({ message: `cannot write the report ${reportPath}: ${error instanceof Error ? error.message : String(error)}` }),
        });
      }
      if (o.json) yield* printJson(report);
      else {
        if (results.length === 0) yield* printLine("nothing to sync: no enabled project has waiting events");
        yield* printLine(
          `Synced: ${summary.synced}  Duplicates: ${summary.duplicates}  Pending: ${summary.pending}  Parked: ${summary.parked}  Failed: ${summary.failed}  Remaining: ${summary.remaining}`,
        );
        for (const [category, n] of Object.entries(categories)) yield* printLine(`  ${category}: ${n}`);
        for (const r of results) if (r.reason !== null) yield* printDiagnostic(`${r.project_uuid}: ${r.reason}`);
      }
      if (!ok) {
        const reason = [...stuck, ...incomplete][0]?.reason ?? `${failures.length} event(s) refused by the server`;
        return yield* Effect.fail(new DomainFailure({ message: `sync incomplete: ${reason}` }));
      }
    }),
).pipe(
  Command.withDescription(
    "Deliver every waiting event of the enabled projects now: all batches until empty or no progress; prints synced, duplicates, pending, parked, failed and remaining.",
  ),
);

const agent = Command.make("agent", { json }, (o) =>
  Effect.gen(function* () {
    const root = runtimeRoot();
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    const log = (line: string) => {
      if (o.json) process.stdout.write(`${JSON.stringify({ at: new Date().toISOString(), message: line })}\n`);
      else process.stderr.write(`${line}\n`);
    };
    const exit = yield* Effect.promise(() => runAgent({ root, signal: controller.signal, log }));
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
    if (exit.code === 1) return yield* Effect.fail(new DomainFailure({ message: exit.message }));
  }),
).pipe(Command.withDescription("Run the delivery agent of this machine (one per runtime root): keeps a WebSocket and delivers as events arrive; stops on Ctrl-C."));

/** What `sync status` shows about delivery for a project: consent, login, connection, last success. */
export const deliveryStatusOf = (root: string, projectUuid: string | null) => {
  const credentials = (() => {
    try {
      return readCredentials(root);
    } catch {
      return null;
    }
  })();
  const consent = projectUuid === null ? null : readConsent(root, projectUuid);
  const health = projectUuid === null ? null : readDeliveryHealth(root, projectUuid);
  const auth = credentials === null ? "Not authenticated" : new Session(root).state() === "authenticated" ? "Authenticated" : "Session expired";
  let reason: string | null = null;
  if (projectUuid === null) reason = "no project identity: events wait for 'spec-kitty init'";
  else if (consent === null) reason = "not enabled: events are captured but never sent (run 'spec-kitty sync enable')";
  else if (credentials === null) reason = "not logged in: events stay queued (run 'spec-kitty auth login')";
  else if (credentials.serverUrl !== consent.serverUrl || credentials.teamSlug !== consent.teamSlug) {
    reason = `logged in to team '${credentials.teamSlug ?? "(none)"}' at ${credentials.serverUrl}, but enabled for team '${consent.teamSlug}' at ${consent.serverUrl}`;
  }
  // The agent holds `delivery/agent.lock` with its pid; a lock left by a killed agent does not count.
  let agentRunning = false;
  try {
    const pid = Number(readFileSync(agentLockPath(root), "utf8").trim());
    if (Number.isSafeInteger(pid) && pid > 0) {
      try {
        process.kill(pid, 0);
        agentRunning = true;
      } catch (error) {
        agentRunning = (error as NodeJS.ErrnoException).code === "EPERM";
      }
    }
  } catch {
    agentRunning = false;
  }
  return {
    enabled: consent !== null,
    server: consent?.serverUrl ?? credentials?.serverUrl ?? null,
    team: consent?.teamSlug ?? credentials?.teamSlug ?? null,
    auth,
    connection: health?.connection ?? "Offline",
    agent: agentRunning ? "Running" : "Stopped",
    last_sync: health?.lastSuccessAt ?? null,
    consecutive_failures: health?.consecutiveFailures ?? 0,
    last_error: health?.lastError ?? null,
    not_sending_because: reason,
  };
};

/** The delivery section of `sync status`: consent, login, connection and server of the current project. */
export const deliveryStatusSection: SyncStatusSection = {
  key: "delivery",
  collect: async (ctx) => {
    const projectUuid = readProjectConfig(ctx.cwd)?.projectUuid ?? null;
    const d = deliveryStatusOf(ctx.runtimeRoot, projectUuid);
    const lines = [
      `Sync         ${d.enabled ? "enabled" : "not enabled"}${d.not_sending_because === null ? "" : ` (${d.not_sending_because})`}`,
      `Connection   ${d.connection}`,
      `Auth         ${d.auth}`,
      `Server URL   ${d.server ?? "(none)"}${d.team === null ? "" : ` (team ${d.team})`}`,
      `Last Sync    ${d.last_sync ?? "Never"}`,
      `Agent        ${d.agent}`,
    ];
    if (d.consecutive_failures > 0) lines.push(`Failures     ${d.consecutive_failures} consecutive${d.last_error === null ? "" : `: ${d.last_error}`}`);
    return { json: d, lines, healthy: true };
  },
};

export const syncDeliverySubcommands = [enable, disable, now, agent] as const;
