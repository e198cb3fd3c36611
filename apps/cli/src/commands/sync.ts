import * as Command from "@effect/cli/Command";
import { deliveryStatusSection, syncDeliverySubcommands } from "./sync-delivery.ts";
import { SYNC_STATUS_SECTIONS, syncGcCommand, syncImportLegacyQueueCommand, syncStatusCommand } from "./sync-outbox.ts";

// `sync status` shows delivery (consent, login, connection, server) after the outbox.
if (!SYNC_STATUS_SECTIONS.includes(deliveryStatusSection)) SYNC_STATUS_SECTIONS.push(deliveryStatusSection);

/**
 * The subcommands of `spec-kitty sync`, in help order. A new subcommand is one entry here (and its import).
 */
export const SYNC_SUBCOMMANDS = [syncStatusCommand, ...syncDeliverySubcommands, syncGcCommand, syncImportLegacyQueueCommand] as const;

/** `spec-kitty sync …`: the local outbox and delivery to the team's sync server (ADR-0012, ADR-0013). */
export const syncCommand = Command.make("sync").pipe(
  Command.withDescription("Captured events and their delivery to the team's sync server."),
  Command.withSubcommands(SYNC_SUBCOMMANDS),
);
