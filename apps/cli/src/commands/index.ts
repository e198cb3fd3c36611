import { doctorCommand } from "./doctor.ts";
import { nextCommand } from "./next.ts";
import { runsCommand } from "./runs.ts";

/** Every top-level command of the CLI; each capability adds its own module here. */
export const commands = [doctorCommand, nextCommand, runsCommand] as const;
