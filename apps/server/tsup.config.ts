import { defineConfig } from "tsup";

// The shipped server is one ES module file with every dependency inlined, like the CLI (ADR-0001): start-up
// parses it instead of resolving hundreds of modules. Some CommonJS dependencies call require(), hence the banner.
export default defineConfig({
  entry: { "spec-kitty-server": "src/bin.ts" },
  outDir: "dist",
  format: ["esm"],
  platform: "node",
  target: "node24",
  bundle: true,
  noExternal: [/.*/],
  splitting: false,
  sourcemap: false,
  minify: false,
  clean: true,
  dts: false,
  outExtension: () => ({ js: ".mjs" }),
  banner: { js: "import { createRequire as __skCreateRequire } from 'node:module'; const require = __skCreateRequire(import.meta.url);" },
});
