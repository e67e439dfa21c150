/**
 * Reads a text/event-stream body (WHATWG HTML §9.2.6 "Interpreting an event stream") byte by
 * byte, reporting each event and the server's `retry:` advice. Resolves when the body ends;
 * rejects if it breaks. Bytes, not text: an event's data is bounded by the message limit as it
 * arrives (an event that never ends is refused the moment it passes it, issue 10 §7), and a
 * large one can be streamed to the host without ever being decoded (issue 13). Every structural
 * byte (CR, LF, `:`) is ASCII, so UTF-8 split across chunks needs no care until decoding.
 * Why not eventsource-parser (used before, and now this reader's test oracle): it hands over an
 * event only once it is complete, as one decoded string, so it can neither bound an event as it
 * grows nor pass a large one on without holding it.
 */
import { defaultLimits, MessageAssembler, MessageTooLarge, type MessageLimits, type StreamClaim } from './bounded-read.js';

export interface ServerSentEvent {
  /** The event's own `id:` field, if it had one. */
  id?: string | undefined;
  event?: string | undefined;
  /** Its data lines joined with LF; '' when it was streamed (see `streamed`). */
  data: string;
  /** The data went to a ReplyStream that claimed it, not into `data`. */
  streamed?: boolean;
}

export interface EventStreamHandlers {
  onEvent(event: ServerSentEvent): void;
  onRetry?(ms: number): void;
}

export interface EventStreamOptions {
  limits?: MessageLimits | undefined;
  /** Offered a `message` event's data once it passes limits.streamAboveBytes. */
  claim?: StreamClaim | undefined;
}

const LF = 0x0a;
const CR = 0x0d;
const DATA_PREFIX = Buffer.from('data:');
const SEPARATOR = 0x0a;

export async function readEventStream(
  body: AsyncIterable<unknown> | Iterable<unknown>,
  handlers: EventStreamHandlers,
  options: EventStreamOptions = {},
): Promise<void> {
  const parser = new EventStreamParser(handlers, options);
  try {
    for await (const chunk of body) {
      const wait = parser.feed(chunk as Buffer);
      if (wait) await wait;
    }
  } catch (error) {
    parser.abort(error as Error);
    throw error;
  }
  parser.abort(new Error('the event stream ended in the middle of an event'));
}

type LineKind = 'unknown' | 'data' | 'comment' | 'other';

class EventStreamParser {
  private readonly limits: MessageLimits;
  private line: Buffer[] = [];
  private lineBytes = 0;
  private kind: LineKind = 'unknown';
  /** The line began `data:` and its value's first byte, an optional space, is yet to come. */
  private stripSpace = false;
  private skipLF = false;
  private eventType: string | undefined;
  private eventId: string | undefined;
  private data: MessageAssembler | undefined;
  private lfAt = -2;
  private crAt = -2;

  constructor(
    private readonly handlers: EventStreamHandlers,
    private readonly options: EventStreamOptions,
  ) {
    this.limits = options.limits ?? defaultLimits();
  }

  /** Returns a promise only when a streamed event's reader is behind (backpressure). */
  feed(chunk: Buffer): Promise<void> | undefined {
    this.lfAt = -2;
    this.crAt = -2;
    let i = 0;
    if (this.skipLF && chunk.length > 0) {
      this.skipLF = false;
      if (chunk[0] === LF) i = 1;
    }
    while (i < chunk.length) {
      const eol = this.nextEol(chunk, i);
      const end = eol === -1 ? chunk.length : eol;
      if (end > i) {
        const wait = this.bytes(chunk.subarray(i, end));
        if (wait) return wait.then(() => this.feedRest(chunk, eol));
      }
      if (eol === -1) return undefined;
      i = this.afterEol(chunk, eol);
      const wait = this.lineEnd();
      if (wait) return wait.then(() => this.feedFrom(chunk, i));
    }
    return undefined;
  }

  /** A broken or finished body: an event being streamed cannot be completed. */
  abort(error: Error): void {
    this.data?.abort(error);
    this.data = undefined;
  }

  private feedRest(chunk: Buffer, eol: number): Promise<void> | undefined {
    if (eol === -1) return undefined;
    const next = this.afterEol(chunk, eol);
    const wait = this.lineEnd();
    return wait ? wait.then(() => this.feedFrom(chunk, next)) : this.feedFrom(chunk, next);
  }

