import { appBundleConfig } from "@spec-kitty/bootstrap";

// The shipped CLI: dist/spec-kitty.mjs with every dependency inlined (ADR-0001, ADR-0017).
export default appBundleConfig("spec-kitty");
