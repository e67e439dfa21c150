// The options of "Networks people actually have" in buildConfig / buildStoreConfig: --ca-file,
// --connect-timeout, --ipv4, --keepalive, --header-file, --ignore-tool. Usage errors name the flag.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildConfig, buildStoreConfig, DEFAULTS, type RawOptions } from '../../src/config.js';
import { UsageError } from '../../src/errors.js';
import { makeTestPki } from '../fixtures/tls-certs.js';

const dir = mkdtempSync(join(tmpdir(), 'mcp-auth-proxy-network-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function usageError(raw: RawOptions, env: Record<string, string> = {}): UsageError {
  try {
    buildConfig('https://example.com/mcp', raw, env);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('expected a usage error');
}

const one = makeTestPki({ caName: 'one' });
const two = makeTestPki({ caName: 'two' });

describe('network options', () => {
  it('defaults: Node CAs only, 30 s to connect, any address family, no keepalive, no ignored tools', () => {
    const config = buildConfig('https://example.com/mcp', {}, {});
    expect(config.network).toEqual({
      caFile: undefined,
      caCertificates: undefined,
      connectTimeoutMs: DEFAULTS.connectTimeoutSeconds * 1000,
      ipv4: false,
      headersTimeoutMs: 0,
      bodyTimeoutMs: 0,
    });
    expect(DEFAULTS.connectTimeoutSeconds).toBe(30);
    expect(config.keepaliveMs).toBeUndefined();
    expect(config.ignoreTools).toEqual([]);
    expect(Object.isFrozen(config.network)).toBe(true);
  });

  it('--connect-timeout, --ipv4, --keepalive (0 = off), --ignore-tool', () => {
    const config = buildConfig('https://example.com/mcp', { connectTimeout: '2.5', ipv4: true, keepalive: '45', ignoreTool: [' delete_* ', 'admin?'] }, {});
    expect(config.network.connectTimeoutMs).toBe(2500);
    expect(config.network.ipv4).toBe(true);
    expect(config.keepaliveMs).toBe(45_000);
    expect(config.ignoreTools).toEqual(['delete_*', 'admin?']);
    expect(buildConfig('https://example.com/mcp', { keepalive: '0' }, {}).keepaliveMs).toBeUndefined();
  });

  it.each<[string, RawOptions, RegExp]>([
    ['zero --connect-timeout', { connectTimeout: '0' }, /^--connect-timeout takes a number of seconds greater than 0 \(got "0"\)/],
    ['text --connect-timeout', { connectTimeout: 'soon' }, /^--connect-timeout /],
    ['text --keepalive', { keepalive: 'often' }, /^--keepalive takes a number of seconds/],
    ['negative --keepalive', { keepalive: '-5' }, /^--keepalive /],
    ['empty --ignore-tool', { ignoreTool: ['  '] }, /^--ignore-tool needs a tool name or a glob/],
    ['missing --ca-file', { caFile: join(dir, 'nope.pem') }, /^--ca-file \S+nope\.pem: cannot read it \(no such file\)/],
    ['--ca-file that is a directory', { caFile: dir }, /^--ca-file \S+: cannot read it \(it is a directory\)/],
    ['--ca-file with no certificate', { caFile: file('empty.pem', 'not a certificate\n') }, /^--ca-file \S+empty\.pem holds no certificate: expected PEM/],
    [
      '--ca-file with a broken PEM block',
      { caFile: file('broken.pem', `${one.caPem}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n`) },
      /^--ca-file \S+broken\.pem: certificate 2 of 2 is not a valid X\.509 certificate/,
    ],
    ['missing --header-file', { headerFile: join(dir, 'none.headers') }, /^--header-file \S+none\.headers: cannot read it \(no such file\)/],
  ])('%s: usage error naming the flag', (_name, raw, message) => {
    expect(usageError(raw).message).toMatch(message);
  });

  it('--ca-file: every PEM certificate of the file, or one DER certificate; ${VAR} and ~ in the path', () => {
    const bundle = file('bundle.pem', `# corporate CAs\n${one.caPem}\n${two.caPem}`);
    const certs = buildConfig('https://example.com/mcp', { caFile: bundle }, {}).network.caCertificates!;
    expect(certs.map((c) => new X509Certificate(c).subject)).toEqual(['CN=one', 'CN=two']);
    file('ca.der', new X509Certificate(one.caPem).raw);
    const fromDer = buildConfig('https://example.com/mcp', { caFile: '${CA_DIR}/ca.der' }, { CA_DIR: dir }).network;
    expect(fromDer.caFile).toBe('${CA_DIR}/ca.der');
    expect(new X509Certificate(fromDer.caCertificates![0]!).fingerprint256).toBe(new X509Certificate(one.caPem).fingerprint256);
    expect(usageError({ caFile: '${NO_SUCH_VAR_9}/ca.pem' }).message).toContain('--ca-file uses ${NO_SUCH_VAR_9}');
  });

  it('--header-file merges with --header (a name in both is joined, as repeated --header are)', () => {
    const headers = file('h.headers', '\uFEFF# comment\nX-Key: ${KEY}\n\nX-Both: file\n');
    const config = buildConfig('https://example.com/mcp', { headerFile: headers, header: ['X-Both: flag', 'X-Flag: 1'] }, { KEY: 'k-1' });
    expect(config.headers).toEqual({ 'x-key': 'k-1', 'x-both': 'file, flag', 'x-flag': '1' });
  });

  it('an Authorization line in --header-file is a credential: OAuth is off, as with --header', () => {
    const config = buildConfig('https://example.com/mcp', { headerFile: file('auth.headers', 'Authorization: Bearer abcdefgh\n') }, {});
    expect(config.oauth.enabled).toBe(false);
  });

  it('logout (buildStoreConfig) takes the network options too, for revocation', () => {
    const ca = file('store-ca.pem', one.caPem);
    const config = buildStoreConfig(undefined, { caFile: ca, connectTimeout: '5', ipv4: true }, {});
    expect(config.network).toMatchObject({ caFile: ca, connectTimeoutMs: 5000, ipv4: true });
    expect(config.network.caCertificates).toHaveLength(1);
  });
});
