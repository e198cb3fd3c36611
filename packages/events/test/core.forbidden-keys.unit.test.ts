import { describe, expect, it } from "vitest";
import { findForbiddenKeys, firstForbiddenKey, hasForbiddenKeys } from "../src/core/index.ts";

describe("forbidden legacy keys", () => {
  it("finds keys at any depth with their paths, hit before descent, arrays by index", () => {
    const data = {
      a: 1,
      feature_slug: { mission_key: "x" },
      list: [{ ok: 1 }, { legacy_aggregate_id: "y" }],
      deep: { b: { c: { d: { feature_number: 3 } } } },
    };
    const found = findForbiddenKeys(data);
    expect(found.map((i) => i.path)).toEqual([
      ["feature_slug"],
      ["feature_slug", "mission_key"],
      ["list", 1, "legacy_aggregate_id"],
      ["deep", "b", "c", "d", "feature_number"],
    ]);
    expect(found.every((i) => i.code === "FORBIDDEN_KEY")).toBe(true);
    expect(found[0]?.message).toBe("Forbidden legacy key 'feature_slug' is not allowed");
    expect(found[0]?.details).toEqual({ key: "feature_slug" });
    expect(firstForbiddenKey(data)?.path).toEqual(["feature_slug"]);
    expect(hasForbiddenKeys(data)).toBe(true);
  });

  it("ignores values equal to forbidden names and allows work_package_id", () => {
    const data = { key: "feature_slug", items: ["mission_key"], work_package_id: "WP01" };
    expect(findForbiddenKeys(data)).toEqual([]);
    expect(firstForbiddenKey(data)).toBeUndefined();
    expect(hasForbiddenKeys(data)).toBe(false);
  });

  it("primitives and a top-level array", () => {
    expect(findForbiddenKeys("feature_slug")).toEqual([]);
    expect(findForbiddenKeys(null)).toEqual([]);
    expect(findForbiddenKeys([[{ feature_slug: 1 }]]).map((i) => i.path)).toEqual([[0, 0, "feature_slug"]]);
  });

  it("accepts a custom forbidden set", () => {
    expect(findForbiddenKeys({ x: { y: 1 } }, new Set(["y"])).map((i) => i.path)).toEqual([["x", "y"]]);
  });
});
