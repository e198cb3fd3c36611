import { defineConfig } from "tsup";

// The shipped CLI is a few ES module chunks with every dependency inlined: start-up parses them instead of
// hundreds of module resolutions (ADR-0001). Some CommonJS dependencies call require(), hence the banner.
export default defineConfig({
  entry: { "spec-kitty": "src/bin.ts" },
  outDir: "dist",
  format: ["esm"],
  platform: "node",
  target: "node24",
  bundle: true,
  noExternal: [/.*/],
  splitting: true,
  sourcemap: false,
  minify: false,
  clean: true,
  dts: false,
  outExtension: () => ({ js: ".mjs" }),
  // Keep `node:` specifiers: `node:sqlite` (the sync outbox) exists only under that name.
  removeNodeProtocol: false,
  banner: { js: "import { createRequire as __skCreateRequire } from 'node:module'; const require = __skCreateRequire(import.meta.url);" },
});
