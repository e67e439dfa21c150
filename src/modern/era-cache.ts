/**
 * What a previous start found a server to speak (MCP 2026-07-28 "modern", or the initialize-based
 * "legacy" revisions), so that a warm start skips detection (see modern/era.ts). Not a
 * credential: one small note per server, in the credentials directory, written like the
 * credentials (state-files.ts).
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ensurePrivateDir, fileKey, readJsonFile, writeJsonFile } from '../state-files.js';

export type KnownEra = 'legacy' | 'modern';

export class EraCache {
  constructor(readonly dir: string) {}

  async readEra(server: string): Promise<KnownEra | undefined> {
    const note = await readJsonFile<{ server?: string; era?: string }>(this.dir, fileKey('era', server), 'protocol-era note');
    return note?.server === server && (note.era === 'legacy' || note.era === 'modern') ? note.era : undefined;
  }

  /** Remembers the era, or forgets it (undefined). */
  async writeEra(server: string, era: KnownEra | undefined): Promise<void> {
    if (era === undefined) {
      await rm(join(this.dir, fileKey('era', server)), { force: true });
      return;
    }
    await ensurePrivateDir(this.dir);
    await writeJsonFile(this.dir, fileKey('era', server), { server, era, at: Date.now() });
  }
}
