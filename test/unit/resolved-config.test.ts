import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildConfig, buildStoreConfig, DEFAULTS } from '../../src/config.js';

// Every default and environment variable is resolved in the config, so nothing else reads them.
describe('the config resolves every default and environment variable', () => {
  it('authDir: --auth-dir, else MCP_AUTH_PROXY_DIR, else the user config directory', () => {
    const env = { XDG_CONFIG_HOME: '/xdg', MCP_AUTH_PROXY_DIR: '/env' };
    expect(buildConfig('https://a/mcp', { authDir: '/flag' }, env).authDir).toBe('/flag');
    expect(buildConfig('https://a/mcp', {}, env).authDir).toBe('/env');
    if (process.platform === 'linux') expect(buildConfig('https://a/mcp', {}, { XDG_CONFIG_HOME: '/xdg' }).authDir).toBe(join('/xdg', 'mcp-auth-proxy'));
    expect(buildStoreConfig(undefined, {}, { XDG_CONFIG_HOME: '/xdg' }).authDir).toBe(buildConfig('https://a/mcp', {}, { XDG_CONFIG_HOME: '/xdg' }).authDir);
  });

  it('lists the secret values it holds instead of registering them', () => {
    const env = { MCP_AUTH_PROXY_CLIENT_SECRET: 'client-secret-1', KEY: 'header-value-1' };
    const config = buildConfig('https://a/mcp', { header: ['X-Key: ${KEY}'], clientId: 'c' }, env);
    expect([...config.secrets].sort()).toEqual(['client-secret-1', 'header-value-1']);
    expect(buildConfig('https://a/mcp', { oauth2Bearer: 'bearer-value' }, {}).secrets).toEqual(['bearer-value']);
    expect(buildStoreConfig(undefined, { clientId: 'c' }, env).secrets).toEqual(['client-secret-1']);
  });

  it('login and token leave MCP_AUTH_PROXY_BEARER unused and say so', () => {
    const env = { MCP_AUTH_PROXY_BEARER: 'static-token' };
    const command = buildConfig('https://a/mcp', {}, env, { bearerFromEnv: false });
    expect(command.bearer).toBeUndefined();
    expect(command.oauth.enabled).toBe(true);
    expect(command.bearerEnvIgnored).toBe(true);
    expect(buildConfig('https://a/mcp', {}, env).bearerEnvIgnored).toBe(false);
    expect(buildConfig('https://a/mcp', {}, {}, { bearerFromEnv: false }).bearerEnvIgnored).toBe(false);
  });

  it('why no browser can open, from --browser and the environment', () => {
    expect(buildConfig('https://a/mcp', { browser: 'none' }, {}).oauth.noBrowser).toBe('--browser none');
    expect(buildConfig('https://a/mcp', {}, { SSH_CONNECTION: '1 2 3 4' }).oauth.noBrowser).toBe('this is an SSH session');
  });

  it("doctor's check timeout: --timeout if given, else its own default", () => {
    expect(buildConfig('https://a/mcp', {}, {}).checkTimeoutMs).toBe(DEFAULTS.doctorTimeoutSeconds * 1000);
    expect(buildConfig('https://a/mcp', { timeout: '7' }, {}).checkTimeoutMs).toBe(7000);
  });
});
