/**
 * Reads a JSON-RPC message's envelope as its bytes go by, without building the value: which
 * top-level keys it has (`method`, `result`, `error`), its top-level `id`, and whether the value
 * is complete. A large message can so be streamed to the host while it arrives and still be
 * matched to its request (issue 13). The scanner tracks structure only (strings, escapes, nesting
 * depth; RFC 8259 §2, §7); it is no validator: what it lets through is checked by the host's
 * parser like any other line. Byte-level, so UTF-8 sequences split across chunks do not matter
 * (every structural byte is ASCII, and no byte of a multi-byte sequence is below 0x80).
 */
import type { JsonRpcId } from '../jsonrpc.js';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

// Top-level keys worth remembering are short; a longer key is not one of them.
const MAX_KEY_BYTES = 16;
// An id is a string or a number (JSON-RPC 2.0 §4): a longer one is not kept.
const MAX_ID_BYTES = 512;

function isWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x0a || byte === 0x0d || byte === 0x09;
}

export class JsonStreamScanner {
  /** The top-level keys seen so far that tell a message's kind. */
  hasMethod = false;
  hasResult = false;
  hasError = false;
  /** The top-level value has ended. */
  complete = false;
  /** Why these bytes cannot be one JSON-RPC message (not an object, text after its end, …). */
  problem: string | undefined;

  private depth = 0;
  private inString = false;
  private escaped = false;
  /** At depth 1: the next string is a key (after `{` or `,`). */
  private expectKey = false;
  /** Collecting the bytes of a top-level key, or of the `id` value. */
  private key: number[] | undefined;
  private idBytes: number[] | undefined;
  private idState: 'none' | 'next' | 'reading' | 'done' = 'none';
  private started = false;

  /** The top-level `id`, once its value has been read: undefined until then (or if absent). */
  get id(): JsonRpcId | null | undefined {
    if (this.idState !== 'done' || !this.idBytes) return undefined;
    try {
      const value = JSON.parse(Buffer.from(this.idBytes).toString('utf8')) as unknown;
      return typeof value === 'string' || typeof value === 'number' || value === null ? value : undefined;
    } catch {
      return undefined;
    }
  }

  /** A response (it has `result` or `error`, and no `method` so far). */
  get isResponse(): boolean {
    return !this.hasMethod && (this.hasResult || this.hasError);
  }

  feed(bytes: Buffer): void {
    const n = bytes.length;
    for (let i = 0; i < n && this.problem === undefined; i++) {
      if (this.inString) {
        i = this.skipString(bytes, i);
        continue;
      }
      const b = bytes[i]!;
      if (isWhitespace(b)) continue;
      if (this.complete) {
        this.problem = 'more than one JSON value';
        return;
      }
      if (!this.started) {
        this.started = true;
        if (b !== OPEN_BRACE) {
          this.problem = b === OPEN_BRACKET ? 'a batch (array), which is not streamed' : 'not a JSON object';
          return;
        }
      }
      this.structural(b);
    }
  }

  /**
   * Inside a string from `i`: jumps to its closing quote. Only quotes are looked for (natively,
   * with indexOf); a quote after an odd run of backslashes is escaped (RFC 8259 §7). Looking for
   * every backslash too cost two native calls per escape, and text full of escapes (quotes, tabs,
   * newlines in a tool's output) made this the proxy's largest cost on a 10 MB reply (issue 13).
   */
  private skipString(bytes: Buffer, i: number): number {
    let at = i;
    if (this.escaped) {
      // The previous chunk ended inside an escape: this byte is escaped, whatever it is.
      this.escaped = false;
      this.collect(bytes[at]!);
      at++;
      if (at >= bytes.length) return at;
    }
    for (let from = at; ;) {
      const quote = bytes.indexOf(QUOTE, from);
      if (quote === -1) {
        this.collectRange(bytes, at, bytes.length);
        this.escaped = oddBackslashesBefore(bytes, bytes.length, at);
        return bytes.length;
      }
      if (oddBackslashesBefore(bytes, quote, at)) {
        from = quote + 1;
        continue;
      }
      this.collectRange(bytes, at, quote + 1);
      this.inString = false;
      this.stringEnded();
      return quote;
    }
  }

  private structural(b: number): void {
    if (this.idState === 'next' && b !== COLON) this.idState = 'reading';
    if (this.idState === 'reading' && this.depth === 1 && (b === COMMA || b === CLOSE_BRACE)) this.idState = 'done';
    if (this.idState === 'reading') this.collect(b);
    switch (b) {
      case QUOTE:
        this.inString = true;
        if (this.depth === 1 && this.expectKey) this.key = [];
        return;
      case OPEN_BRACE:
      case OPEN_BRACKET:
        this.depth++;
        if (this.depth === 1) this.expectKey = true;
        return;
      case CLOSE_BRACE:
      case CLOSE_BRACKET:
        this.depth--;
        if (this.depth === 0) this.complete = true;
        if (this.depth < 0) this.problem = 'unbalanced brackets';
        return;
      case COMMA:
        if (this.depth === 1) this.expectKey = true;
        return;
      case COLON:
        return;
      default:
    }
  }

  private stringEnded(): void {
    if (!this.key) return;
    const key = Buffer.from(this.key.slice(0, -1)).toString('latin1');
    this.key = undefined;
    this.expectKey = false;
    if (key === 'method') this.hasMethod = true;
    else if (key === 'result') this.hasResult = true;
    else if (key === 'error') this.hasError = true;
    else if (key === 'id' && this.idState === 'none') {
      this.idState = 'next';
      this.idBytes = [];
    }
  }

  private collect(b: number): void {
    if (this.key && this.key.length <= MAX_KEY_BYTES) this.key.push(b);
    if (this.idState === 'reading' && this.idBytes) {
      if (this.idBytes.length < MAX_ID_BYTES) this.idBytes.push(b);
      else this.idBytes = undefined;
    }
  }

  private collectRange(bytes: Uint8Array, from: number, to: number): void {
    if (!this.key && this.idState !== 'reading') return;
    for (let j = from; j < Math.min(to, from + MAX_ID_BYTES + 1); j++) this.collect(bytes[j]!);
  }
}

/** Whether the bytes just before `end`, back to `start` at most, are an odd run of backslashes. */
function oddBackslashesBefore(bytes: Buffer, end: number, start: number): boolean {
  let j = end - 1;
  while (j >= start && bytes[j] === BACKSLASH) j--;
  return (end - 1 - j) % 2 === 1;
}

/** Turns every raw CR and LF into a space, in place: outside strings they are whitespace between tokens. */
export function flattenLines(chunk: Buffer): Buffer {
  for (let at = chunk.indexOf(0x0a); at !== -1; at = chunk.indexOf(0x0a, at + 1)) chunk[at] = 0x20;
  for (let at = chunk.indexOf(0x0d); at !== -1; at = chunk.indexOf(0x0d, at + 1)) chunk[at] = 0x20;
  return chunk;
}
