/**
 * Writes the host's stdout, one JSON-RPC message per line (MCP "Transports" §stdio): small
 * messages at once, a large reply (a ReplyStream, issue 13) chunk by chunk as it arrives, with
 * stdout's backpressure passed back to the network. While a stream is being written, everything
 * else queues behind it, so lines never interleave.
 */
import type { Writable } from 'node:stream';
import { ProxyError } from '../errors.js';
import type { ReplyStream } from './reply-stream.js';

/** Characters below which a message and its newline are copied into one write. */
const ONE_WRITE_BELOW = 64 * 1024;

interface StreamJob {
  stream: ReplyStream;
  resolve(): void;
  reject(error: unknown): void;
}

export class HostWriter {
  private readonly queue: Array<string | StreamJob> = [];
  private busy = false;

  /** `onwritten`: a message (or a streamed chunk) of this many characters has been handed to the pipe. */
  constructor(
    private readonly output: Writable,
    private readonly onwritten: () => ((length: number) => void) | undefined,
  ) {}

  /** One message's text, without its newline. */
  line(text: string): void {
    if (this.busy) this.queue.push(text);
    else this.write(text);
  }

  /**
   * Writes a stream as one line once the lines and streams before it are written. Resolves when
   * it is complete; rejects when it failed (what was written of it is then ended with a newline,
   * so that the host can tell the broken line from the next message).
   */
  stream(stream: ReplyStream): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const job = { stream, resolve, reject };
      if (this.busy) this.queue.push(job);
      else this.run(job);
    });
  }

  private get open(): boolean {
    return !this.output.destroyed && this.output.writable;
  }

  private write(text: string): void {
    if (!this.open) return;
    const written = (): void => this.onwritten()?.(text.length);
    // stdout to a pipe is written synchronously (one write(2) per write()), and each one wakes
    // the host: a message in two writes cost two system calls and two wake-ups on both sides of
    // the pipe. So one write, except for a large message, where two spare a copy of it (issue 13).
    if (text.length < ONE_WRITE_BELOW) this.output.write(`${text}\n`, written);
    else {
      this.output.write(text);
      this.output.write('\n', written);
    }
  }

  private run(job: StreamJob): void {
    this.busy = true;
    this.pump(job.stream)
      .then(job.resolve, job.reject)
      .finally(() => {
        this.busy = false;
        this.flush();
      });
  }

  private flush(): void {
    while (!this.busy && this.queue.length > 0) {
      const next = this.queue.shift()!;
      if (typeof next === 'string') this.write(next);
      else this.run(next);
    }
  }

  private async pump(stream: ReplyStream): Promise<void> {
    let wrote = false;
    try {
      for await (const chunk of stream) {
        if (!this.open) throw new ProxyError('CLOSED', 'the host closed its end of the pipe');
        wrote = true;
        const length = chunk.length;
        if (!this.output.write(chunk, () => this.onwritten()?.(length))) await this.drained();
      }
    } catch (error) {
      stream.fail(error as Error);
      if (wrote && this.open) this.output.write('\n');
      throw error;
    }
    if (this.open) this.output.write('\n');
  }

  private drained(): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        this.output.off('drain', done);
        this.output.off('close', done);
        resolve();
      };
      this.output.on('drain', done);
      this.output.on('close', done);
    });
  }
}
