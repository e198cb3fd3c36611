import * as Command from "@effect/cli/Command";
import { syncGcCommand, syncImportLegacyQueueCommand, syncStatusCommand } from "./sync-outbox.ts";

/**
 * The subcommands of `spec-kitty sync`, in help order. A new subcommand is one entry here (and its import).
 */
export const SYNC_SUBCOMMANDS = [syncStatusCommand, syncGcCommand, syncImportLegacyQueueCommand] as const;

/** `spec-kitty sync …`: the local outbox and delivery to the team's sync server (ADR-0012). */
export const syncCommand = Command.make("sync").pipe(
  Command.withDescription("Captured events and their delivery to the team's sync server."),
  Command.withSubcommands(SYNC_SUBCOMMANDS),
);
