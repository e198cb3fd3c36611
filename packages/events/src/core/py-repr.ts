/**
 * Python's `repr()` of a `str`, as the reference embeds identifiers in messages (`'p1'`, `"o'brien"`).
 * Quote choice: single quotes unless the text contains a single quote and no double quote.
 * Escapes follow CPython: backslash, the chosen quote, \t \n \r, other C0 controls / DEL / C1 as \xNN,
 * and non-printable non-ASCII as \xNN, \uNNNN or \UNNNNNNNN.
 */
export const pyRepr = (s: string): string => {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === "\\") out += "\\" + ch;
    else if (ch === "\t") out += "\\t";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (cp < 0x20 || cp === 0x7f) out += "\\x" + hex(cp, 2);
    else if (cp < 0x7f) out += ch;
    else if (isPrintable(ch, cp)) out += ch;
    else if (cp <= 0xff) out += "\\x" + hex(cp, 2);
    else if (cp <= 0xffff) out += "\\u" + hex(cp, 4);
    else out += "\\U" + hex(cp, 8);
  }
  return out + quote;
};

const hex = (n: number, width: number): string => n.toString(16).padStart(width, "0");

// Python treats as non-printable: categories Cc, Cf, Cs, Co, Cn, Zl, Zp and Zs except the ASCII space.
const NON_PRINTABLE = /^[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]$/u;

const isPrintable = (ch: string, cp: number): boolean => cp === 0x20 || !NON_PRINTABLE.test(ch);
