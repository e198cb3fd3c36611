import { appBundleConfig } from "@spec-kitty/bootstrap";

// The shipped server: dist/spec-kitty-server.mjs with every dependency inlined (ADR-0017). pg's optional native
// binding is never loaded (the pure JavaScript client is used), so it stays out of the bundle.
export default appBundleConfig("spec-kitty-server", { external: ["pg-native"] });
