import { describe, expect, it } from "vitest";
import { pyRepr } from "../src/core/index.ts";

describe("pyRepr (Python repr of str)", () => {
  it.each([
    ["p1", "'p1'"],
    ["", "''"],
    ["o'brien", `"o'brien"`],
    [`say "hi"`, `'say "hi"'`],
    [`it's "x"`, `'it\\'s "x"'`],
    ["back\\slash", "'back\\\\slash'"],
    ["tab\tnl\ncr\r", "'tab\\tnl\\ncr\\r'"],
    ["\u0000\u001f\u007f", "'\\x00\\x1f\\x7f'"],
    ["\u0085\u00a0", "'\\x85\\xa0'"],
    ["café", "'café'"],
    ["日本", "'日本'"],
    ["zero\u200bwidth", "'zero\\u200bwidth'"],
    ["\u2028", "'\\u2028'"],
    ["😀", "'😀'"],
    ["\u{e0001}", "'\\U000e0001'"],
    ["\ud800", "'\\ud800'"],
  ])("%j -> %s", (input, expected) => {
    expect(pyRepr(input)).toBe(expected);
  });
});
