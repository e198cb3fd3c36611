/** Mission lifecycle (payloads + reducer), project/artifact/WP/build lifecycle and mission-next runtime payloads. */
export * from "./mission-payloads.ts";
export * from "./mission-reducer.ts";
export * from "./project-payloads.ts";
export * from "./mission-next-payloads.ts";
export { LIFECYCLE_PAYLOAD_SCHEMAS, LIFECYCLE_MODEL_SCHEMAS } from "./registry.ts";
