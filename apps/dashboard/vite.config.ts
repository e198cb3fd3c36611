import { defineConfig } from "vitest/config";

/**
 * One configuration for the production build (dist/, hashed and cacheable assets) and for vitest.
 * JSX is compiled by Vite's own esbuild step for Preact: no framework plugin is needed.
 * Component tests opt into happy-dom per file; browser tests run in node and drive Chromium.
 */
export default defineConfig({
  esbuild: { jsx: "automatic", jsxImportSource: "preact" },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "es2022",
    assetsDir: "assets",
    sourcemap: false,
    reportCompressedSize: false,
  },
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    environment: "node",
    pool: "forks",
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ["default", ["json", { outputFile: ".vitest-report.json" }]],
  },
});
