/**
 * The bytes of one large message on their way from the server to the host (issue 13): the
 * transport writes them as they arrive, the host side reads them and writes them to stdout, and
 * neither holds more than HIGH_WATER_BYTES of them. Either side may give up (`fail`): the other
 * then sees the error at its next write or read. The bytes are one line already (newlines turned
 * into spaces); the host side ends the line.
 */
import type { JsonRpcId } from '../jsonrpc.js';

// What may wait between the network and stdout: enough to keep both busy, little to hold.
const HIGH_WATER_BYTES = 1024 * 1024;

export class ReplyStream implements AsyncIterable<Buffer> {
  /** Called on every chunk written: the bridge's idle timer for the stream. */
  ondata?: (() => void) | undefined;

  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  private ended = false;
  private error: Error | undefined;
  private wakeReader: (() => void) | undefined;
  private wakeWriter: (() => void) | undefined;

  /** `id`: the request this answers. */
  constructor(readonly id: JsonRpcId) {}

  /** Producer: undefined when there is room for more; else a promise that settles once there is (rejects once failed). */
  write(chunk: Buffer): Promise<void> | undefined {
    if (this.error) return Promise.reject(this.error);
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    this.ondata?.();
    this.wake();
    if (this.bytes < HIGH_WATER_BYTES) return undefined;
    return new Promise<void>((resolve, reject) => {
      this.wakeWriter = () => (this.error ? reject(this.error) : resolve());
    });
  }

  /** Producer: the message is complete. */
  end(): void {
    this.ended = true;
    this.wake();
  }

  /** Either side: the message cannot be completed (the reader sees `error`). The first failure wins. */
  fail(error: Error): void {
    if (this.ended && this.chunks.length === 0) return;
    this.error ??= error;
    this.chunks.length = 0;
    this.bytes = 0;
    this.wake();
  }

  get failed(): Error | undefined {
    return this.error;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<Buffer> {
    for (;;) {
      if (this.error) throw this.error;
      const chunk = this.chunks.shift();
      if (chunk) {
        this.bytes -= chunk.length;
        if (this.bytes < HIGH_WATER_BYTES) this.releaseWriter();
        yield chunk;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wakeReader = resolve));
    }
  }

  private wake(): void {
    const reader = this.wakeReader;
    this.wakeReader = undefined;
    reader?.();
    if (this.error) this.releaseWriter();
  }

  private releaseWriter(): void {
    const writer = this.wakeWriter;
    this.wakeWriter = undefined;
    writer?.();
  }
}
