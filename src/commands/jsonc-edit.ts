/**
 * JSON with comments and trailing commas (JSONC, as VS Code, Cursor and Windsurf read their
 * config files): a parser that keeps where each value lies in the text, and a surgical editor that
 * sets one member of one object (a host's `mcpServers.<name>`) by replacing or inserting only that
 * member's text. Everything else, comments, trailing commas, CRLF line ends, other entries, stays
 * byte for byte as it was. A text that does not parse is refused with its line and column.
 */

export interface JsoncMember {
  readonly key: string;
  /** Where the key's opening quote is. */
  readonly start: number;
  readonly value: JsoncNode;
}

export interface JsoncNode {
  readonly start: number;
  /** Just after the value's last character. */
  readonly end: number;
  /** The plain JavaScript value. */
  readonly value: unknown;
  /** For an object: its members in order (duplicates kept; the last one wins, as in JSON.parse). */
  readonly members?: readonly JsoncMember[];
  /** For an array: its items in order. */
  readonly items?: readonly JsoncNode[];
}

export class JsoncError extends Error {
  override readonly name = 'JsoncError';
  constructor(
    readonly line: number,
    readonly column: number,
    message: string,
  ) {
    super(`line ${line}, column ${column}: ${message}`);
  }
}

/** Parses a JSONC text (comments, trailing commas); an empty text is an error (callers decide what empty means). */
export function parseJsonc(text: string): JsoncNode {
  const parser = new Parser(text);
  parser.skip();
  const node = parser.value();
  parser.skip();
  if (parser.pos < text.length) parser.fail('unexpected text after the end of the document');
  return node;
}

class Parser {
  pos = 0;
  constructor(readonly text: string) {}

  fail(message: string, at = this.pos): never {
    const before = this.text.slice(0, at);
    const line = before.split('\n').length;
    throw new JsoncError(line, at - (before.lastIndexOf('\n') + 1) + 1, message);
  }

  /** Skips whitespace and comments. */
  skip(): void {
    const t = this.text;
    for (;;) {
      while (this.pos < t.length && /\s/.test(t[this.pos]!)) this.pos++;
      if (t.startsWith('//', this.pos)) {
        const nl = t.indexOf('\n', this.pos);
        this.pos = nl < 0 ? t.length : nl;
      } else if (t.startsWith('/*', this.pos)) {
        const close = t.indexOf('*/', this.pos + 2);
        if (close < 0) this.fail('a /* comment is never closed');
        this.pos = close + 2;
      } else return;
    }
  }

  value(): JsoncNode {
    const c = this.text[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') {
      const start = this.pos;
      return { start, value: this.string(), end: this.pos };
    }
    const m = /^(?:true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(this.text.slice(this.pos, this.pos + 400));
    if (!m) this.fail(c === undefined ? 'the document ends where a value should be' : `unexpected ${JSON.stringify(c)} where a value should be`);
    const start = this.pos;
    this.pos += m[0].length;
    return { start, end: this.pos, value: JSON.parse(m[0]) as unknown };
  }

  string(): string {
    const m = /^"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/.exec(this.text.slice(this.pos));
    if (!m) this.fail('a string is not closed, or holds a raw control character or a bad escape');
    this.pos += m[0].length;
    return JSON.parse(m[0]) as string;
  }

  object(): JsoncNode {
    const start = this.pos++;
    const members: JsoncMember[] = [];
    const value: Record<string, unknown> = {};
    for (;;) {
      this.skip();
      if (this.text[this.pos] === '}') break;
      if (this.text[this.pos] !== '"') this.fail('expected a "key" or }');
      const keyStart = this.pos;
      const key = this.string();
      this.skip();
      if (this.text[this.pos] !== ':') this.fail(`expected : after the key "${key}"`);
      this.pos++;
      this.skip();
      const member = this.value();
      members.push({ key, start: keyStart, value: member });
      Object.defineProperty(value, key, { value: member.value, enumerable: true, writable: true, configurable: true });
      this.skip();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== '}') this.fail('expected , or } after a member (a comma is missing?)');
    }
    this.pos++;
    return { start, end: this.pos, value, members };
  }

  array(): JsoncNode {
    const start = this.pos++;
    const nodes: JsoncNode[] = [];
    for (;;) {
      this.skip();
      if (this.text[this.pos] === ']') break;
      nodes.push(this.value());
      this.skip();
      if (this.text[this.pos] === ',') this.pos++;
      else if (this.text[this.pos] !== ']') this.fail('expected , or ] after an item (a comma is missing?)');
    }
    this.pos++;
    return { start, end: this.pos, value: nodes.map((n) => n.value), items: nodes };
  }
}

/** The last member named `key` (JSON.parse keeps the last of duplicates). */
export function memberOf(node: JsoncNode, key: string): JsoncMember | undefined {
  return node.members?.findLast((m) => m.key === key);
}

/** How the file is laid out, so inserted text looks like its neighbours. */
interface Style {
  eol: string;
  unit: string;
}

function styleOf(text: string): Style {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indented = /\n([ \t]+)\S/.exec(text);
  return { eol, unit: indented ? (indented[1]!.startsWith('\t') ? '\t' : indented[1]!) : '  ' };
}

