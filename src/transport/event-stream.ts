/**
 * Reads a text/event-stream body (WHATWG HTML §9.2) with eventsource-parser, reporting each
 * event and the server's `retry:` advice. Resolves when the body ends; rejects if it breaks.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';
import type { Readable } from 'node:stream';

export type ServerSentEvent = EventSourceMessage;

export interface EventStreamHandlers {
  onEvent(event: ServerSentEvent): void;
  onRetry?(ms: number): void;
}

export async function readEventStream(body: Readable, handlers: EventStreamHandlers): Promise<void> {
  const parser = createParser({
    onEvent: (event) => handlers.onEvent(event),
    onRetry: (ms) => handlers.onRetry?.(ms),
  });
  const decoder = new TextDecoder();
  for await (const chunk of body) {
    parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
  }
  const tail = decoder.decode();
  if (tail) parser.feed(tail);
}

export { mediaType } from '../http/media-type.js';
