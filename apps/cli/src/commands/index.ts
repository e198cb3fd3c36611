import { doctorCommand } from "./doctor.ts";
import { eventsCommand } from "./events.ts";
import { nextCommand } from "./next.ts";
import { runsCommand } from "./runs.ts";
import * as Command from "@effect/cli/Command";
import { materializeCommand } from "./status-materialize.ts";

// Temporary `status` group holding only `materialize`, until status.ts (the full `status` command) takes it over.
const statusCommand = Command.make("status").pipe(Command.withSubcommands([materializeCommand]));

/** Every top-level command of the CLI; each capability adds its own module here. */
export const commands = [doctorCommand, eventsCommand, nextCommand, runsCommand, statusCommand] as const;
