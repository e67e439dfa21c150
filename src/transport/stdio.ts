/**
 * The host side: newline-delimited JSON-RPC on stdin/stdout (MCP "Transports" §stdio).
 * This is the only writer of stdout; logs go to stderr.
 */
import type { Readable, Writable } from 'node:stream';
import type { JsonRpcMessage } from '../jsonrpc.js';
import type { HostSide } from './host-side.js';
import type { Reply } from './remote-transport.js';

export class StdioTransport implements HostSide {
  /** A parsed line: any JSON value (the bridge checks that it is JSON-RPC). */
  onvalue?: ((value: unknown) => void) | undefined;
  /** A line that is not JSON. */
  onparseerror?: ((reason: string) => void) | undefined;
  onclose?: (() => void) | undefined;
  /** A message of this many characters has been handed to the host's pipe. */
  onwritten?: ((length: number) => void) | undefined;

  private buffered: string[] = [];
  private closed = false;

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
  ) {}

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
    // Two writes rather than a concatenation: no extra copy of a large message.
    const text = line ?? JSON.stringify(message);
    this.output.write(text);
    this.output.write('\n', () => this.onwritten?.(text.length));
  }

  reply(reply: Reply): void {
    this.send(reply.message, reply.line);
  }

  private read(chunk: string): void {
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', start)) {
      this.buffered.push(chunk.slice(start, nl));
      const line = this.buffered.join('');
      this.buffered = [];
      start = nl + 1;
      this.line(line);
    }
    if (start < chunk.length) this.buffered.push(chunk.slice(start));
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
    const rest = this.buffered.join('');
    this.buffered = [];
    if (rest.trim() !== '') this.line(rest);
    this.closed = true;
    this.onclose?.();
  }
}
