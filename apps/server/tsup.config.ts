import { defineConfig } from "tsup";

// The shipped server is one ES module bundle with every dependency inlined, like the CLI's (ADR-0017):
// `spec-kitty-server` runs without node_modules. Some CommonJS dependencies call require(), hence the banner;
// pg's optional native binding is never loaded (the pure JavaScript client is used), so it stays out.
export default defineConfig({
  entry: { "spec-kitty-server": "src/bin.ts" },
  outDir: "dist",
  format: ["esm"],
  platform: "node",
  target: "node24",
  bundle: true,
  noExternal: [/.*/],
  external: ["pg-native"],
  splitting: true,
  sourcemap: false,
  minify: false,
  clean: true,
  dts: false,
  outExtension: () => ({ js: ".mjs" }),
  banner: { js: "import { createRequire as __skCreateRequire } from 'node:module'; const require = __skCreateRequire(import.meta.url);" },
});
