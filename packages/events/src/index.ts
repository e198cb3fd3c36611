/**
 * @spec-kitty/events: the canonical event contracts of spec-kitty, one Effect Schema per contract,
 * the reducers over them, and the conformance validator. This file is the package's only public entry point.
 */
export * from "./core/index.ts";
export * from "./status/index.ts";
export * from "./lifecycle/index.ts";
export * from "./collaboration/index.ts";
export * from "./conformance/index.ts";
