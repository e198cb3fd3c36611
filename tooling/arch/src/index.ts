export { checkArchitecture, SCOPES, type ArchReport, type Violation } from "./cruise.ts";
export { LAYERS, RULES, type ForbiddenRule } from "./rules.ts";
