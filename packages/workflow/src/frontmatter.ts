import { isMap, isScalar, isSeq, parseDocument, type Document, YAMLSeq } from "yaml";
import { WorkflowError } from "./errors.ts";

/**
 * A markdown file with a YAML front matter block, as the WP prompt files are: it must start with `---\n`; the
 * block ends at the first line that is exactly `---`; blank lines after it are kept as padding. CRLF is read as LF.
 * Edits go through the YAML document API, so keys the caller does not touch keep their order, quoting, comments
 * and values byte for byte, and unknown keys survive.
 */
export interface FrontmatterFile {
  readonly path: string;
  /** The YAML text between the fences (no trailing newline). */
  readonly front: string;
  /** Blank lines between the closing fence and the body ("" when none, then one newline is used). */
  readonly padding: string;
  readonly body: string;
  /** Line number (1-based) of the first front matter line, for error locations. */
  readonly frontStartLine: number;
}

export const splitFrontmatter = (text: string, path: string): FrontmatterFile => {
  const normalized = text.replace(/\r\n/g, "\n");
  if (!normalized.startsWith("---\n")) {
    throw new WorkflowError({
      code: "FRONTMATTER_MISSING",
      kind: "input",
      message: `${path}:1: no front matter: the file must start with a '---' line`,
      file: path,
      line: 1,
    });
  }
  const rest = normalized.slice(4);
  const close = /^---[ \t]*$/m.exec(rest);
  if (close === null) {
    throw new WorkflowError({
      code: "FRONTMATTER_UNTERMINATED",
      kind: "input",
      message: `${path}:1: the front matter opened on line 1 is never closed with a '---' line`,
      file: path,
      line: 1,
    });
  }
  const front = rest.slice(0, close.index).replace(/\n$/, "");
  let after = rest.slice(close.index + close[0].length);
  if (after.startsWith("\n")) after = after.slice(1);
  const padding = /^\n*/.exec(after)?.[0] ?? "";
  return { path, front, padding, body: after.slice(padding.length), frontStartLine: 2 };
};

/** The file text again: `---\n<front>\n---\n` + padding + body, ending in one newline. */
export const buildFrontmatter = (file: Pick<FrontmatterFile, "front" | "padding" | "body">): string => {
  const body = file.body.endsWith("\n") || file.body === "" ? file.body : `${file.body}\n`;
  return `---\n${file.front}\n---\n${file.padding}${body}`;
};

/** The parsed front matter; errors name the file and line. */
export const parseFront = (file: FrontmatterFile): Document => {
  const doc = parseDocument(file.front, { keepSourceTokens: false, uniqueKeys: true });
  const error = doc.errors[0];
  if (error !== undefined) {
    const line = (error.linePos?.[0]?.line ?? 1) + file.frontStartLine - 1;
    throw new WorkflowError({
      code: "FRONTMATTER_INVALID",
      kind: "input",
      message: `${file.path}:${line}: invalid YAML front matter: ${error.message.split("\n")[0] ?? error.code}`,
      file: file.path,
      line,
    });
  }
  if (doc.contents !== null && !isMap(doc.contents)) {
    throw new WorkflowError({
      code: "FRONTMATTER_INVALID",
      kind: "input",
      message: `${file.path}:${file.frontStartLine}: the front matter must be a mapping of keys to values`,
      file: file.path,
      line: file.frontStartLine,
    });
  }
  return doc;
};

/** A top-level scalar value as a string (numbers and booleans as written), or undefined when absent or not scalar. */
export const frontString = (doc: Document, key: string): string | undefined => {
  const node = doc.get(key, true);
  if (!isScalar(node) || node.value === null || node.value === undefined) return undefined;
  return String(node.value);
};

/** A top-level list of scalars, or undefined when absent; a scalar that is not a list is an error naming the key. */
export const frontList = (doc: Document, key: string, file: FrontmatterFile): readonly string[] | undefined => {
  const node = doc.get(key, true);
  if (node === undefined || node === null) return undefined;
  if (isScalar(node) && (node.value === null || node.value === "")) return [];
  if (!isSeq(node)) {
    throw new WorkflowError({
      code: "FRONTMATTER_INVALID",
      kind: "input",
      message: `${file.path}: front matter key '${key}' must be a list`,
      file: file.path,
      field: key,
    });
  }
  return node.items.map((item) => (isScalar(item) ? String(item.value) : String(item)));
};

/**
 * Sets a top-level key: an existing key keeps its position (and, for a scalar, its quoting style); a new key is
 * inserted before `history` when there is one, else appended. Lists are written in flow style (`[WP01, WP02]`).
 */
export const setFront = (doc: Document, key: string, value: string | number | boolean | null | readonly string[]): void => {
  const existing = doc.get(key, true);
  if (Array.isArray(value)) {
    const seq = new YAMLSeq();
    seq.flow = true;
    for (const item of value) seq.items.push(doc.createNode(item));
    if (existing !== undefined) {
      doc.set(key, seq);
      return;
    }
    insertBeforeHistory(doc, key, seq);
    return;
  }
  if (isScalar(existing)) {
    existing.value = value;
    return;
  }
  if (existing !== undefined) {
    doc.set(key, value);
    return;
  }
  insertBeforeHistory(doc, key, doc.createNode(value));
};

