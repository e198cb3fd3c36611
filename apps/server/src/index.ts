/**
 * @spec-kitty/server: the open spec-kitty sync server. Only entry point.
 */
export const SERVER_PACKAGE = "@spec-kitty/server";
