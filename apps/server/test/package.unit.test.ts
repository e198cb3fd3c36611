import { assert, describe, it } from "vitest";
import { SERVER_PACKAGE } from "../src/index.ts";

describe("@spec-kitty/server entry point", () => {
  it("names itself", () => {
    assert.strictEqual(SERVER_PACKAGE, "@spec-kitty/server");
  });
});
