import { assert, describe, it } from "vitest";
import { SYNC_PACKAGE } from "../src/index.ts";

describe("@spec-kitty/sync entry point", () => {
  it("names itself", () => {
    assert.strictEqual(SYNC_PACKAGE, "@spec-kitty/sync");
  });
});
