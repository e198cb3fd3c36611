import type { Options } from "tsup";

/**
 * The tsup configuration of an app's shipped bundle (ADR-0001, ADR-0017): `src/bin.ts` becomes
 * `dist/<command>.mjs`, a few ES module chunks with every dependency inlined, so the installed command runs without
 * node_modules and starts by parsing chunks instead of resolving hundreds of modules. Some CommonJS dependencies
 * call require(), hence the banner. `external` names optional modules that are never loaded.
 */
export const appBundleConfig = (command: string, options: { readonly external?: ReadonlyArray<string> } = {}): Options => ({
  entry: { [command]: "src/bin.ts" },
  outDir: "dist",
  format: ["esm"],
  platform: "node",
  target: "node24",
  bundle: true,
  noExternal: [/.*/],
  external: [...(options.external ?? [])],
  splitting: true,
  sourcemap: false,
  minify: false,
  clean: true,
  dts: false,
  outExtension: () => ({ js: ".mjs" }),
  // Keep `node:` specifiers: `node:sqlite` (the sync outbox, the server's store) exists only under that name.
  removeNodeProtocol: false,
  banner: { js: "import { createRequire as __skCreateRequire } from 'node:module'; const require = __skCreateRequire(import.meta.url);" },
});
