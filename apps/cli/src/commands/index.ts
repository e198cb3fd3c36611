import { doctorCommand } from "./doctor.ts";
import { eventsCommand } from "./events.ts";
import { nextCommand } from "./next.ts";
import { runsCommand } from "./runs.ts";
import { statusCommand } from "./status.ts";
import { agentCommand } from "./agent.ts";

/** Every top-level command of the CLI; each capability adds its own module here. */
export const commands = [doctorCommand, eventsCommand, nextCommand, runsCommand, statusCommand, agentCommand] as const;
