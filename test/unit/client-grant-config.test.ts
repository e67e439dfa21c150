// --grant, --client-key, --client-key-alg and --client-key-id: what a machine-to-machine run needs
// is checked up front, with messages that name the flag (and never show a secret or a key).
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildConfig, type RawOptions } from '../../src/config.js';
import { UsageError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'mcp-auth-proxy-grant-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ecKey = join(dir, 'ec.pem');
writeFileSync(ecKey, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }));
const publicKey = join(dir, 'public.pem');
writeFileSync(publicKey, generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'pem', type: 'spki' }));

const URL_ = 'https://example.com/mcp';

function failure(raw: RawOptions, env: Record<string, string> = {}): string {
  try {
    buildConfig(URL_, raw, env);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  throw new Error('expected a usage error');
}

describe('--grant and the client credentials it needs', () => {
  it('defaults to authorization_code with no key', () => {
    expect(buildConfig(URL_, {}, {}).oauth).toMatchObject({ grant: 'authorization_code', clientKey: undefined });
  });

  it('client_credentials with a secret (flag or environment), or with a key', () => {
    expect(buildConfig(URL_, { grant: 'client_credentials', clientId: 'c', clientSecret: 's3cret' }, {}).oauth.grant).toBe('client_credentials');
    expect(buildConfig(URL_, { grant: 'client_credentials', clientId: 'c' }, { MCP_AUTH_PROXY_CLIENT_SECRET: 's3cret' }).oauth.clientSecret).toBe('s3cret');
    const key = buildConfig(URL_, { grant: 'client_credentials', clientId: 'c', clientKey: ecKey, clientKeyId: 'k1' }, {}).oauth.clientKey;
    expect(key).toMatchObject({ alg: 'ES256', kid: 'k1' });
    expect(key?.key.type).toBe('private');
  });

  it.each<[string, RawOptions, RegExp]>([
    ['an unknown grant', { grant: 'password' }, /--grant must be one of authorization_code, client_credentials/],
    ['client_credentials without a client', { grant: 'client_credentials' }, /--grant client_credentials needs .*--client-id/],
    ['client_credentials with a public client', { grant: 'client_credentials', clientId: 'c' }, /--client-secret .* or with --client-key/],
    ['a key without --client-id', { clientKey: ecKey }, /--client-key needs --client-id/],
    ['a key and a secret', { clientId: 'c', clientKey: ecKey, clientSecret: 's3cret' }, /--client-key and a client secret/],
    ['--client-key-alg alone', { clientKeyAlg: 'ES256' }, /--client-key-alg needs --client-key/],
    ['--client-key-id alone', { clientKeyId: 'k' }, /--client-key-id needs --client-key/],
    ['an algorithm the key cannot do', { clientId: 'c', clientKey: ecKey, clientKeyAlg: 'RS256' }, /^--client-key-alg: RS256 does not fit/],
    ['a missing key file', { clientId: 'c', clientKey: join(dir, 'nope.pem') }, /--client-key .*nope\.pem: cannot read it \(no such file\)/],
    ['a public key', { clientId: 'c', clientKey: publicKey }, /--client-key .*public\.pem: expected a PEM private key/],
  ])('refuses %s', (_what, raw, message) => {
    expect(failure(raw)).toMatch(message);
  });

  it('a secret from the environment with a key is a conflict too (give the credentials once)', () => {
    expect(failure({ clientId: 'c', clientKey: ecKey }, { MCP_AUTH_PROXY_CLIENT_SECRET: 's3cret' })).toMatch(/were both given/);
  });
});
