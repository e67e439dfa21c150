// Issue 10 §6: secret files readable by others. A --header-file or --client-key that group or
// others can read draws a warning naming the file and the chmod that fixes it; a private key
// others can write is refused (UNSAFE_FILE).
import { generateKeyPairSync } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { buildConfig } from '../../src/config.js';
import { tempDir } from '../fixtures/teardown.js';

const URL_ = 'https://example.com/mcp';

function file(name: string, text: string, mode: number): string {
  const path = join(tempDir(), name);
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

/** What the proxy wrote to stderr while `fn` ran. */
function stderrOf(fn: () => void): string {
  const lines: string[] = [];
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  try {
    fn();
  } finally {
    spy.mockRestore();
  }
  return lines.join('');
}

const pem = (): string => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }) as string;

describe.skipIf(process.platform === 'win32')('secret file modes', () => {
  it('a --header-file readable by others: a warning naming the file and chmod 600', () => {
    const path = file('h.headers', 'Authorization: Bearer s3cret\n', 0o644);
    const err = stderrOf(() => buildConfig(URL_, { headerFile: path }, {}));
    expect(err).toContain(`--header-file ${path} is readable by its group and other users (mode 0644)`);
    expect(err).toContain(`chmod 600 '${path}'`);
    expect(err).not.toContain('s3cret');
  });

  it('a 0600 --header-file: silence', () => {
    const path = file('h.headers', 'Authorization: Bearer s3cret\n', 0o600);
    expect(stderrOf(() => buildConfig(URL_, { headerFile: path }, {}))).toBe('');
  });

  it('a --client-key readable by the group: a warning; writable by others: refused', () => {
    const key = pem();
    const readable = file('k.pem', key, 0o640);
    const raw = { grant: 'client_credentials', clientId: 'c' };
    expect(stderrOf(() => buildConfig(URL_, { ...raw, clientKey: readable }, {}))).toContain(`--client-key ${readable} is readable by its group (mode 0640)`);
    const writable = file('w.pem', key, 0o666);
    expect(() => buildConfig(URL_, { ...raw, clientKey: writable }, {})).toThrow(
      expect.objectContaining({ code: 'UNSAFE_FILE', message: expect.stringContaining(`chmod 600 '${writable}'`) }),
    );
  });
});