const insertBeforeHistory = (doc: Document, key: string, node: unknown): void => {
  const map = doc.contents;
  if (!isMap(map)) {
    doc.set(key, node);
    return;
  }
  const pair = doc.createPair(key, node);
  const at = map.items.findIndex((p) => isScalar(p.key) && p.key.value === "history");
  if (at < 0) map.items.push(pair);
  else map.items.splice(at, 0, pair);
};

/** The front matter text of an edited document (no trailing newline). */
export const renderFront = (doc: Document): string => doc.toString({ lineWidth: 0 }).replace(/\n$/, "");

/** `[WP01, WP02]`: a flow list of plain scalars (quoted when YAML would read them otherwise). */
const flowList = (values: readonly string[]): string =>
  `[${values.map((v) => (/^[A-Za-z0-9_./-]+$/.test(v) && !/^(true|false|null|yes|no|on|off|~)$/i.test(v) ? v : JSON.stringify(v))).join(", ")}]`;

/**
 * Sets the top-level `key` of a prompt file's front matter to a flow list, editing the text in place: only the
 * bytes of that key's entry change (an existing entry is replaced where it stands, a trailing comment on its line
 * is kept; a new one is inserted as its own line before `history:` when there is one, else at the end of the
 * block). Every other byte of the file, body included, stays as it was. `text` must hold valid front matter
 * (read it with splitFrontmatter and parseFront first). CRLF files keep CRLF.
 */
export const setFrontListInText = (text: string, path: string, key: string, values: readonly string[]): string => {
  const crlf = text.includes("\r\n");
  const normalized = crlf ? text.replace(/\r\n/g, "\n") : text;
  const file = splitFrontmatter(normalized, path);
  const doc = parseFront(file);
  const front = file.front;
  const base = 4; // `---\n`
  const entry = `${key}: ${flowList(values)}`;
  const map = doc.contents;
  let out: string;
  const pair = isMap(map) ? map.items.find((p) => isScalar(p.key) && p.key.value === key) : undefined;
  if (pair !== undefined && isScalar(pair.key) && pair.key.range !== undefined && pair.key.range !== null) {
    const start = pair.key.range[0];
    const valueRange = (pair.value as { range?: [number, number, number] } | null)?.range;
    let end = valueRange === undefined ? pair.key.range[1] : Math.max(valueRange[1], pair.key.range[1]);
    if (valueRange === undefined || valueRange[0] === valueRange[1]) {
      // `key:` with nothing after it: the entry is the rest of its line, up to a comment.
      const lineEnd = front.indexOf("\n", start);
      const rest = front.slice(start, lineEnd < 0 ? front.length : lineEnd);
      const comment = rest.search(/\s#/);
      end = start + (comment < 0 ? rest.length : comment);
    }
    while (end > start && front[end - 1] === "\n") end--;
    out = normalized.slice(0, base + start) + entry + normalized.slice(base + end);
  } else {
    // A new entry takes the indentation of the block's keys (usually none).
    const firstKey = isMap(map) ? map.items[0]?.key : undefined;
    const firstStart = isScalar(firstKey) ? firstKey.range?.[0] : undefined;
    const indent = firstStart === undefined ? "" : (/^[ ]*$/.exec(front.slice(front.lastIndexOf("\n", firstStart - 1) + 1, firstStart))?.[0] ?? "");
    const history = isMap(map) ? map.items.find((p) => isScalar(p.key) && p.key.value === "history") : undefined;
    const historyStart = history !== undefined && isScalar(history.key) ? history.key.range?.[0] : undefined;
    const historyLine = historyStart === undefined ? undefined : front.lastIndexOf("\n", historyStart - 1) + 1;
    if (historyStart !== undefined && historyLine !== undefined && front.slice(historyLine, historyStart) === indent) {
      out = `${normalized.slice(0, base + historyLine)}${indent}${entry}\n${normalized.slice(base + historyLine)}`;
    } else if (front === "") {
      out = `${normalized.slice(0, base)}${entry}\n${normalized.slice(base)}`;
    } else {
      out = `${normalized.slice(0, base + front.length)}\n${indent}${entry}${normalized.slice(base + front.length)}`;
    }
  }
  // The edit must read back as intended (the value set, every other key as it was); a block the splice cannot
  // handle (unusual indentation, say) is refused rather than written.
  const check = (() => {
    try {
      const edited = parseFront(splitFrontmatter(out, path));
      const after = (edited.toJS() ?? {}) as Record<string, unknown>;
      const before = (doc.toJS() ?? {}) as Record<string, unknown>;
      const rest = (o: Record<string, unknown>) => JSON.stringify(Object.entries(o).filter(([k]) => k !== key));
      return JSON.stringify(after[key]) === JSON.stringify(values) && rest(after) === rest(before);
    } catch {
      return false;
    }
  })();
  if (!check) {
    throw new WorkflowError({
      code: "FRONTMATTER_UNEDITABLE",
      kind: "input",
      message: `${path}: cannot set '${key}' in this front matter without changing other keys; nothing was written`,
      file: path,
      field: key,
      hint: `write '${entry}' into the front matter by hand (top level, unindented), then run again`,
    });
  }
  return crlf ? out.replace(/\n/g, "\r\n") : out;
};
