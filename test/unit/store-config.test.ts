import { describe, expect, it } from 'vitest';
import { buildConfig, buildStoreConfig } from '../../src/config.js';
import { UsageError } from '../../src/errors.js';

describe('buildStoreConfig (logout, status)', () => {
  it('normalises the server URL as the proxy does (the store key), without requiring https', () => {
    const url = 'http://mcp.example/mcp#frag';
    expect(buildStoreConfig(url, {}, {}).serverUrl).toBe('http://mcp.example/mcp');
    expect(buildStoreConfig('https://a.example/mcp', {}, {}).serverUrl).toBe(buildConfig('https://a.example/mcp', {}, {}).serverUrl);
    expect(buildStoreConfig(undefined, {}, {}).serverUrl).toBeUndefined();
  });

  it('takes --auth-dir, else MCP_AUTH_PROXY_DIR', () => {
    expect(buildStoreConfig(undefined, { authDir: '/a' }, { MCP_AUTH_PROXY_DIR: '/b' }).authDir).toBe('/a');
    expect(buildStoreConfig(undefined, {}, { MCP_AUTH_PROXY_DIR: '/b' }).authDir).toBe('/b');
  });

  it('a client secret from the environment is used only with --client-id; from a flag it needs one', () => {
    expect(buildStoreConfig(undefined, {}, { MCP_AUTH_PROXY_CLIENT_SECRET: 'env-secret' }).clientSecret).toBeUndefined();
    expect(buildStoreConfig(undefined, { clientId: 'c' }, { MCP_AUTH_PROXY_CLIENT_SECRET: 'env-secret' }).clientSecret).toBe('env-secret');
    expect(() => buildStoreConfig(undefined, { clientSecret: 'flag-secret' }, {})).toThrow(UsageError);
  });

  it('rejects a bad URL or log level as usage errors', () => {
    expect(() => buildStoreConfig('not a url', {}, {})).toThrow(UsageError);
    expect(() => buildStoreConfig(undefined, { logLevel: 'loud' }, {})).toThrow(UsageError);
  });
});