/** The whitespace at the start of the line holding `pos`. */
function indentAt(text: string, pos: number): string {
  const lineStart = text.lastIndexOf('\n', pos - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))![0];
}

/** `value` as JSON laid out in the file's style, continuation lines indented by `indent`. */
function render(value: unknown, indent: string, style: Style): string {
  return JSON.stringify(value, null, style.unit)
    .split('\n')
    .join(style.eol + indent);
}

/**
 * Sets `path[path.length-1]` in the object at `path[0..-1]` to `value` (a plain JSON value),
 * creating the missing objects on the way; returns the new text. Only the member's own text is
 * replaced or inserted. An empty (or blank) text becomes a new document.
 */
export function setJsoncMember(text: string, path: readonly string[], value: unknown): string {
  const style = styleOf(text);
  if (text.trim() === '') {
    const doc = path.reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
    return render(doc, '', style) + style.eol;
  }
  let node = parseJsonc(text);
  for (let i = 0; i < path.length; i++) {
    if (node.members === undefined) throw new JsoncError(...lineColumn(text, node.start), `"${path.slice(0, i).join('.') || 'the document'}" is not an object`);
    const member = memberOf(node, path[i]!);
    const rest = path.slice(i + 1).reduceRight<unknown>((inner, key) => ({ [key]: inner }), value);
    if (member === undefined) return insertMember(text, node, path[i]!, rest, style);
    if (i === path.length - 1 || member.value.members === undefined) {
      const indent = indentAt(text, member.start);
      return text.slice(0, member.value.start) + render(rest, indent, style) + text.slice(member.value.end);
    }
    node = member.value;
  }
  return text;
}

function lineColumn(text: string, pos: number): [number, number] {
  const before = text.slice(0, pos);
  return [before.split('\n').length, pos - before.lastIndexOf('\n')];
}

/** Inserts `"key": value` as the object's last member, keeping its trailing-comma habit. */
function insertMember(text: string, object: JsoncNode, key: string, value: unknown, style: Style): string {
  const close = object.end - 1;
  const outer = indentAt(text, object.start);
  const last = object.members!.at(-1);
  if (last === undefined) {
    const inner = outer + style.unit;
    const body = `${style.eol}${inner}${JSON.stringify(key)}: ${render(value, inner, style)}${style.eol}${outer}`;
    // Keep comments inside an empty object: insert before the closing brace, after them.
    const inside = text.slice(object.start + 1, close);
    if (inside.trim() === '') return text.slice(0, object.start + 1) + body + text.slice(close);
    const end = object.start + 1 + inside.trimEnd().length;
    return text.slice(0, end) + `${style.eol}${inner}${JSON.stringify(key)}: ${render(value, inner, style)}` + text.slice(end);
  }
  const inner = indentAt(text, last.start);
  // After the last member: its comma (if any) and any comment on the same lines, up to the brace.
  const tail = text.slice(last.value.end, close);
  const trailingComma = /^\s*(?:\/\/[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*,/.test(tail);
  const member = `${JSON.stringify(key)}: ${render(value, inner, style)}`;
  const insertAt = last.value.end + tail.trimEnd().length;
  const sameLine = !text.slice(last.start, close).includes('\n');
  const separator = sameLine ? ' ' : `${style.eol}${inner}`;
  if (trailingComma) return text.slice(0, insertAt) + separator + member + ',' + text.slice(insertAt);
  // Add the missing comma right after the last value, so a comment after it stays where it is.
  return text.slice(0, last.value.end) + ',' + text.slice(last.value.end, insertAt) + separator + member + text.slice(insertAt);
}

/**
 * Appends `item` to the array at `path` (created, with the objects on the way, when missing),
 * after its last item and in its style; nothing else changes. VS Code's `inputs` is such an array.
 */
export function appendJsoncItem(text: string, path: readonly string[], item: unknown): string {
  let node: JsoncNode | undefined = text.trim() === '' ? undefined : parseJsonc(text);
  for (const key of path) node = node?.members && memberOf(node, key)?.value;
  if (node?.items === undefined) return setJsoncMember(text, path, [item]);
  const style = styleOf(text);
  const last = node.items.at(-1);
  const close = node.end - 1;
  if (last === undefined) {
    const outer = indentAt(text, node.start);
    const inner = outer + style.unit;
    const inside = text.slice(node.start + 1, close);
    const end = node.start + 1 + inside.trimEnd().length;
    return (
      text.slice(0, end) +
      `${style.eol}${inner}${render(item, inner, style)}${inside.trim() === '' ? style.eol + outer : ''}` +
      text.slice(inside.trim() === '' ? close : end)
    );
  }
  const inner = indentAt(text, last.start);
  const tail = text.slice(last.end, close);
  const trailingComma = /^\s*(?:\/\/[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*,/.test(tail);
  const insertAt = last.end + tail.trimEnd().length;
  const separator = text.slice(node.start, close).includes('\n') ? `${style.eol}${inner}` : ' ';
  const rendered = render(item, inner, style);
  if (trailingComma) return text.slice(0, insertAt) + separator + rendered + ',' + text.slice(insertAt);
  return text.slice(0, last.end) + ',' + text.slice(last.end, insertAt) + separator + rendered + text.slice(insertAt);
}
