/**
 * Nothing read from the network grows without bound (issues 10 §7 and 13): a message (a JSON body,
 * or one SSE event's data) larger than --max-message-mb is refused the moment it passes the
 * limit: a Content-Length above it before anything is read, a chunked or streamed body as it is
 * counted. The connection is then closed (the body is destroyed), since the rest of it can only
 * be skipped by reading it. A message above `streamAboveBytes` that the caller can take as a
 * stream (a response the bridge forwards verbatim) is handed over as a ReplyStream instead of
 * being held, so the proxy keeps about a megabyte of it at any time.
 */
import { DEFAULTS } from '../config-defaults.js';
import { ProxyError } from '../errors.js';
import { idKey, type JsonRpcId } from '../jsonrpc.js';
import type { HttpResponse } from '../http/client.js';
import { flattenLines, JsonStreamScanner } from './json-stream-scanner.js';
import type { ReplyStream } from './reply-stream.js';

export interface MessageLimits {
  /** --max-message-mb, in bytes: no single message may be larger. */
  readonly maxBytes: number;
  /** Messages larger than this are streamed to the host where possible. */
  readonly streamAboveBytes: number;
}

export function defaultLimits(): MessageLimits {
  return { maxBytes: DEFAULTS.maxMessageMb * 1024 * 1024, streamAboveBytes: DEFAULTS.streamAboveBytes };
}

/** Offered a message once it passes streamAboveBytes (until it takes it): the stream to write it to, or undefined to hold it. */
export type StreamClaim = (scan: JsonStreamScanner) => ReplyStream | undefined;

/** A message over the limit; `id` is the request it answers, when that could be read before the limit. */
export class MessageTooLarge extends ProxyError {
  constructor(
    readonly limitBytes: number,
    readonly id: JsonRpcId | undefined,
    from: string,
  ) {
    super(
      'MESSAGE_TOO_LARGE',
      `${from} is larger than the limit of ${megabytes(limitBytes)} MB; it was not read further${from.includes('server') ? ' and the connection was closed' : ''}. If such messages are expected, raise the limit with --max-message-mb <MB>`,
    );
  }
}

export function megabytes(bytes: number): string {
  return String(Math.round((bytes / (1024 * 1024)) * 100) / 100);
}

/**
 * Collects one message's bytes, bounded by the limit; streams it instead when it grows large and
 * `claim` takes it. `push` returns a promise only while the stream's reader is behind.
 */
export class MessageAssembler {
  private held: Buffer[] = [];
  private size = 0;
  private scan: JsonStreamScanner | undefined;
  private stream: ReplyStream | undefined;

  constructor(
    private readonly limits: MessageLimits,
    private claim: StreamClaim | undefined,
    private readonly from = 'a message from the server',
  ) {}

  push(piece: Buffer): Promise<void> | undefined {
    this.size += piece.length;
    if (this.size > this.limits.maxBytes) {
      this.scan?.feed(piece.subarray(0, 4096));
      const error = new MessageTooLarge(this.limits.maxBytes, this.scan?.id ?? undefined, this.from);
      this.stream?.fail(error);
      throw error;
    }
    if (this.stream) return this.forward(piece);
    this.held.push(piece);
    if (this.size <= this.limits.streamAboveBytes) return undefined;
    if (!this.scan) {
      this.scan = new JsonStreamScanner();
      for (const held of this.held) this.scan.feed(held);
    } else this.scan.feed(piece);
    if (!this.claim) return undefined;
    if (this.scan.problem !== undefined || this.scan.hasMethod) {
      this.claim = undefined; // not a response: held, like any other message
      return undefined;
    }
    if (!this.scan.isResponse) return undefined;
    const stream = this.claim(this.scan);
    if (!stream) return undefined;
    this.stream = stream;
    const held = this.held;
    this.held = [];
    let wait: Promise<void> | undefined;
    for (const chunk of held) wait = stream.write(flattenLines(chunk)) ?? wait;
    return wait;
  }

  /** The message's text, or undefined when it was streamed (the stream is then ended, or failed if it is not the complete response it claimed to be). */
  finish(): string | undefined {
    const stream = this.stream;
    if (!stream) return this.held.length === 1 ? this.held[0]!.toString('utf8') : Buffer.concat(this.held, this.size).toString('utf8');
    const scan = this.scan!;
    const id = scan.id;
    let problem: string | undefined;
    if (scan.problem !== undefined) problem = `not one JSON-RPC message (${scan.problem})`;
    else if (!scan.complete) problem = 'a message that broke off before it was complete';
    else if (!scan.isResponse) problem = 'a message that is not a response';
    else if (id === undefined || id === null || idKey(id) !== idKey(stream.id)) problem = `a response for another request (id ${JSON.stringify(id)})`;
    if (problem) stream.fail(new ProxyError('REMOTE_BAD_RESPONSE', `the server answered with ${problem}; the host may have received part of it`));
    else stream.end();
    return undefined;
  }

  /** The body broke off: a stream in progress fails with the reason. */
  abort(error: Error): void {
    this.stream?.fail(error);
  }

  private forward(piece: Buffer): Promise<void> | undefined {
    this.scan!.feed(piece);
    return this.stream!.write(flattenLines(piece));
  }
}

/**
 * Reads a JSON body within the limit: refused at once when its Content-Length is above it,
 * otherwise counted as it arrives. Undefined when `claim` took it as a stream.
 */
export async function readMessageBody(res: HttpResponse, limits: MessageLimits, claim?: StreamClaim): Promise<string | undefined> {
  const declared = Number(res.header('content-length'));
  if (Number.isFinite(declared) && declared > limits.maxBytes) {
    res.body.destroy();
    throw new MessageTooLarge(limits.maxBytes, undefined, `the server's answer (Content-Length ${declared})`);
  }
  const assembler = new MessageAssembler(limits, claim, "the server's answer");
  try {
    for await (const chunk of res.body) {
      const wait = assembler.push(chunk as Buffer);
      if (wait) await wait;
    }
  } catch (error) {
    res.body.destroy();
    const reason =
      error instanceof ProxyError
        ? error
        : new ProxyError('REMOTE_BAD_RESPONSE', `the server's answer broke off before it was complete (${(error as Error).message})`, { cause: error });
    assembler.abort(reason);
    throw reason;
  }
  return assembler.finish();
}
