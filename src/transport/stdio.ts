/**
 * The host side: newline-delimited JSON-RPC on stdin/stdout (MCP "Transports" §stdio).
 * This is the only writer of stdout; logs go to stderr.
 */
import type { Readable, Writable } from 'node:stream';
import type { JsonRpcId, JsonRpcMessage } from '../jsonrpc.js';
import { defaultLimits, MessageTooLarge } from './bounded-read.js';
import type { HostSide } from './host-side.js';
import { JsonStreamScanner } from './json-stream-scanner.js';
import type { Reply } from './remote-transport.js';
import { HostWriter } from './stream-writer.js';

export class StdioTransport implements HostSide {
  /** A parsed line: any JSON value (the bridge checks that it is JSON-RPC). */
  onvalue?: ((value: unknown) => void) | undefined;
  /** A line that is not JSON. */
  onparseerror?: ((reason: string) => void) | undefined;
  onclose?: (() => void) | undefined;
  /** A message of this many characters has been handed to the host's pipe. */
  onwritten?: ((length: number) => void) | undefined;
  /** A line longer than the limit was skipped; `id`: the request it held, when that could be read. */
  ontoolarge?: ((id: JsonRpcId | undefined, error: MessageTooLarge, notification: boolean) => void) | undefined;

  private buffered: string[] = [];
  private bufferedBytes = 0;
  /** Reading a line past the limit: it is skipped to its end, only scanned for its id. */
  private oversize: { scan: JsonStreamScanner; answered: boolean; error: MessageTooLarge } | undefined;
  private closed = false;
  private readonly writer: HostWriter;

  /** `maxLineBytes`: --max-message-mb (issue 10 §7: a line from the host is bounded too). */
  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    private readonly maxLineBytes = defaultLimits().maxBytes,
  ) {
    this.writer = new HostWriter(output, () => this.onwritten);
  }

  start(): void {
    this.input.setEncoding('utf8');
    this.input.on('data', (chunk: string) => this.read(chunk));
    this.input.on('end', () => this.finish());
    this.input.on('close', () => this.finish());
    this.input.on('error', () => this.finish());
    // The host went away (EPIPE): nobody is left to answer.
    this.output.on('error', () => this.finish());
  }

  /** Writes one message as one line; `line` is its text as received, when that is already one line. */
  send(message: JsonRpcMessage, line?: string): void {
    if (this.output.destroyed || !this.output.writable) return;
    this.writer.line(line ?? JSON.stringify(message));
  }

  /** A streamed reply resolves once written, and rejects when it could not be completed. */
  reply(reply: Reply): Promise<void> | void {
    if (reply.stream) return this.writer.stream(reply.stream);
    this.send(reply.message, reply.line);
  }

  private read(chunk: string): void {
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', start)) {
      const fits = this.append(chunk.slice(start, nl));
      start = nl + 1;
      if (!fits) {
        this.endOversize();
        continue;
      }
      const line = this.buffered.join('');
      this.buffered = [];
      this.bufferedBytes = 0;
      this.line(line);
    }
    if (start < chunk.length) this.append(chunk.slice(start));
  }

  /** Adds to the line being read; false once it is over the limit (then only scanned for its id). */
  private append(piece: string): boolean {
    if (this.oversize) {
      this.oversize.scan.feed(Buffer.from(piece));
      this.answerOversize(false);
      return false;
    }
    this.bufferedBytes += Buffer.byteLength(piece);
    if (this.bufferedBytes <= this.maxLineBytes) {
      this.buffered.push(piece);
      return true;
    }
    const scan = new JsonStreamScanner();
    for (const held of this.buffered) scan.feed(Buffer.from(held));
    scan.feed(Buffer.from(piece));
    this.buffered = [];
    this.bufferedBytes = 0;
    this.oversize = { scan, answered: false, error: new MessageTooLarge(this.maxLineBytes, undefined, 'a line from the host') };
    this.answerOversize(false);
    return false;
  }

  /** Answered as soon as the id is known, else when the line ends (JSON-RPC 2.0 §5: id null when unknown). */
  private answerOversize(ended: boolean): void {
    const state = this.oversize!;
    if (state.answered) return;
    const id = state.scan.id ?? undefined;
    if (id === undefined && !ended) return;
    state.answered = true;
    this.ontoolarge?.(id, state.error, ended && id === undefined && state.scan.hasMethod);
  }

  private endOversize(): void {
    this.answerOversize(true);
    this.oversize = undefined;
  }

  private line(raw: string): void {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      // The parser's message quotes the line, which may hold a secret: say only where it broke.
      this.onparseerror?.(`${line.length} characters`);
      return;
    }
    this.onvalue?.(value);
  }

  private finish(): void {
    if (this.closed) return;
    if (this.oversize) this.endOversize();
    const rest = this.buffered.join('');
    this.buffered = [];
    if (rest.trim() !== '') this.line(rest);
    this.closed = true;
    this.onclose?.();
  }
}