  private feedFrom(chunk: Buffer, i: number): Promise<void> | undefined {
    return i < chunk.length ? this.feed(chunk.subarray(i)) : undefined;
  }

  private afterEol(chunk: Buffer, eol: number): number {
    if (chunk[eol] === LF) return eol + 1;
    if (eol + 1 >= chunk.length) {
      this.skipLF = true;
      return eol + 1;
    }
    return chunk[eol + 1] === LF ? eol + 2 : eol + 1;
  }

  private nextEol(chunk: Buffer, from: number): number {
    if (this.lfAt !== -1 && this.lfAt < from) this.lfAt = chunk.indexOf(LF, from);
    if (this.crAt !== -1 && this.crAt < from) this.crAt = chunk.indexOf(CR, from);
    if (this.lfAt === -1) return this.crAt;
    if (this.crAt === -1) return this.lfAt;
    return Math.min(this.lfAt, this.crAt);
  }

  /** Bytes of the current line (no line break among them). */
  private bytes(piece: Buffer): Promise<void> | undefined {
    if (this.kind === 'data') return this.dataBytes(piece);
    if (this.kind === 'comment') return undefined;
    this.line.push(piece);
    this.lineBytes += piece.length;
    if (this.lineBytes > this.limits.maxBytes) throw new MessageTooLarge(this.limits.maxBytes, undefined, "a line of the server's event stream");
    if (this.kind === 'other') return undefined;
    const head = this.line.length === 1 ? piece : Buffer.concat(this.line, this.lineBytes);
    if (head[0] === 0x3a) {
      this.kind = 'comment';
      this.line = [];
      this.lineBytes = 0;
      return undefined;
    }
    const n = Math.min(head.length, DATA_PREFIX.length);
    if (head.compare(DATA_PREFIX, 0, n, 0, n) !== 0) {
      this.kind = 'other';
      return undefined;
    }
    if (head.length < DATA_PREFIX.length) return undefined;
    // `data:` then the value (WHATWG: one leading space removed).
    this.kind = 'data';
    this.line = [];
    this.lineBytes = 0;
    this.stripSpace = true;
    this.beginData();
    return head.length > DATA_PREFIX.length ? this.dataBytes(head.subarray(DATA_PREFIX.length)) : undefined;
  }

  private dataBytes(piece: Buffer): Promise<void> | undefined {
    let value = piece;
    if (this.stripSpace) {
      this.stripSpace = false;
      if (value[0] === 0x20) value = value.subarray(1);
      if (value.length === 0) return undefined;
    }
    return this.data!.push(value);
  }

  private beginData(): void {
    if (this.data) {
      this.data.push(Buffer.of(SEPARATOR));
      return;
    }
    const claim = this.options.claim;
    const type = (): string | undefined => this.eventType;
    this.data = new MessageAssembler(
      this.limits,
      claim && ((scan) => (type() === undefined || type() === 'message' ? claim(scan) : undefined)),
      'an event from the server',
    );
  }

  private lineEnd(): Promise<void> | undefined {
    const kind = this.kind;
    const text =
      kind === 'unknown' || kind === 'other'
        ? this.line.length === 1
          ? this.line[0]!.toString('utf8')
          : Buffer.concat(this.line, this.lineBytes).toString('utf8')
        : undefined;
    this.kind = 'unknown';
    this.line = [];
    this.lineBytes = 0;
    this.stripSpace = false;
    if (text === undefined) return undefined;
    if (text === '') return this.dispatch();
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') this.beginData();
    else if (field === 'event') this.eventType = value;
    else if (field === 'id' && !value.includes('\0')) this.eventId = value;
    else if (field === 'retry' && /^\d+$/.test(value)) this.handlers.onRetry?.(Number(value));
    return undefined;
  }

  private dispatch(): Promise<void> | undefined {
    const data = this.data;
    const event: ServerSentEvent = { id: this.eventId, event: this.eventType, data: '' };
    this.data = undefined;
    this.eventId = undefined;
    this.eventType = undefined;
    if (!data && event.id === undefined) return undefined;
    const text = data?.finish();
    if (data && text === undefined) event.streamed = true;
    else event.data = text ?? '';
    this.handlers.onEvent(event);
    return undefined;
  }
}

export { mediaType } from '../http/media-type.js';
