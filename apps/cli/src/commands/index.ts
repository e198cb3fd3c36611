import { doctorCommand } from "./doctor.ts";

/** Every top-level command of the CLI; each capability adds its own module here. */
export const commands = [doctorCommand] as const;
