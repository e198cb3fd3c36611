import * as Command from "@effect/cli/Command";
import * as Options from "@effect/cli/Options";
import * as Effect from "effect/Effect";
import * as Option from "effect/Option";
import { resolve } from "node:path";
import { ensureIdentity, IdentityError, locateGit, OutboxStore, releaseCaptured, runtimeRoot } from "@spec-kitty/sync";
import { DomainFailure, InputFailure } from "../failure.ts";
import { CliIO, printDiagnostic, printJson, printLine } from "../io.ts";

const json = Options.boolean("json").pipe(Options.withDescription("print one JSON object instead of text"));
const repo = Options.directory("repo").pipe(
  Options.optional,
  Options.withDescription("a directory of the repository (default: the working directory); a worktree resolves to its main repository"),
);

/**
 * `spec-kitty init`: persists the project identity (`project.uuid`, `slug`, `node_id`, and `sync.auto_start`) in
 * `<main repository root>/.kittify/config.yaml`, the only command that writes it (ADR-0012). Idempotent; keeps
 * every other key and comment. Events captured here before the identity existed become deliverable.
 */
export const initCommand = Command.make("init", { json, repo }, (o) =>
  Effect.gen(function* () {
    const io = yield* CliIO;
    const start = Option.match(o.repo, { onNone: () => io.cwd, onSome: (d) => resolve(io.cwd, d) });
    const mainRoot = locateGit(start)?.mainRoot ?? start;
    const result = yield* Effect.try({
      try: () => ensureIdentity(mainRoot),
      catch: (e) => {
        if (e instanceof IdentityError && e.code === "IDENTITY_MALFORMED") return new InputFailure({ message: e.message });
        return new DomainFailure({ message: e instanceof Error ? e.message : String(e) });
      },
    }).pipe(Effect.tapError((f) => (o.json ? printJson({ error: { code: f._tag === "InputFailure" ? "IDENTITY_MALFORMED" : "IDENTITY_WRITE_FAILED", message: f.message } }) : Effect.void)));
    const id = result.identity;
    if (result.warning !== null) yield* printDiagnostic(`warning: ${result.warning}`);
    // Events captured in this repository while it had no identity now belong to the project.
    let adopted = 0;
    if (result.warning === null) {
      const diagnostics: string[] = [];
      adopted = yield* Effect.promise(async () => {
        try {
          const store = OutboxStore.open(runtimeRoot());
          try {
            const n = store.adoptUnidentified(mainRoot, { projectUuid: id.projectUuid!, projectSlug: id.projectSlug, buildId: id.buildId! });
            await releaseCaptured(store, { diagnostics: (l) => diagnostics.push(l) });
            return n;
          } finally {
            store.close();
          }
        } catch (e) {
          diagnostics.push(`warning: sync: ${e instanceof Error ? e.message : String(e)}; events captured before init stay blocked until the outbox can be opened and init runs again`);
          return 0;
        }
      });
      for (const d of diagnostics) yield* printDiagnostic(d);
    }
    const doc = {
      config_path: id.configPath,
      persisted: result.warning === null,
      written: result.written,
      added: result.added,
      project: { uuid: id.projectUuid, slug: id.projectSlug, node_id: id.nodeId, build_id: id.buildId, repo_slug: id.repoSlug },
      sync: { auto_start: id.autoStart },
      adopted_events: adopted,
    };
    if (o.json) return yield* printJson(doc);
    const what = result.written ? `wrote ${result.added.join(", ")} to` : result.warning === null ? "already initialised:" : "not persisted:";
    yield* printLine(`project ${id.projectSlug} ${id.projectUuid} (node ${id.nodeId}) — ${what} ${id.configPath}`);
    if (adopted > 0) yield* printLine(`${adopted} event(s) captured before init are now deliverable`);
  }),
).pipe(Command.withDescription("Write the project identity (uuid, slug, node id) to .kittify/config.yaml of the main repository (idempotent)."));
