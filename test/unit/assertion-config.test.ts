// --grant jwt-bearer with --assertion-file / --assertion-env, and --idp with its client: what each
// needs is checked up front, with messages that name the flag (never an assertion's value); and
// the claim an authorization server names in a refusal is found for the error message.
import { describe, expect, it } from 'vitest';
import { objectedClaim } from '../../src/auth/jwt-bearer-grant.js';
import { buildConfig, type RawOptions } from '../../src/config.js';
import { UsageError } from '../../src/errors.js';

const URL_ = 'https://example.com/mcp';
const JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ3In0.c2ln';

function failure(raw: RawOptions, env: Record<string, string> = {}): UsageError {
  try {
    buildConfig(URL_, raw, env);
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('expected a usage error');
}

describe('--grant jwt-bearer', () => {
  it('takes the assertion from a file (named, not read yet) or from a variable (a secret)', () => {
    const fromFile = buildConfig(URL_, { grant: 'jwt-bearer', clientId: 'w', assertionFile: '/var/run/secrets/tokens/mcp' }, {});
    expect(fromFile.oauth.assertion).toEqual({ file: '/var/run/secrets/tokens/mcp' });
    const fromEnv = buildConfig(URL_, { grant: 'jwt-bearer', clientId: 'w', assertionEnv: 'CI_JWT' }, { CI_JWT: JWT });
    expect(fromEnv.oauth.assertion).toEqual({ env: 'CI_JWT', value: JWT });
    expect(fromEnv.secrets).toContain(JWT);
  });

  it('refuses what cannot work, naming the flag and never the value', () => {
    expect(failure({ grant: 'jwt-bearer', clientId: 'w' }).message).toMatch(/--assertion-file <path>.*--assertion-env/);
    expect(failure({ grant: 'jwt-bearer', assertionFile: '/t' }).message).toContain('--client-id');
    expect(failure({ grant: 'jwt-bearer', clientId: 'w', assertionFile: '/t', assertionEnv: 'X' }).message).toContain('both given');
    expect(failure({ clientId: 'w', assertionFile: '/t' }).message).toContain('--grant jwt-bearer');
    const unset = failure({ grant: 'jwt-bearer', clientId: 'w', assertionEnv: 'CI_JWT' });
    expect([unset.code, unset.message]).toEqual(['MISSING_ENV', expect.stringContaining('CI_JWT')]);
  });
});

describe('--idp', () => {
  it("needs its client at the IdP and the client at the MCP server's AS; the secret may come from the environment", () => {
    const config = buildConfig(
      URL_,
      { idp: 'https://login.example.com', idpClientId: 'proxy', clientId: 'mcp', idpIdTokenFile: '/tmp/id.jwt' },
      { MCP_AUTH_PROXY_IDP_CLIENT_SECRET: 'idp-s3cret' },
    );
    expect(config.oauth.idp).toEqual({ issuer: 'https://login.example.com', clientId: 'proxy', clientSecret: 'idp-s3cret', idTokenFile: '/tmp/id.jwt' });
    expect(config.secrets).toContain('idp-s3cret');
    expect(failure({ idp: 'https://login.example.com', clientId: 'mcp' }).message).toContain('--idp-client-id');
    expect(failure({ idp: 'https://login.example.com', idpClientId: 'proxy' }).message).toContain('--client-id');
    expect(failure({ idpClientId: 'proxy' }).message).toContain('needs --idp');
    expect(failure({ idp: 'http://login.example.com', idpClientId: 'p', clientId: 'm' }).code).toBe('INSECURE_URL');
    expect(failure({ idp: 'https://login.example.com', idpClientId: 'p', clientId: 'm', grant: 'client_credentials', clientSecret: 's' }).message).toContain(
      'cannot be combined',
    );
  });
});

describe('objectedClaim', () => {
  it('finds the claim an error_description names', () => {
    expect(objectedClaim('assertion claim "aud" is invalid: unexpected "aud" claim value')).toBe('aud');
    expect(objectedClaim('"exp" claim timestamp check failed')).toBe('exp');
    expect(objectedClaim('JWT expired; exp in the past')).toBe('exp');
    expect(objectedClaim('the issuer is not trusted')).toBeUndefined();
  });
});
