import * as Command from "@effect/cli/Command";
import { syncDeliverySubcommands } from "./sync-delivery.ts";

/** `spec-kitty sync`: consent and delivery of this machine's captured events to the team's sync server. */
export const syncCommand = Command.make("sync").pipe(
  Command.withDescription("Deliver captured events to the team's sync server: enable, disable, now, agent."),
  Command.withSubcommands([...syncDeliverySubcommands]),
);
