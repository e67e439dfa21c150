import { describe, expect, it } from 'vitest';
import { buildConfig, DEFAULTS, type RawOptions } from '../../src/config.js';
import { UsageError } from '../../src/errors.js';

function usageCode(url: string, raw: RawOptions, env: Record<string, string> = {}): string | undefined {
  try {
    buildConfig(url, raw, env);
    return undefined;
  } catch (error) {
    if (error instanceof UsageError) return error.code;
    throw error;
  }
}

describe('buildConfig', () => {
  it('applies the defaults and freezes the result', () => {
    const config = buildConfig('https://example.com/mcp#frag', {}, {});
    expect(config).toMatchObject({
      serverUrl: 'https://example.com/mcp',
      transport: DEFAULTS.transport,
      timeoutMs: DEFAULTS.timeoutSeconds * 1000,
      logLevel: 'warn',
      bearer: undefined,
      headers: {},
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.headers)).toBe(true);
  });

  it.each<[string, string, RawOptions, Record<string, string>, string | undefined]>([
    ['https is fine', 'https://example.com/mcp', {}, {}, undefined],
    ['loopback http is fine', 'http://127.0.0.1:3000/mcp', {}, {}, undefined],
    ['localhost http is fine', 'http://localhost:3000/mcp', {}, {}, undefined],
    ['[::1] http is fine', 'http://[::1]:3000/mcp', {}, {}, undefined],
    ['remote http refused', 'http://example.com/mcp', {}, {}, 'INSECURE_URL'],
    ['remote http with --allow-http', 'http://example.com/mcp', { allowHttp: true }, {}, undefined],
    ['not a URL', 'example.com/mcp', {}, {}, 'INVALID_URL'],
    ['file URL', 'file:///etc/passwd', {}, {}, 'INVALID_URL'],
    ['userinfo in URL', 'https://u:p@example.com/mcp', {}, {}, 'INVALID_URL'],
    ['bad transport', 'https://a/mcp', { transport: 'ws' }, {}, 'INVALID_OPTION'],
    ['bad log level', 'https://a/mcp', { logLevel: 'loud' }, {}, 'INVALID_OPTION'],
    ['zero timeout', 'https://a/mcp', { timeout: '0' }, {}, 'INVALID_OPTION'],
    ['text timeout', 'https://a/mcp', { timeout: 'soon' }, {}, 'INVALID_OPTION'],
    ['header without colon', 'https://a/mcp', { header: ['Authorization Bearer x'] }, {}, 'INVALID_HEADER'],
    ['header with bad name', 'https://a/mcp', { header: ['Bad Name: x'] }, {}, 'INVALID_HEADER'],
    ['reserved header', 'https://a/mcp', { header: ['Mcp-Session-Id: x'] }, {}, 'INVALID_HEADER'],
    ['missing variable', 'https://a/mcp', { header: ['X-Key: ${NOPE}'] }, {}, 'MISSING_ENV'],
    ['empty bearer', 'https://a/mcp', { oauth2Bearer: ' ' }, {}, 'INVALID_OPTION'],
    ['bearer and Authorization header', 'https://a/mcp', { oauth2Bearer: 't', header: ['Authorization: Bearer u'] }, {}, 'INVALID_OPTION'],
  ])('%s', (_name, url, raw, env, code) => {
    expect(usageCode(url, raw, env)).toBe(code);
  });

  it('expands ${VAR} in header values and lower-cases names', () => {
    const config = buildConfig('https://a/mcp', { header: ['X-Api-Key: ${KEY}', 'X-Two: a-${KEY}-b'] }, { KEY: 'k1' });
    expect(config.headers).toEqual({ 'x-api-key': 'k1', 'x-two': 'a-k1-b' });
  });

  it('names the missing variable', () => {
    expect(() => buildConfig('https://a/mcp', { header: ['X-Key: ${API_KEY}'] }, {})).toThrow(/API_KEY/);
  });

  it('takes the bearer from the environment, the flag winning', () => {
    expect(buildConfig('https://a/mcp', {}, { MCP_AUTH_PROXY_BEARER: 'env-token' }).bearer).toBe('env-token');
    expect(buildConfig('https://a/mcp', { oauth2Bearer: 'flag-token' }, { MCP_AUTH_PROXY_BEARER: 'env-token' }).bearer).toBe('flag-token');
    expect(buildConfig('https://a/mcp', { oauth2Bearer: '${TOK}' }, { TOK: 'from-var' }).bearer).toBe('from-var');
  });

  it('joins repeated headers of one name', () => {
    expect(buildConfig('https://a/mcp', { header: ['X-A: 1', 'x-a: 2'] }, {}).headers).toEqual({ 'x-a': '1, 2' });
  });
});
